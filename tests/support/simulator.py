"""Tests start the simulator the same way ``make demo`` and the benchmarks do."""

from __future__ import annotations

from bridge.local_simulator import SimulatorHandle, start_simulator

__all__ = ["SimulatorHandle", "start_simulator"]
