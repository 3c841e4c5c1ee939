"""Fixtures for the reliability suite: the sync tests' stores and generated data, the fleet tests' Redis and
processes (all re-used, none redefined), plus the two knobs every trial reads:

* ``SOAK=1`` (``make soak``) runs the long form: at least 20 kill trials and longer fault runs; without it
  the short form runs in ``make test`` (2-3 trials, well under two minutes for the whole suite);
* ``RELIABILITY_SEED=n`` replays a run: every random choice (kill points, which process, DQT changes) comes
  from one ``random.Random`` seeded from it, and each test prints the seed it used.

Each test ends by printing its figures (trials, kills, faults by kind, records); with
``RELIABILITY_FIGURES=path`` they are appended to that file as well (``docs/reliability.md`` quotes them).
"""

from __future__ import annotations

import os
import random

import pytest

from tests.integration.bridge.conftest import *  # noqa: F403 - pytest finds fixtures by name
from tests.integration.jobs.conftest import fleet_factory, redis_url, space  # noqa: F401 - re-used fixtures


def soak() -> bool:
    """Whether the long form is running (``SOAK=1``)."""
    return os.environ.get("SOAK", "").strip() not in ("", "0", "false", "no")


def trials(short: int, long: int) -> int:
    return long if soak() else short


def report(line: str) -> None:
    """Print a test's figures, and append them to ``$RELIABILITY_FIGURES`` when set."""
    print(f"\n{line}")
    target = os.environ.get("RELIABILITY_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"{'SOAK' if soak() else 'short'}: {line}\n")


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    """This test's seed (``RELIABILITY_SEED`` or a fresh one), printed so a failure can be replayed."""
    value = int(os.environ.get("RELIABILITY_SEED") or random.randrange(1_000_000))
    print(f"\n{request.node.name}: RELIABILITY_SEED={value}")
    return value


@pytest.fixture
def rng(seed: int) -> random.Random:
    return random.Random(seed)


@pytest.fixture(autouse=True)
def _known_differences_per_test() -> None:
    """Each test reports the known defects it met itself (``parity.KNOWN_DIFFERENCES`` is module state)."""
    from tests.reliability.parity import KNOWN_DIFFERENCES

    KNOWN_DIFFERENCES.clear()
