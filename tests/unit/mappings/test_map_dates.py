"""Dates: UK-local midnight instants back to dates across BST/GMT, unshifted dates, strict parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from dqt_simulator.generate import uk_midnight_utc
from mappings import dates
from mappings.errors import InvalidValue


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2019-08-31T23:00:00Z", dt.date(2019, 9, 1)),  # BST: midnight is 23:00Z the day before
        ("2019-12-01T00:00:00Z", dt.date(2019, 12, 1)),  # GMT: midnight is 00:00Z
        # 2024: BST starts Sunday 31 March at 01:00Z and ends Sunday 27 October at 01:00Z
        ("2024-03-30T00:00:00Z", dt.date(2024, 3, 30)),  # Saturday, GMT
        ("2024-03-31T00:00:00Z", dt.date(2024, 3, 31)),  # the change day starts in GMT
        ("2024-03-31T23:00:00Z", dt.date(2024, 4, 1)),  # first BST midnight
        ("2024-10-26T23:00:00Z", dt.date(2024, 10, 27)),  # the change day starts in BST
        ("2024-10-28T00:00:00Z", dt.date(2024, 10, 28)),  # back to GMT
        ("1970-01-15T00:00:00Z", dt.date(1970, 1, 15)),  # British Standard Time (+1 all year) 1968-71
        ("1969-12-31T23:00:00Z", dt.date(1970, 1, 1)),
        ("2024-06-15T12:34:56Z", dt.date(2024, 6, 15)),  # not midnight: still the UK date
        ("2024-06-15T23:30:00Z", dt.date(2024, 6, 16)),  # 00:30 BST next day
        ("2019-09-01", dt.date(2019, 9, 1)),  # a DateOnly value is taken as it is
    ],
)
def test_uk_date(instant: str, expected: dt.date) -> None:
    assert dates.uk_date(instant) == expected


@pytest.mark.parametrize("day", [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(0, 366, 7)])
def test_uk_date_round_trips_the_generators_uk_midnights(day: dt.date) -> None:
    assert dates.uk_date(uk_midnight_utc(day)) == day
    # every change day of 2024 too
    for change in (dt.date(2024, 3, 31), dt.date(2024, 10, 27), dt.date(2024, 4, 1), dt.date(2024, 10, 28)):
        assert dates.uk_date(uk_midnight_utc(change)) == change


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-05-01", dt.date(1990, 5, 1)),
        ("2019-08-31T23:00:00Z", dt.date(2019, 8, 31)),  # not shifted: the UTC date
        ("2012-03-01T00:00:00Z", dt.date(2012, 3, 1)),
        ("1753-01-01", dt.date(1753, 1, 1)),
    ],
)
def test_unshifted_date(value: str, expected: dt.date) -> None:
    assert dates.unshifted_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-08-31T23:00:00Z", dt.datetime(2019, 8, 31, 23, tzinfo=dt.UTC)),
        ("2019-08-31T23:00Z", dt.datetime(2019, 8, 31, 23, tzinfo=dt.UTC)),
        ("2019-08-31T23:00:00.1234567Z", dt.datetime(2019, 8, 31, 23, 0, 0, 123456, tzinfo=dt.UTC)),
        ("2019-09-01T00:00:00+01:00", dt.datetime(2019, 8, 31, 23, tzinfo=dt.UTC)),
        ("2019-08-31T20:00:00-03:00", dt.datetime(2019, 8, 31, 23, tzinfo=dt.UTC)),
    ],
)
def test_instants_are_aware_utc(value: str, expected: dt.datetime) -> None:
    parsed = dates.parse_instant(value)
    assert parsed == expected
    assert parsed.tzinfo is dt.UTC


@pytest.mark.parametrize(
    "value",
    [
        "2023-02-30T00:00:00Z",  # impossible date
        "2023-02-29",
        "2023-13-01T00:00:00Z",
        "2023-01-01T24:00:00Z",
        "2023-01-01T12:60:00Z",
        "2023-06-30T23:59:60Z",  # leap seconds do not exist here
        "0001-01-01T00:00:00Z",  # Dataverse's .NET MinValue placeholder
        "0000-01-01T00:00:00Z",
        "1752-12-31T23:59:59Z",
        "1753-01-01T00:30:00+01:00",  # 1752 in UTC
        "2019-08-31T23:00:00",  # naive
        "2019-08-31 23:00:00Z",
        "20190831T230000Z",
        "2019-W35-6T23:00:00Z",
        "2019-08-31T23:00:00+25:00",
        "2019-08-31T23:00:00+14:60",
        "9999-12-31T23:00:00-05:00",  # beyond year 9999 in UTC
        "yesterday",
        "",
        "２０１９-08-31T23:00:00Z",  # fullwidth digits
    ],
)
def test_bad_instants_fail(value: str) -> None:
    with pytest.raises(InvalidValue):
        dates.parse_instant(value)
    with pytest.raises(InvalidValue):
        dates.uk_date(value)


@pytest.mark.parametrize("value", ["2023-02-30", "1752-12-31", "0001-01-01", "2023-2-3", "2023-02-03 ", "03/02/2023"])
def test_bad_dates_fail(value: str) -> None:
    with pytest.raises(InvalidValue):
        dates.parse_date(value)
    with pytest.raises(InvalidValue):
        dates.unshifted_date(value)


def test_the_top_of_the_range_is_handled() -> None:
    assert dates.uk_date("9999-12-31T23:59:59Z") == dt.date(9999, 12, 31)
    assert dates.parse_instant("9999-12-31T23:59:59Z").year == 9999


def test_the_floor_after_uk_conversion() -> None:
    # Europe/London used local mean time (-00:01:15) before 1847, so 1753-01-01T00:00Z is still 1752 locally
    with pytest.raises(InvalidValue, match="1753"):
        dates.uk_date("1753-01-01T00:00:00Z")
    assert dates.uk_date("1753-01-01T00:01:15Z") == dt.date(1753, 1, 1)
