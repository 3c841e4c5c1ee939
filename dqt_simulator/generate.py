"""Deterministic, DQT-shaped data for the simulator: ``dqt-sim generate --persons N --seed S --out DIR``.

Writes one JSON Lines file per entity set, each line a record exactly as the Web API returns it
(logical names, ``_x_value`` lookups, option values as integers, ISO dates, ``@odata.etag`` and
``versionnumber``), so ``dqt-sim serve --data DIR`` can load it unchanged.

Proportions follow the real DQT roughly (most people have a TRN and an induction record; a minority
have mandatory qualifications, sanctions or previous names), and a few percent of records carry the dirt
real DQT has: stated names, missing or malformed TRNs, inactive rows, unknown option values, blank and
badly formatted emails and NI numbers, odd dates, MQs with an end date but no status, sanctions whose
code has no TRS alert type, non-MQ qualification rows.

Memory stays flat: every record is written as soon as it is made, and TRNs are unique by construction
(a fixed permutation of the 7-digit range), not by remembering them.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import orjson

from mappings.reference import dqt as ref

_LONDON = ZoneInfo("Europe/London")
_UTC = dt.UTC

#: The simulator's application user; generated rows are "created" by it.
GENERATOR_USER_ID = "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40"

_FIRST = (
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Jacob",
    "Noah",
    "Charlie",
    "Thomas",
    "Oscar",
    "William",
    "James",
    "Leo",
    "Alfie",
    "Henry",
    "Joshua",
    "Freddie",
    "Amelia",
    "Olivia",
    "Isla",
    "Emily",
    "Poppy",
    "Ava",
    "Isabella",
    "Jessica",
    "Lily",
    "Sophie",
    "Grace",
    "Sophia",
    "Mia",
    "Evie",
    "Ruby",
    "Ella",
    "Mohammed",
    "Aisha",
    "Fatima",
    "Priya",
    "Rahul",
    "Wei",
    "Chloé",
    "Zoë",
    "Siân",
    "Dafydd",
    "Niamh",
    "Seán",
    "Łukasz",
    "José",
    "Renée",
)
_LAST = (
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "O'Brien",
    "Smith-Jones",
    "Khan",
    "Nguyen",
    "Müller",
    "García",
    "Ó'Súilleabháin",
    "Kowalski",
)
_MIDDLE = ["", "", "", "Anne", "Marie", "John", "James", "Louise", "Elizabeth", "Rose", "Lee", "Jane"]

_MQ_STATUS_WEIGHTS = [  # (value, weight): most MQs are passed
    (389040004, 70),
    (389040000, 15),
    (389040001, 3),
    (389040002, 3),
    (389040003, 4),
    (389040005, 5),
]
_INDUCTION_STATUS_WEIGHTS = [
    (389040004, 45),
    (389040000, 12),
    (389040006, 10),
    (389040007, 20),
    (389040003, 3),
    (389040002, 2),
    (389040001, 1),
    (389040005, 4),
    (389040008, 1),
]
#: The entity sets a generated data directory holds (reference data is seeded by the simulator itself).
GENERATED_ENTITY_SETS = (
    "contacts",
    "dfeta_qualifications",
    "dfeta_sanctions",
    "dfeta_inductions",
    "dfeta_previousnames",
)

_NON_MQ_TYPES = [389040000, 389040001, 389040003, 389040004, 389040005, 389040006]

# A TRN permutation: multiplying by a unit modulo 9,000,000 visits every 7-digit TRN exactly once.
_TRN_SPACE = 9_000_000
_TRN_STEP = 7_654_321  # coprime with 9,000,000 (not divisible by 2, 3 or 5)


@lru_cache(maxsize=65536)
def uk_midnight_utc(day: dt.date) -> str:
    """The UTC instant of UK-local midnight of ``day``: how DQT stores its date-only business fields."""
    local = dt.datetime(day.year, day.month, day.day, tzinfo=_LONDON)
    return local.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(instant: dt.datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Writer:
    """Writes records to ``<entity_set>.jsonl`` and stamps each with an organisation-wide versionnumber."""

    def __init__(self, out_dir: Path, stack: ExitStack) -> None:
        self._files: dict[str, IO[bytes]] = {
            entity_set: stack.enter_context((out_dir / f"{entity_set}.jsonl").open("wb", buffering=1 << 20))
            for entity_set in GENERATED_ENTITY_SETS
        }
        self.counts = dict.fromkeys(GENERATED_ENTITY_SETS, 0)
        self.version = 1_000_000

    def write(self, entity_set: str, record: dict[str, Any]) -> None:
        handle = self._files[entity_set]
        self.version += 1
        record["versionnumber"] = self.version
        record["@odata.etag"] = f'W/"{self.version}"'
        handle.write(orjson.dumps(record))
        handle.write(b"\n")
        self.counts[entity_set] += 1


class _Generator:
    def __init__(self, seed: int, writer: _Writer) -> None:
        self.rng = random.Random(seed)
        self.w = writer
        self.epoch = dt.datetime(2005, 1, 1, tzinfo=_UTC)
        est_active = [r for r in ref.MQ_ESTABLISHMENTS if r.active]
        self.establishments = est_active * 8 + list(ref.MQ_ESTABLISHMENTS)  # active ones far more common
        self.specialisms = [r for r in ref.MQ_SPECIALISMS if r.active] * 6 + list(ref.MQ_SPECIALISMS)
        active_codes = [r for r in ref.SANCTION_CODES if r.active]
        self.sanction_codes = active_codes * 4 + list(ref.SANCTION_CODES)
        self.mq_status_values, self.mq_status_weights = zip(*_MQ_STATUS_WEIGHTS, strict=True)
        self.ind_values, self.ind_weights = zip(*_INDUCTION_STATUS_WEIGHTS, strict=True)

    # -- small helpers ---------------------------------------------------------------------------------
    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def instant(self, start: dt.datetime, span_days: int) -> dt.datetime:
        return start + dt.timedelta(seconds=self.rng.randrange(span_days * 86_400))

    def day(self, start_year: int, end_year: int) -> dt.date:
        start = dt.date(start_year, 1, 1).toordinal()
        return dt.date.fromordinal(self.rng.randrange(start, dt.date(end_year, 12, 31).toordinal()))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def stamps(self) -> tuple[str, str]:
        created = self.instant(self.epoch, 7000)
        modified = created + dt.timedelta(seconds=self.rng.randrange(400 * 86_400))
        return _iso(created), _iso(modified)

    def common(self, state_inactive: float = 0.01) -> dict[str, Any]:
        created, modified = self.stamps()
        inactive = self.chance(state_inactive)
        return {
            "statecode": 1 if inactive else 0,
            "statuscode": 2 if inactive else 1,
            "createdon": created,
            "modifiedon": modified,
            "_createdby_value": GENERATOR_USER_ID,
            "_modifiedby_value": GENERATOR_USER_ID,
        }

    # -- contacts --------------------------------------------------------------------------------------
    def contact(self, index: int) -> tuple[dict[str, Any], tuple[str, str, str]]:
        rng = self.rng
        contact_id = self.guid()
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        middle = rng.choice(_MIDDLE)
        record: dict[str, Any] = {"contactid": contact_id, **self.common(0.02)}
        if record["statecode"] == 1:
            record["statuscode"] = 2
        elif self.chance(0.01):
            record["statuscode"] = 389040000  # Deceased
        valid_trn = f"{1_000_000 + (index * _TRN_STEP) % _TRN_SPACE:07d}"
        roll = rng.random()
        trn: str | None = valid_trn
        if roll < 0.03:
            trn = None  # no TRN yet
        elif roll < 0.034:
            trn = valid_trn + str(rng.randrange(10))  # 8 digits: the build environment's bad TRNs
        elif roll < 0.036:
            trn = valid_trn[:5]
        record["dfeta_trn"] = trn
        record["firstname"] = first if not self.chance(0.002) else None
        record["middlename"] = middle or None
        record["lastname"] = last
        stated = self.chance(0.015)
        record["dfeta_statedfirstname"] = (first + "-Rose") if stated else None
        record["dfeta_statedmiddlename"] = None
        record["dfeta_statedlastname"] = last if stated else None
        record["fullname"] = " ".join(p for p in (first, middle, last) if p)
        birth = self.day(1945, 2003)
        if self.chance(0.002):
            birth = rng.choice([dt.date(1753, 1, 1), dt.date(1900, 1, 1), dt.date(2030, 6, 1)])
        record["birthdate"] = birth.isoformat()
        email_roll = rng.random()
        if email_roll < 0.6:
            record["emailaddress1"] = f"{first}.{last}{index}@example.org".lower().replace("'", "")
        elif email_roll < 0.62:
            record["emailaddress1"] = "   "
        elif email_roll < 0.63:
            record["emailaddress1"] = f" {first.lower()}{index}@example.org "
        else:
            record["emailaddress1"] = None
        ni_roll = rng.random()
        if ni_roll < 0.7:
            digits = f"{rng.randrange(1_000_000):06d}"
            ni = f"{rng.choice('ABCEHJKLMNPRSTWXYZ')}{rng.choice('ABCEHJKLMNPRSTWXYZ')}{digits}{rng.choice('ABCD')}"
            if self.chance(0.05):
                ni = ni.lower()  # lower case: valid once normalised
            record["dfeta_ninumber"] = ni
        elif ni_roll < 0.71:
            record["dfeta_ninumber"] = " "
        elif ni_roll < 0.714:
            record["dfeta_ninumber"] = f"AB{rng.randrange(10**5):05d}"  # truncated: no valid NI number
        else:
            record["dfeta_ninumber"] = None
        record["mobilephone"] = f"07{rng.randrange(10**9):09d}" if self.chance(0.3) else None
        gender_roll = rng.random()
        record["gendercode"] = (
            1
            if gender_roll < 0.3
            else 2
            if gender_roll < 0.75
            else 389040000
            if gender_roll < 0.76
            else 389040001
            if gender_roll < 0.8
            else 389040002
            if gender_roll < 0.81
            else 99
            if gender_roll < 0.812
            else None  # 99: an option value DQT's metadata does not know
        )
        record["_dfeta_mergedwith_value"] = None
        record["dfeta_capitatrnchangedon"] = uk_midnight_utc(self.day(2010, 2024)) if self.chance(0.1) else None
        record["dfeta_trnrequestid"] = f"{self.guid()}::REQ-{index}" if self.chance(0.05) else None
        record["dfeta_allowpiiupdatesfromregister"] = self.chance(0.05)
        record["dfeta_allowidsigninwithprohibitions"] = self.chance(0.01)
        qts = uk_midnight_utc(self.day(1975, 2024)) if self.chance(0.7) else None
        record["dfeta_qtsdate"] = qts
        record["dfeta_eytsdate"] = uk_midnight_utc(self.day(2014, 2024)) if self.chance(0.02) else None
        qtls = self.chance(0.01)
        record["dfeta_qtlsdate"] = self.day(2012, 2024).isoformat() + "T00:00:00Z" if qtls else None
        record["dfeta_qtlsdatehasbeenset"] = qtls or self.chance(0.002)
        record["dfeta_dateofdeath"] = None
        record["dfeta_inductionstatus"] = None
        return record, (record["firstname"] or "", middle, last)

    # -- dependants ------------------------------------------------------------------------------------
    def qualifications(self, person_id: str) -> Iterator[dict[str, Any]]:
        rng = self.rng
        if self.chance(0.06):
            for _ in range(1 if self.chance(0.85) else 2):
                est = rng.choice(self.establishments)
                spec = rng.choice(self.specialisms)
                status = rng.choices(self.mq_status_values, self.mq_status_weights)[0]
                start = self.day(1985, 2023)
                end = start + dt.timedelta(days=rng.randrange(300, 1100))
                record: dict[str, Any] = {
                    "dfeta_qualificationid": self.guid(),
                    **self.common(0.01),
                    "dfeta_name": "Mandatory Qualification",
                    "dfeta_type": ref.MANDATORY_QUALIFICATION_TYPE,
                    "_dfeta_personid_value": person_id,
                    "_dfeta_mq_mqestablishmentid_value": est.id if not self.chance(0.01) else None,
                    "_dfeta_mq_specialismid_value": spec.id if not self.chance(0.01) else None,
                    "dfeta_mq_status": status,
                    "dfeta_mqstartdate": uk_midnight_utc(start),
                    "dfeta_mq_date": uk_midnight_utc(end) if status == 389040004 else None,
                    "dfeta_trsevent": None,
                }
                if self.chance(0.01):  # dirt: an end date but no status (treated as Passed by the sync)
                    record["dfeta_mq_status"] = None
                    record["dfeta_mq_date"] = uk_midnight_utc(end)
                elif self.chance(0.003):
                    record["dfeta_mq_status"] = 389040099  # unknown option value
                yield record
        if self.chance(0.04):  # other qualification types, which the sync must ignore
            yield {
                "dfeta_qualificationid": self.guid(),
                **self.common(0.01),
                "dfeta_name": "Higher Education",
                "dfeta_type": rng.choice(_NON_MQ_TYPES),
                "_dfeta_personid_value": person_id,
                "_dfeta_mq_mqestablishmentid_value": None,
                "_dfeta_mq_specialismid_value": None,
                "dfeta_mq_status": None,
                "dfeta_mqstartdate": None,
                "dfeta_mq_date": uk_midnight_utc(self.day(1980, 2023)),
                "dfeta_trsevent": None,
            }

    def sanctions(self, person_id: str) -> Iterator[dict[str, Any]]:
        if not self.chance(0.02):
            return
        rng = self.rng
        for _ in range(1 if self.chance(0.9) else 2):
            code = rng.choice(self.sanction_codes)
            start = self.day(1995, 2024)
            ended = self.chance(0.3)
            yield {
                "dfeta_sanctionid": self.guid(),
                **self.common(0.03),
                "dfeta_name": code.value,
                "_dfeta_personid_value": person_id,
                "_dfeta_sanctioncodeid_value": code.id if not self.chance(0.005) else None,
                "dfeta_startdate": uk_midnight_utc(start) if not self.chance(0.02) else None,
                "dfeta_enddate": uk_midnight_utc(start + dt.timedelta(days=rng.randrange(30, 3000))) if ended else None,
                "dfeta_sanctiondetails": f"Case reference {rng.randrange(10**6):06d}. Details held on file.",
                "dfeta_detailslink": f"https://example.org/cases/{rng.randrange(10**6)}" if self.chance(0.3) else None,
                "dfeta_spent": ended,
                "dfeta_trsevent": None,
            }

    def induction(self, person: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if not self.chance(0.6):
            return
        rng = self.rng
        status = rng.choices(self.ind_values, self.ind_weights)[0]
        if person["dfeta_qtlsdate"]:
            status = 389040000  # QTLS holders are exempt
        person["dfeta_inductionstatus"] = status
        start = self.day(1995, 2023)
        reason = None
        if status == 389040000:
            reason = rng.choice(list(ref.INDUCTION_EXEMPTION_REASON))
            if person["dfeta_qtlsdate"]:
                reason = 389040018
        completed = status in (389040004, 389040001, 389040005, 389040008)
        record = {
            "dfeta_inductionid": self.guid(),
            **self.common(0.0),
            "dfeta_name": person.get("dfeta_trn") or "Induction",
            "_dfeta_personid_value": person["contactid"],
            "dfeta_startdate": uk_midnight_utc(start) if status != 389040007 else None,
            "dfeta_completiondate": uk_midnight_utc(start + dt.timedelta(days=rng.randrange(300, 900)))
            if completed
            else None,
            "dfeta_inductionstatus": status,
            "dfeta_inductionexemptionreason": reason,
        }
        if self.chance(0.005):  # dirt: contact and induction disagree
            record["dfeta_inductionstatus"] = 389040006
        yield record

    def previous_names(self, person_id: str, names: tuple[str, str, str]) -> Iterator[dict[str, Any]]:
        if not self.chance(0.1):
            return
        rng = self.rng
        changed = self.instant(self.epoch, 7000)
        for _ in range(1 if self.chance(0.8) else rng.randrange(2, 4)):
            kind = rng.choices([389040002, 389040000, 389040001, 389040003], [80, 12, 6, 2])[0]
            name = rng.choice(_LAST) if kind in (389040002, 389040003) else rng.choice(_FIRST)
            changed -= dt.timedelta(days=rng.randrange(200, 3000))
            day = changed.date()
            yield {
                "dfeta_previousnameid": self.guid(),
                **self.common(0.02),
                "_dfeta_personid_value": person_id,
                "dfeta_type": kind,
                "dfeta_name": name,
                "dfeta_changedon": uk_midnight_utc(day) if not self.chance(0.1) else None,
                "dfeta_trsevent": None,
            }

    def person(self, index: int) -> None:
        contact, names = self.contact(index)
        dependants: list[tuple[str, dict[str, Any]]] = []
        dependants += [("dfeta_qualifications", r) for r in self.qualifications(contact["contactid"])]
        dependants += [("dfeta_sanctions", r) for r in self.sanctions(contact["contactid"])]
        dependants += [("dfeta_inductions", r) for r in self.induction(contact)]
        dependants += [("dfeta_previousnames", r) for r in self.previous_names(contact["contactid"], names)]
        self.w.write("contacts", contact)  # after induction(), which sets dfeta_inductionstatus
        for entity_set, record in dependants:
            self.w.write(entity_set, record)


def generate(out_dir: Path, persons: int, seed: int) -> dict[str, int]:
    """Write ``persons`` generated people and their dependants to ``out_dir``; return rows per entity set.

    The same ``(persons, seed)`` always produces byte-identical files.
    """
    if persons < 0:
        raise ValueError(f"persons must be >= 0, got {persons}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        writer = _Writer(out_dir, stack)
        generator = _Generator(seed, writer)
        for index in range(persons):
            generator.person(index)
        return dict(writer.counts)
