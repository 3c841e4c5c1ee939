"""What mapping raises when a DQT record cannot become a TRS row, in a form that is safe to log.

The tree::

    MappingFailure                  root: anything mappings/ raises on purpose
    ├── MappingError                one record cannot be mapped          disposition "skippable"
    └── ReferenceDataError          DQT reference rows are unusable      disposition "fatal"

Not exceptions, but the other outcomes of a map function (see :mod:`mappings.types`): a row, ``Ignored``
(the record is not something TRS stores, e.g. a non-MQ qualification) and ``Skipped`` (TRS deliberately
drops it, e.g. a sanction whose code has no alert type). Only a ``MappingFailure`` means bad data.

Messages reach logs and ``failed_records.message``, so ``str(error)`` never contains personal data: for a
personal field (names, birth date, NI number, email, TRN, previous names, free-text details) it shows the
value's kind and length (``<string of 12 chars>``); other values are shown truncated. The raw value stays
on ``error.value`` for code that needs it, and must not be logged.
"""

from __future__ import annotations

from typing import ClassVar, Final, Literal

#: Fields whose values are personal data and must never appear in a message.
PERSONAL_FIELDS: Final = frozenset(
    {
        "firstname",
        "middlename",
        "lastname",
        "fullname",
        "dfeta_statedfirstname",
        "dfeta_statedmiddlename",
        "dfeta_statedlastname",
        "birthdate",
        "dfeta_ninumber",
        "emailaddress1",
        "mobilephone",
        "dfeta_trn",
        "dfeta_name",  # the name part of a dfeta_previousname
        "dfeta_sanctiondetails",
        "dfeta_dateofdeath",
    }
)

#: Longest excerpt of a non-personal string shown in a message.
_SHOWN_CHARS: Final = 60

Disposition = Literal["skippable", "fatal"]


def describe(value: object) -> str:
    """The kind and size of ``value``, without its content: what a message shows for personal data."""
    if value is None or isinstance(value, bool | float):
        kind = "null" if value is None else "boolean" if isinstance(value, bool) else "number"
    elif isinstance(value, int):
        kind = f"integer of {value.bit_length()} bits"
    elif isinstance(value, str):
        kind = f"string of {len(value)} chars"
    elif isinstance(value, list | tuple):
        kind = f"list of {len(value)} items"
    elif isinstance(value, dict):
        kind = f"object with {len(value)} keys"
    else:
        kind = type(value).__name__
    return f"<{kind}>"


def show(value: object) -> str:
    """A short, log-safe rendering of a non-personal value (strings truncated, containers described)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        # str() of a huge int raises ValueError (sys.int_info.default_max_str_digits); describe those instead.
        return repr(value) if abs(value) < 10**18 else describe(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        if len(value) <= _SHOWN_CHARS:
            return ascii(value)
        return ascii(value[:_SHOWN_CHARS]) + f"... ({len(value)} chars)"
    return describe(value)


class MappingFailure(Exception):
    """Root of every failure mappings/ raises on purpose; anything else escaping a map function is a bug."""

    #: What the bridge should do with it: write a failed record and go on, or stop the run.
    disposition: ClassVar[Disposition] = "skippable"

    def __init__(
        self,
        entity: str,
        record_id: str | None,
        field: str,
        value: object,
        rule: str,
        *,
        personal: bool | None = None,
    ) -> None:
        self.entity = entity
        self.record_id = record_id
        self.field = field
        self.value = value
        self.rule = rule
        self.personal = field in PERSONAL_FIELDS if personal is None else personal
        super().__init__(self._message())

    def _message(self) -> str:
        shown = describe(self.value) if self.personal else show(self.value)
        record = self.record_id or "<unknown id>"
        return f"{self.entity} {record}: {self.field} {self.rule} (value: {shown})"

    def __reduce__(self) -> tuple[object, ...]:
        # Exceptions pickle through ``args``; ours has keyword fields, so rebuild from them.
        fields = (self.entity, self.record_id, self.field, self.value, self.rule)
        return (_rebuild, (type(self), fields, self.personal))


def _rebuild(
    cls: type[MappingFailure], fields: tuple[str, str | None, str, object, str], personal: bool
) -> MappingFailure:
    return cls(*fields, personal=personal)


class MappingError(MappingFailure):
    """Raised when one DQT record breaks a mapping rule; its neighbours can still be mapped."""

    disposition: ClassVar[Disposition] = "skippable"


class ReferenceDataError(MappingFailure):
    """Raised when DQT reference rows (establishments, specialisms, sanction codes) cannot be used at all."""

    disposition: ClassVar[Disposition] = "fatal"


class InvalidValue(ValueError):
    """Raised by the value-level helpers (text, dates) with just a rule; record readers turn it into a
    :class:`MappingError` that names the entity, record and field. It never escapes mappings/."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        super().__init__(rule)
