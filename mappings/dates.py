"""Parsing DQT timestamps and turning DQT's date-only business fields back into dates.

DQT stores most date-only fields (MQ start and end, sanction start and end, induction dates, QTS date,
previous-name change date) as ``UserLocal`` instants of UK-local midnight, so ``2019-09-01`` arrives as
``2019-08-31T23:00:00Z`` in summer and ``2019-12-01T00:00:00Z`` in winter. TRS read them with
``ToDateOnlyWithDqtBstFix(isLocalTime: true)``: convert to UK time, then take the date. ``birthdate`` (a
``DateOnly`` column, ``1990-05-01``) and ``dfeta_qtlsdate`` are not shifted (``isLocalTime: false``).

Parsing is strict (``docs/adr/0015``): instants must be ISO 8601 with ``Z`` or an offset (Dataverse
always sends ``Z``), dates ``YYYY-MM-DD``; impossible calendar dates and anything before 1753-01-01 (the
floor of Dataverse's date range, and a sign of a placeholder) are refused. ``datetime.fromisoformat`` is
not used because it accepts forms Dataverse never produces (week dates, naive times, ``YYYYMMDD``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final
from zoneinfo import ZoneInfo

from mappings.errors import InvalidValue

UK: Final = ZoneInfo("Europe/London")
UTC: Final = dt.UTC

#: The earliest date or instant DQT can hold.
FLOOR: Final = dt.date(1753, 1, 1)

_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_INSTANT: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,7}))?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)

#: The one form Dataverse emits, read on a fast path.
_WHOLE_SECONDS_Z: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def _date(year: str, month: str, day: str) -> dt.date:
    try:
        value = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidValue("is not a real calendar date") from None
    if value < FLOOR:
        raise InvalidValue("is before 1753-01-01")
    return value


def parse_date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date (``DateOnly`` columns)."""
    match = _DATE.fullmatch(text)
    if not match:
        raise InvalidValue("must be a date (YYYY-MM-DD)")
    return _date(*match.groups())


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant with ``Z`` or an offset, returned as an aware ``datetime`` in UTC."""
    if _WHOLE_SECONDS_Z.fullmatch(text):
        # What Dataverse sends (``2019-08-31T23:00:00Z``), checked by the pattern above: fromisoformat reads
        # it at a third of the cost; anything it refuses, or before the floor, takes the strict path for its reason.
        try:
            fast = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if fast.year >= FLOOR.year:
                return fast
    match = _INSTANT.fullmatch(text)
    if not match:
        raise InvalidValue("must be an ISO 8601 instant with a time zone (YYYY-MM-DDTHH:MM:SSZ)")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    day_value = _date(year, month, day)
    if zone == "Z":
        tz = UTC
    else:
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 14 or minutes > 59:
            raise InvalidValue("has an impossible UTC offset")
        sign = 1 if zone[0] == "+" else -1
        tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        local = dt.datetime(
            day_value.year,
            day_value.month,
            day_value.day,
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")[:6]),
            tzinfo=tz,
        )
        instant = local.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidValue("is not a real time or is outside the supported range") from None
    if instant.date() < FLOOR:
        raise InvalidValue("is before 1753-01-01")
    return instant


def uk_date(text: str) -> dt.date:
    """A ``UserLocal`` date-only field: the UK-local date of the instant (BST/GMT by Europe/London rules).

    A plain ``YYYY-MM-DD`` is taken as the date itself, so a column whose behaviour is switched to
    ``DateOnly`` keeps mapping correctly.
    """
    if _DATE.fullmatch(text):
        return parse_date(text)
    try:
        day = parse_instant(text).astimezone(UK).date()
    except OverflowError:  # only at the very top of the range
        raise InvalidValue("is outside the supported range") from None
    if day < FLOOR:
        raise InvalidValue("is before 1753-01-01")
    return day


def unshifted_date(text: str) -> dt.date:
    """A date taken without a time-zone shift (``birthdate``, ``dfeta_qtlsdate``): the date as written, or
    the UTC date of an instant."""
    if _DATE.fullmatch(text):
        return parse_date(text)
    return parse_instant(text).date()
