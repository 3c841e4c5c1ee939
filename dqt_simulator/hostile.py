"""Hostile DQT records mixed into generated data: ``dqt-sim generate --hostile N`` (the reliability suite).

:func:`generate_hostile` writes the ordinary generated data (:func:`dqt_simulator.generate.generate`), then
appends ``N`` records that are each broken in one field, in one way, across every kind of field the bridge
reads (strings, option sets, dates and instants, booleans, lookups, GUIDs):

* wrong JSON types (a number for a name, a string for an option value or a flag, a list for a date);
* unknown option values; impossible dates and instants (30 February, month 13, words);
* over-long strings; C0/C1 control characters; right-to-left text, bidi controls and combining marks (which
  DQT accepts and the bridge must keep or refuse consistently);
* lookups to reference rows that do not exist; pairs of contacts sharing a TRN; dependants whose contact does
  not exist (orphans).

Dependants of valid "anchor" contacts are written one per anchor for inductions and previous names (the
bridge maps those per person). ``hostile-manifest.ndjson`` lists every hostile record: entity set, id, field, kind,
so a test can say which broken field it expects the bridge to name. The loader takes the records as they are
(the Web API would refuse most of them), so the bridge reads exactly what a dirty DQT would serve. Same
``(persons, hostile, seed)``, same bytes.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from dqt_simulator.generate import generate
from mappings.reference import dqt as ref

#: Where the list of hostile records goes, beside the entity sets' files.
MANIFEST = "hostile-manifest.ndjson"  # not .jsonl: the loader would take it for an entity set
PASSED = 389040004  # dfeta_inductionstatus / dfeta_mq_status "Pass"

_STAMPS = {"statecode": 0, "statuscode": 1, "createdon": "2020-01-02T03:04:05Z", "modifiedon": "2021-01-02T03:04:05Z"}
_WRONG_TYPES: tuple[Any, ...] = (42, 4.5, True, ["a"], {"a": 1})
_BAD_DATES = ("1990-02-30", "2021-13-01", "2020-00-10", "2021-04-31", "yesterday", "", "0000-01-01", "20200101")
_BAD_INSTANTS = ("2021-02-29T00:00:00Z", "2021-13-01T00:00:00Z", "2021-01-01T25:00:00Z", "soon", "2021-01-01T00:00")
_CONTROLS = ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028")
_UNICODE = (
    "\u05e9\u05e8\u05d4",  # Hebrew
    "\u0645\u0631\u064a\u0645",  # Arabic
    "Zo\u0065\u0308",  # e + combining diaeresis
    "Ame\u0301lie",  # e + combining acute
    "\u202eEvil\u202c",  # right-to-left override ... pop
    "Jo\u200dhn",  # zero-width joiner
    "\u00c5ngstr\u00f6m",
)


class _Hostile:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.manifest: list[dict[str, Any]] = []
        self.next_trn = 9_100_000

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def trn(self) -> str:
        self.next_trn += 1
        return f"{self.next_trn:07d}"

    def add(self, entity_set: str, record: dict[str, Any], field: str | None, kind: str) -> dict[str, Any]:
        self.records.setdefault(entity_set, []).append(record)
        if field is not None:
            key = _PRIMARY[entity_set]
            self.manifest.append({"entity_set": entity_set, "id": record[key], "field": field, "kind": kind})
        return record

    # -- valid templates -----------------------------------------------------------------------------------
    def contact(self, **fields: Any) -> dict[str, Any]:
        return {
            "contactid": self.guid(),
            **_STAMPS,
            "dfeta_trn": self.trn(),
            "firstname": "Valid",
            "middlename": None,
            "lastname": "Person",
            "birthdate": "1985-03-04",
            "emailaddress1": None,
            "dfeta_ninumber": None,
            "gendercode": 2,
            **fields,
        }

    def anchor(self, **fields: Any) -> str:
        """A valid contact for dependants to belong to."""
        return str(self.add("contacts", self.contact(**fields), None, "anchor")["contactid"])

    def mq(self, person: str, **fields: Any) -> dict[str, Any]:
        return {
            "dfeta_qualificationid": self.guid(),
            **_STAMPS,
            "dfeta_name": "Mandatory Qualification",
            "dfeta_type": ref.MANDATORY_QUALIFICATION_TYPE,
            "_dfeta_personid_value": person,
            "_dfeta_mq_mqestablishmentid_value": self.rng.choice([r for r in ref.MQ_ESTABLISHMENTS if r.active]).id,
            "_dfeta_mq_specialismid_value": self.rng.choice([r for r in ref.MQ_SPECIALISMS if r.active]).id,
            "dfeta_mq_status": PASSED,
            "dfeta_mqstartdate": "2019-09-01T00:00:00Z",
            "dfeta_mq_date": "2020-07-01T00:00:00Z",
            **fields,
        }

    def sanction(self, person: str, **fields: Any) -> dict[str, Any]:
        return {
            "dfeta_sanctionid": self.guid(),
            **_STAMPS,
            "_dfeta_personid_value": person,
            "_dfeta_sanctioncodeid_value": self.rng.choice([r for r in ref.SANCTION_CODES if r.active]).id,
            "dfeta_startdate": "2020-02-03T00:00:00Z",
            "dfeta_enddate": None,
            "dfeta_sanctiondetails": "Case reference 123.\nDetails held on file.",
            "dfeta_detailslink": None,
            "dfeta_spent": False,
            **fields,
        }

    def induction(self, person: str, **fields: Any) -> dict[str, Any]:
        return {
            "dfeta_inductionid": self.guid(),
            **_STAMPS,
            "_dfeta_personid_value": person,
            "dfeta_inductionstatus": PASSED,
            "dfeta_startdate": "2019-09-01T00:00:00Z",
            "dfeta_completiondate": "2020-07-01T00:00:00Z",
            "dfeta_inductionexemptionreason": None,
            **fields,
        }

    def previous_name(self, person: str, **fields: Any) -> dict[str, Any]:
        return {
            "dfeta_previousnameid": self.guid(),
            **_STAMPS,
            "_dfeta_personid_value": person,
            "dfeta_type": 389040002,  # last name
            "dfeta_name": "Formerly",
            "dfeta_changedon": "2015-01-01T00:00:00Z",
            **fields,
        }

    # -- one hostile record ----------------------------------------------------------------------------------
    def one(self) -> None:
        recipe = self.rng.choice(_RECIPES)
        recipe(self)


def _value(h: _Hostile, kind: str, field_kind: str) -> Any:  # noqa: PLR0911 - one return per kind
    """A broken value of ``kind`` for a field of ``field_kind`` (string/option/date/instant/boolean/lookup)."""
    rng = h.rng
    if kind == "wrong_type":
        pool = [
            v for v in _WRONG_TYPES if not (field_kind == "option" and isinstance(v, int) and not isinstance(v, bool))
        ]
        return rng.choice([*pool, "1"] if field_kind in ("option", "boolean", "lookup") else pool)
    if kind == "unknown_option":
        return rng.choice([12345, -1, 0, 2**31, 389049999])
    if kind == "impossible_date":
        return rng.choice(_BAD_DATES if field_kind == "date" else _BAD_INSTANTS)
    if kind == "overlong":
        return rng.choice("abcdefghij") * rng.choice([101, 150, 256, 4001])
    if kind == "control_character":
        return f"Na{rng.choice(_CONTROLS)}me"
    if kind == "unicode":
        return rng.choice(_UNICODE)
    if kind == "missing_lookup":
        return h.guid()
    raise AssertionError(kind)


#: Per entity set: field -> its kind, and which kinds of breakage make sense for it.
_FIELDS: dict[str, dict[str, str]] = {
    "contacts": {
        "firstname": "string",
        "middlename": "string",
        "lastname": "string",
        "dfeta_statedfirstname": "string",
        "emailaddress1": "string",
        "dfeta_ninumber": "string",
        "dfeta_trnrequestid": "string",
        "dfeta_trn": "string",
        "gendercode": "option",
        "statecode": "option",
        "birthdate": "date",
        "modifiedon": "instant",
        "dfeta_capitatrnchangedon": "instant",
        "dfeta_allowpiiupdatesfromregister": "boolean",
        "_dfeta_mergedwith_value": "lookup",
    },
    "dfeta_qualifications": {
        "dfeta_mq_status": "option",
        "dfeta_type": "option",
        "dfeta_mqstartdate": "instant",
        "dfeta_mq_date": "instant",
        "_dfeta_mq_mqestablishmentid_value": "lookup",
        "_dfeta_mq_specialismid_value": "lookup",
        "createdon": "instant",
    },
    "dfeta_sanctions": {
        "dfeta_sanctiondetails": "string",
        "dfeta_detailslink": "string",
        "dfeta_startdate": "instant",
        "dfeta_enddate": "instant",
        "dfeta_spent": "boolean",
        "_dfeta_sanctioncodeid_value": "lookup",
        "statecode": "option",
    },
    "dfeta_inductions": {
        "dfeta_inductionstatus": "option",
        "dfeta_startdate": "instant",
        "dfeta_completiondate": "instant",
        "dfeta_inductionexemptionreason": "option",
    },
    "dfeta_previousnames": {
        "dfeta_name": "string",
        "dfeta_type": "option",
        "dfeta_changedon": "instant",
    },
}
_KINDS: dict[str, tuple[str, ...]] = {
    "string": ("wrong_type", "overlong", "control_character", "unicode"),
    "option": ("wrong_type", "unknown_option"),
    "date": ("wrong_type", "impossible_date"),
    "instant": ("wrong_type", "impossible_date"),
    "boolean": ("wrong_type",),
    "lookup": ("wrong_type", "missing_lookup"),
}
_PRIMARY = {
    "contacts": "contactid",
    "dfeta_qualifications": "dfeta_qualificationid",
    "dfeta_sanctions": "dfeta_sanctionid",
    "dfeta_inductions": "dfeta_inductionid",
    "dfeta_previousnames": "dfeta_previousnameid",
}


def _broken_field(h: _Hostile, entity_set: str) -> tuple[str, str, Any]:
    field = h.rng.choice(sorted(_FIELDS[entity_set]))
    kind = h.rng.choice(_KINDS[_FIELDS[entity_set][field]])
    return field, kind, _value(h, kind, _FIELDS[entity_set][field])


def _contact_recipe(h: _Hostile) -> None:
    field, kind, value = _broken_field(h, "contacts")
    h.add("contacts", h.contact(**{field: value}), field, kind)


def _mq_recipe(h: _Hostile) -> None:
    field, kind, value = _broken_field(h, "dfeta_qualifications")
    h.add("dfeta_qualifications", h.mq(h.anchor(), **{field: value}), field, kind)


def _sanction_recipe(h: _Hostile) -> None:
    field, kind, value = _broken_field(h, "dfeta_sanctions")
    h.add("dfeta_sanctions", h.sanction(h.anchor(), **{field: value}), field, kind)


def _induction_recipe(h: _Hostile) -> None:
    field, kind, value = _broken_field(h, "dfeta_inductions")
    person = h.anchor(dfeta_inductionstatus=PASSED)
    h.add("dfeta_inductions", h.induction(person, **{field: value}), field, kind)


def _previous_name_recipe(h: _Hostile) -> None:
    field, kind, value = _broken_field(h, "dfeta_previousnames")
    h.add("dfeta_previousnames", h.previous_name(h.anchor(), **{field: value}), field, kind)


def _duplicate_trn_recipe(h: _Hostile) -> None:
    trn = h.trn()
    for _ in range(2):
        h.add("contacts", h.contact(dfeta_trn=trn), "dfeta_trn", "duplicate_trn")


def _orphan_recipe(h: _Hostile) -> None:
    nobody = h.guid()  # a contact DQT does not have
    entity_set, make = h.rng.choice(
        [
            ("dfeta_qualifications", h.mq),
            ("dfeta_sanctions", h.sanction),
            ("dfeta_inductions", h.induction),
            ("dfeta_previousnames", h.previous_name),
        ]
    )
    h.add(entity_set, make(nobody), "_dfeta_personid_value", "orphan")


_RECIPES: tuple[Callable[[_Hostile], None], ...] = (
    *(_contact_recipe,) * 6,
    *(_mq_recipe,) * 3,
    *(_sanction_recipe,) * 3,
    *(_induction_recipe,) * 2,
    *(_previous_name_recipe,) * 2,
    _duplicate_trn_recipe,
    _orphan_recipe,
)


def generate_hostile(out_dir: Path, persons: int, hostile: int, seed: int) -> dict[str, int]:
    """Generated data for ``persons`` people plus ``hostile`` hostile records (module docstring); returns rows
    per entity set, ``hostile`` included. The list of hostile records is ``out_dir / MANIFEST``."""
    counts = generate(out_dir, persons, seed)
    h = _Hostile(random.Random(f"hostile-{seed}"))
    while len(h.manifest) < hostile:
        h.one()
    for entity_set, records in h.records.items():
        with (out_dir / f"{entity_set}.jsonl").open("ab") as handle:
            for record in records:  # no versionnumber: the loader numbers them above the generated rows
                handle.write(orjson.dumps(record) + b"\n")
        counts[entity_set] = counts.get(entity_set, 0) + len(records)
    (out_dir / MANIFEST).write_bytes(b"".join(orjson.dumps(entry) + b"\n" for entry in h.manifest))
    counts["hostile"] = len(h.manifest)
    return counts
