"""Typed, checked access to one Web API record.

Every entity module reads its record through a :class:`RecordReader`, so every JSON-type check (a string
where an int belongs, ``true`` as an option value, a list, ``NaN``, a huge int) and every value rule
raises the same :class:`~mappings.errors.MappingError`, naming entity, record, field and rule. Nothing
else may escape: the property tests feed arbitrary JSON to every map function to hold that line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from typing import NoReturn, TypeVar

from mappings import dates, text
from mappings.errors import InvalidValue, MappingError
from mappings.types import Bookkeeping

T = TypeVar("T")

#: ``versionnumber`` is a SQL Server ``rowversion`` read as ``BigInt``; TRS stores it in ``bigint``.
_BIGINT_MAX = 2**63 - 1
#: ``statecode`` values for contact and the dfeta_* entities.
STATE_ACTIVE = 0
STATE_INACTIVE = 1


class RecordReader:
    """Reads one record of ``entity`` (an entity set name); the primary key is read and checked first."""

    def __init__(self, entity: str, record: object, primary_key: str) -> None:
        self.entity = entity
        self.record_id: str | None = None
        if not isinstance(record, Mapping):
            raise MappingError(entity, None, "<record>", record, "must be a JSON object")
        self._record: Mapping[object, object] = record
        self.record_id = self.required_uuid(primary_key)

    @property
    def id(self) -> str:
        """The record's primary key (lower-case GUID)."""
        assert self.record_id is not None  # set by __init__ or it raised
        return self.record_id

    def fail(self, field: str, value: object, rule: str) -> NoReturn:
        raise MappingError(self.entity, self.record_id, field, value, rule)

    def raw(self, field: str) -> object:
        return self._record.get(field)

    def has(self, field: str) -> bool:
        return field in self._record

    # -- strings -----------------------------------------------------------------------------------------
    def string(self, field: str) -> str | None:
        """The field as ``str`` or ``None``; any other JSON type fails."""
        value = self.raw(field)
        if not (value is None or isinstance(value, str)):
            self.fail(field, value, "must be a string")
        return value

    def text(self, field: str, rule: Callable[[str | None], T]) -> T:
        """The field passed through a :mod:`mappings.text` helper."""
        value = self.string(field)
        try:
            return rule(value)
        except InvalidValue as error:
            self.fail(field, value, error.rule)

    # -- GUIDs -------------------------------------------------------------------------------------------
    def uuid(self, field: str) -> str | None:
        value = self.string(field)
        if value is None:
            return None
        try:
            return text.uuid_text(value)
        except InvalidValue as error:
            self.fail(field, value, error.rule)

    def required_uuid(self, field: str) -> str:
        value = self.uuid(field)
        if value is None:
            self.fail(field, self.raw(field), "is required")
        return value

    # -- numbers and flags -------------------------------------------------------------------------------
    def option(self, field: str, allowed: Collection[int]) -> int | None:
        """An option-set value: an int (not a bool, not a float) that DQT's metadata knows, or null."""
        value = self.raw(field)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, value, "must be an integer option value")
        if value not in allowed:
            self.fail(field, value, "is not a known option value")
        return value

    def boolean(self, field: str) -> bool | None:
        value = self.raw(field)
        if not (value is None or isinstance(value, bool)):
            self.fail(field, value, "must be a boolean")
        return value

    def version(self) -> int:
        """``versionnumber``: required, an integer in ``bigint`` range."""
        value = self.raw("versionnumber")
        if value is None:
            self.fail("versionnumber", value, "is required")
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail("versionnumber", value, "must be an integer")
        if not 0 <= value <= _BIGINT_MAX:
            self.fail("versionnumber", value, "must be between 0 and 2^63-1")
        return value

    def state(self) -> int:
        """``statecode``: required, 0 (Active) or 1 (Inactive)."""
        value = self.option("statecode", (STATE_ACTIVE, STATE_INACTIVE))
        if value is None:
            self.fail("statecode", value, "is required")
        return value

    # -- dates and times ---------------------------------------------------------------------------------
    def _parsed(self, field: str, parse: Callable[[str], T]) -> T | None:
        value = self.raw(field)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(field, value, "must be a string")
        try:
            return parse(value)
        except InvalidValue as error:
            self.fail(field, value, error.rule)

    def instant(self, field: str) -> dt.datetime | None:
        return self._parsed(field, dates.parse_instant)

    def required_instant(self, field: str) -> dt.datetime:
        value = self.instant(field)
        if value is None:
            self.fail(field, value, "is required")
        return value

    def uk_date(self, field: str) -> dt.date | None:
        """A ``UserLocal`` date-only business field, converted back to its UK date."""
        return self._parsed(field, dates.uk_date)

    def unshifted_date(self, field: str) -> dt.date | None:
        """A date read without a time-zone shift (``birthdate``, ``dfeta_qtlsdate``)."""
        return self._parsed(field, dates.unshifted_date)

    # -- common columns ----------------------------------------------------------------------------------
    def bookkeeping(self) -> Bookkeeping:
        """``dqt_state``, ``dqt_created_on``, ``dqt_modified_on``, ``dqt_version``: all required."""
        return {
            "dqt_state": self.state(),
            "dqt_created_on": self.required_instant("createdon"),
            "dqt_modified_on": self.required_instant("modifiedon"),
            "dqt_version": self.version(),
        }

    def deleted_on(self, bookkeeping: Bookkeeping) -> dt.datetime | None:
        """Soft delete: an inactive record was deleted when it was last modified (pure: no wall clock)."""
        return bookkeeping["dqt_modified_on"] if bookkeeping["dqt_state"] == STATE_INACTIVE else None
