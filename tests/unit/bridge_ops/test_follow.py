"""``sync --follow``'s schedule: busy feeds again at once, warm ones within a second, quiet ones after the interval
(ADR 0058)."""

from __future__ import annotations

import pytest

from bridge.feeds import ALERT, INDUCTION, PERSON
from bridge.follow import FollowSchedule


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_every_feed_is_due_at_first_in_the_given_order() -> None:
    schedule = FollowSchedule([PERSON, ALERT, INDUCTION], 60.0, Clock())

    assert schedule.due() == [PERSON, ALERT, INDUCTION]
    assert schedule.wait_seconds() == 0.0


def test_a_busy_feed_is_due_at_once_a_warm_one_within_a_second_and_a_quiet_one_after_the_interval() -> None:
    clock = Clock()
    schedule = FollowSchedule([PERSON, ALERT, INDUCTION], 60.0, clock)

    # When the person feed's pass (started now) carries changes and the others do not
    assert schedule.due() == [PERSON, ALERT, INDUCTION]
    clock.now += 0.2
    schedule.ran(PERSON.name, carried=True)
    schedule.ran(ALERT.name, carried=False)
    schedule.ran(INDUCTION.name, carried=False)
    # Then only the person feed is due again, half a second after its pass started (not in a tight loop)
    assert schedule.due() == []
    assert schedule.wait_seconds() == pytest.approx(0.3)
    clock.now += 0.3
    assert schedule.due() == [PERSON]

    # When its next pass finds nothing, it stays warm: due again after a second, not the interval
    schedule.ran(PERSON.name, carried=False)
    assert schedule.due() == []
    assert schedule.wait_seconds() == pytest.approx(1.0)
    clock.now += 1.0
    assert schedule.due() == [PERSON]

    # And once a whole interval passed without changes it waits the interval like the others
    clock.now += 59.0
    schedule.ran(PERSON.name, carried=False)
    assert schedule.due() == [ALERT, INDUCTION]
    schedule.ran(ALERT.name, carried=False)
    schedule.ran(INDUCTION.name, carried=False)
    assert schedule.wait_seconds() == pytest.approx(60.0)


def test_the_busy_interval_never_exceeds_the_interval() -> None:
    clock = Clock()
    schedule = FollowSchedule([PERSON], 0.5, clock)

    schedule.ran(PERSON.name, carried=True)
    schedule.ran(PERSON.name, carried=False)

    assert schedule.wait_seconds() == pytest.approx(0.5)


def test_a_busy_feed_whose_pass_took_longer_than_the_gap_is_due_at_once() -> None:
    clock = Clock()
    schedule = FollowSchedule([PERSON], 60.0, clock)

    assert schedule.due() == [PERSON]
    clock.now += 2.0  # a long pass (a burst of changes)
    schedule.ran(PERSON.name, carried=True)

    assert schedule.due() == [PERSON]
