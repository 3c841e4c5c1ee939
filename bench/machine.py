"""Describe the machine a benchmark ran on, so every result carries its context."""

from __future__ import annotations

import os
import platform
import subprocess
from typing import Any


def describe() -> dict[str, Any]:
    def _cmd(*args: str) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, check=False, timeout=5).stdout.strip()
        except OSError:
            return ""

    mem_kb = 0
    try:
        with open("/proc/meminfo") as meminfo:
            mem_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration, ValueError):
        pass
    cpu_model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu_model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgresql": _cmd("psql", "--version"),
    }
