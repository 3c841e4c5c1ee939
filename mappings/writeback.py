"""The inverse of the sync's tables: TRS edits (mandatory qualifications, names) → DQT Web API bodies.

Pure, like the rest of ``mappings``: values in, values out. The bridge's edit service validates with
:func:`check_mq` and :func:`check_name` before it stores anything; the relay builds the bodies it sends with
:func:`mq_body`, :func:`name_body` and :func:`previous_name_bodies`, resolving TRS values to DQT reference
GUIDs through a :class:`WritebackReference` read from DQT at run time (ADR 0002: GUIDs differ per environment).

An MQ edit is described by two *state snapshots* of the MQ's editable columns (``old`` and ``new``, see
:data:`MQ_STATE_KEYS`), JSON-ready: GUIDs lower-case text, dates ``YYYY-MM-DD``, enums ints, ``deleted`` a
bool. A name edit by two ``{first_name, middle_name, last_name}`` snapshots of DQT's *raw* names (ADR 0073).

Inverse rules (data dictionary §3.2-3.4, §5.2):

- provider → the DQT establishment whose ``dfeta_value`` maps to it and that is **active** (a provider with
  several establishments, such as Birmingham, uses its one active value); a provider without an active
  establishment cannot be written and is not *current* (Bristol Polytechnic, Mary Hare);
- specialism → the ``dfeta_specialism`` with the enum's ``dfeta_value`` (the active row when several share it);
  only Hearing, Multi-sensory and Visual are current;
- status → the ``dfeta_mq_status`` option; ``dfeta_mq_date`` is sent only for Passed (and cleared otherwise);
- dates → UK-local midnight as a UTC instant (``2020-09-01`` → ``2020-08-31T23:00:00Z``), what DQT stores.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from mappings.dates import UK, parse_date
from mappings.errors import MappingError
from mappings.previous_names import map_previous_names
from mappings.reference.dqt import MANDATORY_QUALIFICATION_TYPE, MQ_ESTABLISHMENTS
from mappings.reference.trs import (
    ESTABLISHMENT_PROVIDERS,
    MQ_STATUSES,
    PROVIDERS,
    SPECIALISMS,
    MqSpecialism,
    MqStatus,
)
from mappings.types import PreviousNameRow, Record

#: The editable columns of an MQ, as its state snapshot names them (``deleted`` stands for ``deleted_on``).
MQ_STATE_KEYS: Final = ("mq_provider_id", "mq_specialism", "start_date", "mq_status", "end_date", "deleted")
#: The name parts a name edit changes (DQT ``firstname``, ``middlename``, ``lastname``).
NAME_KEYS: Final = ("first_name", "middle_name", "last_name")
#: The longest name DQT and TRS hold.
NAME_MAX: Final = 100

#: Specialisms a TRS user may choose (the non-legacy ones, data dictionary §3.3).
CURRENT_SPECIALISMS: Final = frozenset({MqSpecialism.HEARING, MqSpecialism.MULTI_SENSORY, MqSpecialism.VISUAL})
#: ``MqSpecialism`` → ``dfeta_specialism.dfeta_value`` (the inverse of ``SPECIALISMS``).
SPECIALISM_VALUES: Final = MappingProxyType({specialism: value for value, specialism in SPECIALISMS.items()})
#: ``MqStatus`` → ``dfeta_mq_status`` option value (the inverse of ``MQ_STATUSES``).
MQ_STATUS_VALUES: Final = MappingProxyType({status: option for option, status in MQ_STATUSES.items()})
#: The DQT name of each MQ status and specialism, as the TRS event JSON spells them.
STATUS_NAMES: Final = MappingProxyType(
    {
        MqStatus.IN_PROGRESS: "InProgress",
        MqStatus.PASSED: "Passed",
        MqStatus.DEFERRED: "Deferred",
        MqStatus.EXTENDED: "Extended",
        MqStatus.FAILED: "Failed",
        MqStatus.WITHDRAWN: "Withdrawn",
    }
)
SPECIALISM_NAMES: Final = MappingProxyType(
    {
        MqSpecialism.AUDITORY: "Auditory",
        MqSpecialism.DEAF_EDUCATION: "DeafEducation",
        MqSpecialism.HEARING: "Hearing",
        MqSpecialism.MULTI_SENSORY: "MultiSensory",
        MqSpecialism.NOT_APPLICABLE: "NotApplicable",
        MqSpecialism.VISUAL: "Visual",
    }
)

#: ``dfeta_previousname.dfeta_type`` per name part.
PREVIOUS_NAME_TYPES: Final = MappingProxyType(
    {"first_name": 389040000, "middle_name": 389040001, "last_name": 389040002}
)
#: Namespace of the ``dfeta_previousnameid``s a name edit creates: ``uuid5(ns, "<message id>:<part>")``, so a
#: repeated delivery of one message can only ever create the same rows (DQT refuses a second create).
PREVIOUS_NAME_WRITE_NAMESPACE: Final = uuid.UUID("7c1e4a52-3b0d-4f8e-9a61-2d5c8b0f4e13")

_MQ_NAME: Final = "Mandatory Qualification"


def _establishment_values_by_provider() -> Mapping[str, tuple[str, ...]]:
    by_provider: dict[str, list[str]] = {}
    for value, provider in ESTABLISHMENT_PROVIDERS.items():
        by_provider.setdefault(provider, []).append(value)
    return MappingProxyType({p: tuple(v) for p, v in by_provider.items()})


#: TRS provider id → every DQT establishment value that maps to it (the inverse of ``ESTABLISHMENT_PROVIDERS``).
PROVIDER_ESTABLISHMENT_VALUES: Final = _establishment_values_by_provider()
_ACTIVE_VALUES: Final = frozenset(r.value for r in MQ_ESTABLISHMENTS if r.active)
#: Providers a TRS user may choose: those with an active DQT establishment (12 of 14).
CURRENT_PROVIDERS: Final = MappingProxyType(
    {
        p.id: p.name
        for p in PROVIDERS
        if any(value in _ACTIVE_VALUES for value in PROVIDER_ESTABLISHMENT_VALUES.get(p.id, ()))
    }
)


class EditInvalid(ValueError):
    """A TRS edit breaks a rule; ``field`` names the input, ``str()`` the rule (no personal data)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class WritebackMappingError(ValueError):
    """A TRS value has no DQT counterpart in the reference data read from DQT (log-safe message)."""


# ---------------------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MqInput:
    """The parts of an MQ edit a user supplied; ``None`` means "not given" (keep the current value)."""

    provider_id: str | None = None
    specialism: int | None = None
    start_date: dt.date | None = None
    status: int | None = None
    end_date: dt.date | None = None


def _guid(value: str, field_name: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise EditInvalid(field_name, "is not a GUID") from None


def check_mq(current: Mapping[str, Any] | None, given: MqInput) -> dict[str, Any]:
    """The MQ state snapshot after applying ``given`` to ``current`` (``None`` for a new MQ), or
    :class:`EditInvalid` naming the first broken rule.

    A new MQ needs provider, specialism, start date and status. A changed provider or specialism must be a
    current one (an old MQ keeps its legacy values while other fields are edited). Passed needs an end date
    after the start date; other statuses have none (changing to one clears the end date, giving one fails).
    """
    state: dict[str, Any] = dict(current) if current is not None else dict.fromkeys(MQ_STATE_KEYS)
    state["deleted"] = bool(state.get("deleted"))
    if current is not None and state["deleted"]:
        raise EditInvalid("qualification", "is deleted")
    _apply_choices(state, given)
    if current is None:
        for key, name in (
            ("mq_provider_id", "provider"),
            ("mq_specialism", "specialism"),
            ("start_date", "start_date"),
            ("mq_status", "status"),
        ):
            if state[key] is None:
                raise EditInvalid(name, "is required for a new MQ")
    _apply_end_date(state, given.end_date)
    return state


def _apply_choices(state: dict[str, Any], given: MqInput) -> None:
    if given.provider_id is not None:
        provider = _guid(given.provider_id, "provider")
        if provider not in CURRENT_PROVIDERS:
            raise EditInvalid("provider", "is not a current MQ provider (one with an active DQT establishment)")
        state["mq_provider_id"] = provider
    if given.specialism is not None:
        if given.specialism not in CURRENT_SPECIALISMS:
            raise EditInvalid("specialism", "must be Hearing, Multi-sensory or Visual")
        state["mq_specialism"] = int(given.specialism)
    if given.start_date is not None:
        state["start_date"] = given.start_date.isoformat()
    if given.status is not None:
        if given.status not in STATUS_NAMES:
            raise EditInvalid("status", "is not an MQ status")
        state["mq_status"] = int(given.status)


def _apply_end_date(state: dict[str, Any], end_date: dt.date | None) -> None:
    passed = state["mq_status"] == MqStatus.PASSED
    if end_date is not None:
        if not passed:
            raise EditInvalid("end_date", "is only for a Passed MQ (other statuses have no end date)")
        state["end_date"] = end_date.isoformat()
    elif not passed:
        state["end_date"] = None  # changing to another status clears the end date
    if passed:
        if state["end_date"] is None:
            raise EditInvalid("end_date", "is required when the status is Passed")
        if state["start_date"] is not None and state["end_date"] <= state["start_date"]:
            raise EditInvalid("end_date", "must be after the start date")


def check_name(value: str | None, field_name: str, *, required: bool) -> str:
    """A name part as TRS stores it: trimmed, NFC, at most 100 characters; ``required`` parts non-empty."""
    text = unicodedata.normalize("NFC", (value or "").strip())
    if required and not text:
        raise EditInvalid(field_name, "must not be empty")
    if len(text) > NAME_MAX:
        raise EditInvalid(field_name, f"must be at most {NAME_MAX} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise EditInvalid(field_name, "must not contain control characters")
    return text


def changed_keys(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """The snapshot keys whose values differ (every key of ``new`` for a create)."""
    if old is None:
        return list(new)
    return [k for k in new if old.get(k) != new.get(k)]


def touched_keys(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """The keys a write of this edit sends: the changed ones, with status and end date always together."""
    keys = changed_keys(old, new)
    if {"mq_status", "end_date"} & set(keys):
        keys = [*dict.fromkeys([*keys, "mq_status", "end_date"])]
    return keys


# ---------------------------------------------------------------------------------------------------------
# reference data: TRS value → DQT GUID
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReferenceRowState:
    id: str
    value: str
    active: bool


def _rows(records: Iterable[Record], primary_key: str) -> tuple[ReferenceRowState, ...]:
    rows: list[ReferenceRowState] = []
    for record in records:
        record_id, value = record.get(primary_key), record.get("dfeta_value")
        if not isinstance(record_id, str) or not isinstance(value, str):
            continue  # the sync's lookup already refuses unusable reference rows
        rows.append(ReferenceRowState(str(uuid.UUID(record_id)), value.strip(), record.get("statecode") == 0))
    return tuple(sorted(rows, key=lambda r: (not r.active, r.id)))


@dataclass(frozen=True, slots=True)
class WritebackReference:
    """DQT's establishment and specialism rows (id, ``dfeta_value``, active), read at run time."""

    establishments: tuple[ReferenceRowState, ...] = field(default_factory=tuple)
    specialisms: tuple[ReferenceRowState, ...] = field(default_factory=tuple)

    @classmethod
    def from_records(cls, *, establishments: Iterable[Record], specialisms: Iterable[Record]) -> WritebackReference:
        """From Web API records with ``<entity>id``, ``dfeta_value`` and ``statecode``."""
        return cls(_rows(establishments, "dfeta_mqestablishmentid"), _rows(specialisms, "dfeta_specialismid"))

    def establishment_for(self, provider_id: str) -> str:
        """The active DQT establishment of a TRS provider (:class:`WritebackMappingError` if it has none)."""
        values = set(PROVIDER_ESTABLISHMENT_VALUES.get(provider_id, ()))
        for row in self.establishments:  # active rows first
            if row.value in values and row.active:
                return row.id
        raise WritebackMappingError(f"provider {provider_id} has no active dfeta_mqestablishment in DQT")

    def specialism_for(self, specialism: int) -> str:
        """The ``dfeta_specialism`` of a TRS specialism (the active row when several share the value)."""
        value = SPECIALISM_VALUES.get(MqSpecialism(specialism)) if specialism in SPECIALISM_NAMES else None
        for row in self.specialisms:
            if row.value == value:
                return row.id
        raise WritebackMappingError(f"specialism {specialism} has no dfeta_specialism in DQT")


# ---------------------------------------------------------------------------------------------------------
# values and bodies
# ---------------------------------------------------------------------------------------------------------


def uk_midnight_utc(day: dt.date | str) -> str:
    """A date as DQT stores a ``UserLocal`` date-only field: UK-local midnight as a UTC instant."""
    value = parse_date(day) if isinstance(day, str) else day
    local = dt.datetime(value.year, value.month, value.day, tzinfo=UK)
    return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant(value: dt.datetime) -> str:
    """An aware ``datetime`` as DQT's ``YYYY-MM-DDTHH:MM:SSZ``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mq_body(
    state: Mapping[str, Any],
    keys: Sequence[str],
    reference: WritebackReference,
    *,
    trs_event: str,
    person_id: str | None = None,
) -> dict[str, Any]:
    """The ``dfeta_qualifications`` body writing ``keys`` of ``state`` (all of them, plus the type, name and
    person, when ``person_id`` is given: a create). ``dfeta_trsevent`` always carries the TRS event."""
    body: dict[str, Any] = {}
    if person_id is not None:
        body |= {
            "dfeta_type": MANDATORY_QUALIFICATION_TYPE,
            "dfeta_name": _MQ_NAME,
            "dfeta_PersonId@odata.bind": f"/contacts({person_id})",
        }
    if "mq_provider_id" in keys:
        provider = state.get("mq_provider_id")
        if provider is None:
            raise WritebackMappingError("an MQ written to DQT needs a provider")
        body["dfeta_MQ_MQEstablishmentId@odata.bind"] = (
            f"/dfeta_mqestablishments({reference.establishment_for(provider)})"
        )
    if "mq_specialism" in keys:
        specialism = state.get("mq_specialism")
        if specialism is None:
            raise WritebackMappingError("an MQ written to DQT needs a specialism")
        body["dfeta_MQ_SpecialismId@odata.bind"] = f"/dfeta_specialisms({reference.specialism_for(specialism)})"
    if "start_date" in keys:
        start = state.get("start_date")
        body["dfeta_mqstartdate"] = None if start is None else uk_midnight_utc(start)
    if "mq_status" in keys or "end_date" in keys:
        status = state.get("mq_status")
        body["dfeta_mq_status"] = None if status is None else MQ_STATUS_VALUES[MqStatus(status)]
        end = state.get("end_date")
        passed = status == MqStatus.PASSED
        if passed or person_id is None:  # a create leaves it out; an update clears it
            body["dfeta_mq_date"] = uk_midnight_utc(end) if passed and end is not None else None
    if "deleted" in keys and state.get("deleted"):
        body |= {"statecode": 1, "statuscode": 2}
    body["dfeta_trsevent"] = trs_event
    return body


def name_body(
    new: Mapping[str, str], *, trs_event: str, stated_names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The ``contacts`` PATCH body of a name edit (``new``: the raw names). ``stated_names`` are given when the
    contact shows its stated names: they are written too, or TRS would keep showing the old ones (ADR 0073)."""
    body: dict[str, Any] = {
        "firstname": new["first_name"] or None,
        "middlename": new["middle_name"] or None,
        "lastname": new["last_name"] or None,
    }
    if stated_names is not None:
        body |= {
            "dfeta_statedfirstname": stated_names["first_name"] or None,
            "dfeta_statedmiddlename": stated_names["middle_name"] or None,
            "dfeta_statedlastname": stated_names["last_name"] or None,
        }
    body["dfeta_trsevent"] = trs_event
    return body


def previous_name_id(message_id: str, part: str) -> str:
    """The ``dfeta_previousnameid`` a name edit's message creates for one changed part (deterministic)."""
    return str(uuid.uuid5(PREVIOUS_NAME_WRITE_NAMESPACE, f"{message_id}:{part}"))


def previous_name_bodies(
    message_id: str, person_id: str, old: Mapping[str, str], new: Mapping[str, str], changed_on: dt.datetime
) -> list[dict[str, Any]]:
    """One ``dfeta_previousnames`` create per changed part, holding the part's old value, in part order."""
    return [
        {
            "dfeta_previousnameid": previous_name_id(message_id, part),
            "dfeta_PersonId@odata.bind": f"/contacts({person_id})",
            "dfeta_type": PREVIOUS_NAME_TYPES[part],
            "dfeta_name": old[part] or None,
            "dfeta_changedon": instant(changed_on),
        }
        for part in NAME_KEYS
        if old[part] != new[part]
    ]


def new_previous_names(
    message_id: str, person_id: str, old: Mapping[str, str], new: Mapping[str, str], changed_on: dt.datetime
) -> list[PreviousNameRow]:
    """The ``previous_names`` rows the sync will derive from this edit's DQT rows (same ids, same names), so
    TRS holds them from the moment of the edit. They come from the sync's own rebuild (``map_previous_names``)
    run over the new rows alone: older rows start from the old name and are unchanged by the edit."""
    stamp = instant(changed_on)
    contact = {
        "contactid": person_id,
        "firstname": new["first_name"],
        "middlename": new["middle_name"],
        "lastname": new["last_name"],
        "statecode": 0,
        "createdon": stamp,
        "modifiedon": stamp,
        "versionnumber": 0,
    }
    records = [
        {
            **body,
            "_dfeta_personid_value": person_id,
            "statecode": 0,
            "createdon": stamp,
            "modifiedon": stamp,
            "versionnumber": number,
        }
        for number, body in enumerate(previous_name_bodies(message_id, person_id, old, new, changed_on), start=1)
    ]
    try:
        rows = map_previous_names(contact, records)
    except MappingError as error:  # names were checked by check_name; this is a bug, not bad input
        raise WritebackMappingError(str(error)) from error
    for row in rows:  # DQT has not stamped them yet: the relay's refresh brings DQT's bookkeeping
        row["dqt_version"] = None  # type: ignore[typeddict-item]
    return rows


# ---------------------------------------------------------------------------------------------------------
# the TRS event carried in dfeta_trsevent
# ---------------------------------------------------------------------------------------------------------


def _mq_event_view(state: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    status, specialism = state.get("mq_status"), state.get("mq_specialism")
    return {
        "ProviderId": state.get("mq_provider_id"),
        "Specialism": None if specialism is None else SPECIALISM_NAMES.get(MqSpecialism(specialism)),
        "Status": None if status is None else STATUS_NAMES.get(MqStatus(status)),
        "StartDate": state.get("start_date"),
        "EndDate": state.get("end_date"),
    }


_MQ_CHANGE_NAMES: Final = MappingProxyType(
    {
        "mq_provider_id": "Provider",
        "mq_specialism": "Specialism",
        "start_date": "StartDate",
        "mq_status": "Status",
        "end_date": "EndDate",
    }
)
_NAME_CHANGE_NAMES: Final = MappingProxyType(
    {"first_name": "FirstName", "middle_name": "MiddleName", "last_name": "LastName"}
)


def event_name(kind: str) -> str:
    """The TRS event type of an outbox message kind."""
    return {
        "mq_create": "MandatoryQualificationCreatedEvent",
        "mq_update": "MandatoryQualificationUpdatedEvent",
        "mq_delete": "MandatoryQualificationDeletedEvent",
        "name_change": "PersonNameUpdatedEvent",
    }[kind]


def trs_event(
    *,
    kind: str,
    event_id: str,
    created: dt.datetime,
    raised_by: str | None,
    person_id: str,
    record_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
) -> dict[str, Any]:
    """The ``EventInfo`` document (``{"EventName", "Event"}``) of one TRS edit, as the real TRS wrote it."""
    body: dict[str, Any] = {
        "EventId": event_id,
        "CreatedUtc": instant(created),
        "RaisedBy": raised_by,
        "PersonId": person_id,
    }
    if kind == "name_change":
        body |= {
            "Name": {_NAME_CHANGE_NAMES[k]: new.get(k) for k in NAME_KEYS},
            "OldName": None if old is None else {_NAME_CHANGE_NAMES[k]: old.get(k) for k in NAME_KEYS},
            "Changes": [_NAME_CHANGE_NAMES[k] for k in changed_keys(old, new) if k in _NAME_CHANGE_NAMES],
        }
    else:
        body |= {
            "MandatoryQualificationId": record_id,
            "MandatoryQualification": _mq_event_view(new),
            "OldMandatoryQualification": _mq_event_view(old),
            "Changes": [_MQ_CHANGE_NAMES[k] for k in changed_keys(old, new) if k in _MQ_CHANGE_NAMES],
        }
    return {"EventName": event_name(kind), "Event": body}


def serialize_event(event: Mapping[str, Any]) -> str:
    """Compact, key-sorted JSON: the same event always serialises to the same text."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_id_of(trs_event_text: object) -> str | None:
    """The ``EventId`` of a ``dfeta_trsevent`` value, or ``None`` when it is absent or not ours."""
    if not isinstance(trs_event_text, str) or not trs_event_text:
        return None
    try:
        document = json.loads(trs_event_text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    event = document.get("Event")
    event_id = event.get("EventId") if isinstance(event, dict) else None
    if not isinstance(event_id, str):
        return None
    try:
        return str(uuid.UUID(event_id))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------------
# DQT's side of a three-way merge
# ---------------------------------------------------------------------------------------------------------


def mq_state_of_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """The state snapshot of a mapped MQ row (``map_qualification``'s output or a ``qualifications`` row)."""

    def day(value: Any) -> str | None:
        return value.isoformat() if isinstance(value, dt.date) else value

    return {
        "mq_provider_id": row.get("mq_provider_id"),
        "mq_specialism": row.get("mq_specialism"),
        "start_date": day(row.get("start_date")),
        "mq_status": row.get("mq_status"),
        "end_date": day(row.get("end_date")),
        "deleted": row.get("deleted_on") is not None,
    }


def raw_names_of_contact(record: Mapping[str, Any]) -> dict[str, str]:
    """A contact's raw (not stated) names as a name snapshot (NFC, ``''`` for none)."""
    return {
        key: unicodedata.normalize("NFC", value) if isinstance(value := record.get(attr), str) else ""
        for key, attr in zip(NAME_KEYS, ("firstname", "middlename", "lastname"), strict=True)
    }


def uses_stated_names(record: Mapping[str, Any]) -> bool:
    """Whether TRS shows this contact's stated names (the sync's rule: stated first or last non-blank)."""
    return any(
        isinstance(value := record.get(attr), str) and value.strip()
        for attr in ("dfeta_statedfirstname", "dfeta_statedlastname")
    )


@dataclass(frozen=True, slots=True)
class MergeDecision:
    """What a 412 means for one edit: ``merge`` (DQT changed none of the edit's keys: re-send), ``converged``
    (DQT already holds the edit's values), or a conflict on ``conflicting`` keys."""

    outcome: str  # "merge" | "converged" | "conflict"
    conflicting: tuple[str, ...] = ()
    dqt_changed: tuple[str, ...] = ()


def three_way(
    base: Mapping[str, Any] | None, trs: Mapping[str, Any], dqt: Mapping[str, Any], keys: Sequence[str]
) -> MergeDecision:
    """Compare the edit (``base`` → ``trs``) with DQT's current state ``dqt`` on the keys the edit writes."""
    base = base or {}
    dqt_changed = tuple(k for k in dqt if k in base and dqt.get(k) != base.get(k))
    if all(dqt.get(k) == trs.get(k) for k in keys):
        return MergeDecision("converged", (), dqt_changed)
    conflicting = tuple(k for k in keys if dqt.get(k) != base.get(k) and dqt.get(k) != trs.get(k))
    if conflicting:
        return MergeDecision("conflict", conflicting, dqt_changed)
    return MergeDecision("merge", (), dqt_changed)
