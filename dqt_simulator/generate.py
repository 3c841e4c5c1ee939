"""Deterministic, DQT-shaped data for the simulator: ``dqt-sim generate --persons N --seed S --out DIR``.

Writes one JSON Lines file per entity set, each line a record exactly as the Web API returns it
(logical names, ``_x_value`` lookups, option values as integers, ISO dates, ``@odata.etag`` and
``versionnumber``), so ``dqt-sim serve --data DIR`` can load it unchanged.

Proportions follow the real DQT roughly (most people have a TRN and an induction record; a minority
have mandatory qualifications, sanctions or previous names), and a few percent of records carry the dirt
real DQT has: stated names, missing or malformed TRNs, inactive rows, unknown option values, blank and
badly formatted emails and NI numbers, odd dates, MQs with an end date but no status, sanctions whose
code has no TRS alert type, non-MQ qualification rows.

Professional status (``dfeta_initialteachertrainings``, ``dfeta_qtsregistrations``) comes from its own
random stream (``_Statuses``): per 1,000 people about 480 QTS holders with one ITT row and 40 with several,
60 with QTS but no ITT, 90 trainees, 60 with ITT that never led to QTS, 30 EYTS, 10 EYPS, 5 QTS plus
EYTS, 10 Welsh awards, 10 QTLS-only (plus QTLS over a few others), a few assessment-only candidates and
partial QTS, and 22 awkward cases the route migration reports. Lookups point at the rows the simulator
seeds (``mappings.reference.dqt_status``); the contact's ``dfeta_qtsdate`` is the earliest QTS date of its
active registrations, ``dfeta_eytsdate`` the EYTS date of the most recently created active one that has it.

Memory stays flat: every record is written as soon as it is made, and TRNs are unique by construction
(a fixed permutation of the 7-digit range), not by remembering them.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from bisect import bisect
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import orjson

from mappings.reference import dqt as ref
from mappings.reference import dqt_status as sref

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
    "dfeta_initialteachertrainings",
    "dfeta_qtsregistrations",
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
        self.statuses = _Statuses(seed)

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
        # QTS, EYTS and QTLS dates are set from the professional-status rows (_Statuses.person)
        record["dfeta_qtsdate"] = None
        record["dfeta_eytsdate"] = None
        record["dfeta_qtlsdate"] = None
        record["dfeta_qtlsdatehasbeenset"] = False
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
        itts, registrations = self.statuses.person(contact, index)  # sets the contact's QTS/EYTS/QTLS dates
        dependants += [("dfeta_initialteachertrainings", r) for r in itts]
        dependants += [("dfeta_qtsregistrations", r) for r in registrations]
        dependants += [("dfeta_qualifications", r) for r in self.qualifications(contact["contactid"])]
        dependants += [("dfeta_sanctions", r) for r in self.sanctions(contact["contactid"])]
        dependants += [("dfeta_inductions", r) for r in self.induction(contact)]
        dependants += [("dfeta_previousnames", r) for r in self.previous_names(contact["contactid"], names)]
        self.w.write("contacts", contact)  # after induction(), which sets dfeta_inductionstatus
        for entity_set, record in dependants:
            self.w.write(entity_set, record)


# -- professional status: ITT and QTS registrations (issue 4) ----------------------------------------------

_T = TypeVar("_T")


class _Weighted(Generic[_T]):
    """A weighted choice that costs one ``random()`` and a bisect."""

    def __init__(self, pairs: Sequence[tuple[_T, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> _T:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


_PT = {name: value for value, name in sref.ITT_PROGRAMME_TYPE.items()}  # programme type name -> option value
_TS = {row.value: row.id for row in sref.TEACHER_STATUSES}
_EY = {row.value: row.id for row in sref.EARLY_YEARS_STATUSES}
_QUAL = {row.value: row.id for row in sref.ITT_QUALIFICATIONS}
_SUBJECT = {row.key or row.value: row.id for row in sref.ITT_SUBJECTS}
_COUNTRY = {row.value: row.id for row in sref.COUNTRIES}
_AGE = sref.age_option
_BAND = {name: value for value, name in sref.AGE_RANGE.items()}
_LAST_AWARD = dt.date(2025, 7, 31)

#: Programme types of QTS holders' ITT: (programme type or None, weight, teacher statuses, qualifications).
_QTS_PROGRAMMES: list[tuple[str | None, float, list[tuple[str, float]], list[tuple[str | None, float]]]] = [
    (
        "HEI",
        30,
        [("71", 97), ("77", 3)],
        [("020", 30), ("008", 15), ("004", 8), ("002", 10), ("001", 5), ("031", 10), ("400", 15), ("007", 3)],
    ),
    ("SchoolDirecttrainingprogramme_Selffunded", 8, [("71", 1)], [("020", 60), ("031", 20), ("400", 20)]),
    ("SchoolDirecttrainingprogramme_Salaried", 6, [("71", 1)], [("020", 60), ("031", 20), ("400", 20)]),
    ("SchoolDirecttrainingprogramme", 6, [("71", 1)], [("020", 70), ("400", 30)]),
    ("TeachFirstProgramme", 5, [("71", 90), ("45", 5), ("101", 5)], [("020", 70), ("400", 30)]),
    ("TeachFirstProgramme_CC", 1, [("71", 1)], [("020", 1)]),
    ("Core", 8, [("71", 90), ("77", 10)], [("020", 40), ("001", 10), ("008", 10), ("030", 10), ("400", 30)]),
    ("CoreFlexible", 1, [("71", 50), ("80", 50)], [("110", 40), ("111", 30), ("113", 30)]),
    ("OverseasTrainedTeacherProgramme", 2, [("103", 60), ("51", 20), ("52", 20)], [("102", 70), ("054", 30)]),
    ("RegisteredTeacherProgramme", 2, [("47", 80), ("71", 20)], [("101", 1)]),
    ("GraduateTeacherProgramme", 4, [("49", 80), ("71", 20)], [("100", 80), ("020", 20)]),
    ("AssessmentOnlyRoute", 3, [("100", 1)], [("029", 50), ("051", 50)]),
    ("LicensedTeacherProgramme", 1, [("62", 40), ("64", 20), ("74", 20), ("76", 10), ("24", 10)], [("112", 1)]),
    ("UndergraduateOptIn", 1, [("71", 1)], [("008", 50), ("004", 50)]),
    ("Apprenticeship", 3, [("71", 1)], [("020", 60), ("400", 40)]),
    ("FutureTeachingScholars", 1, [("71", 1)], [("020", 1)]),
    ("Providerled_postgrad", 8, [("71", 1)], [("020", 70), ("031", 10), ("400", 20)]),
    ("Providerled_undergrad", 3, [("71", 1)], [("008", 40), ("004", 40), ("400", 20)]),
    ("Internationalqualifiedteacherstatus", 1, [("90", 1)], [("055", 1)]),
    ("HighpotentialITT", 0.5, [("71", 1)], [("020", 1)]),
    ("Primaryandsecondaryundergraduatefeefunded", 1, [("71", 1)], [("008", 1)]),
    ("Primaryandsecondarypostgraduatefeefunded", 2, [("71", 1)], [("020", 1)]),
    (
        None,
        10,
        [
            ("71", 70),
            ("79", 5),
            ("72", 5),
            ("80", 4),
            ("77", 4),
            ("73", 2),
            ("62", 2),
            ("53", 2),
            ("67", 2),
            ("81", 1),
            ("85", 1),
            ("91", 1),
            ("49", 1),
        ],
        [
            ("020", 30),
            ("001", 10),
            ("030", 15),
            ("008", 10),
            ("999", 10),
            (None, 10),
            ("040", 5),
            ("041", 5),
            ("042", 3),
            ("049", 2),
            ("029", 2),
            ("012", 1),
        ],
    ),
]
_QTS_PROGRAMME = _Weighted(
    [
        ((_PT[p] if p else None, _Weighted(statuses), _Weighted(quals)), weight)
        for p, weight, statuses, quals in _QTS_PROGRAMMES
    ]
)
#: Programme types of current trainees (Register-era routes).
_TRAINEE_PROGRAMME = _Weighted(
    [
        ((_PT[name], quals), weight)
        for name, weight, quals in [
            ("HEI", 20, ("020", "400")),
            ("SchoolDirecttrainingprogramme", 6, ("020",)),
            ("SchoolDirecttrainingprogramme_Salaried", 8, ("020", "400")),
            ("Providerled_postgrad", 25, ("020", "031")),
            ("Providerled_undergrad", 6, ("008", "004")),
            ("Apprenticeship", 8, ("020", "400")),
            ("TeachFirstProgramme", 6, ("020",)),
            ("UndergraduateOptIn", 2, ("008",)),
            ("HighpotentialITT", 2, ("020",)),
            ("Primaryandsecondaryundergraduatefeefunded", 3, ("008",)),
            ("Primaryandsecondarypostgraduatefeefunded", 6, ("020",)),
            ("Internationalqualifiedteacherstatus", 3, ("055",)),
            ("FutureTeachingScholars", 1, ("020",)),
        ]
    ]
)
_EY_PROGRAMME = _Weighted(
    [
        (_PT["EYITTGraduateEntry"], 40),
        (_PT["EYITTGraduateEmploymentBased"], 25),
        (_PT["EYITTAssessmentOnly"], 10),
        (_PT["EYITTUndergraduate"], 15),
        (_PT["EYITTSchoolDirect_EarlyYears"], 10),
    ]
)
_TRAINEE_RESULT = _Weighted(
    [
        (sref.RESULT_IN_TRAINING, 85),
        (sref.RESULT_DEFERRED, 7),
        (sref.RESULT_DEFERRED_FOR_SKILLS_TESTS, 5),
        (sref.RESULT_UNDER_ASSESSMENT, 3),
    ]
)
#: Results of ITT rows that never led to a QTS registration.
_ITT_ONLY_RESULT = _Weighted(
    [
        (sref.RESULT_WITHDRAWN, 50),
        (sref.RESULT_FAIL, 18),
        (sref.RESULT_DEFERRED, 8),
        (sref.RESULT_DEFERRED_FOR_SKILLS_TESTS, 4),
        (sref.RESULT_APPLICATION_RECEIVED, 5),
        (sref.RESULT_APPLICATION_UNSUCCESSFUL, 4),
        (sref.RESULT_NO_RESULT_SUBMITTED, 4),
        (sref.RESULT_UNDER_ASSESSMENT, 2),
        (sref.RESULT_IN_TRAINING, 3),
        (None, 2),
    ]
)
#: Teacher statuses of QTS registrations without any ITT (recognition routes and legacy awards).
_NO_ITT_STATUS = _Weighted(
    [
        ("71", 30),
        ("67", 10),
        ("103", 10),
        ("104", 12),
        ("223", 10),
        ("68", 6),
        ("69", 5),
        ("28", 1),
        ("87", 1),
        ("73", 3),
        ("79", 3),
        ("72", 2),
        ("81", 1),
        ("91", 1),
        ("206", 2),
        ("90", 1),
    ]
)
_PROFILES = _Weighted(
    [
        ("none", 175),
        ("qts_itt", 480),
        ("qts_several_itt", 40),
        ("qts_no_itt", 60),
        ("trainee", 90),
        ("itt_only", 60),
        ("eyts", 30),
        ("eyps", 10),
        ("qts_and_eyts", 5),
        ("qtls_only", 10),
        ("welsh", 10),
        ("aor_candidate", 5),
        ("pqts", 3),
        ("awkward", 22),
    ]
)
#: The awkward cases of reference §3.9 and §6, each a share of the "awkward" profile.
_AWKWARD = _Weighted(
    [
        ("pass_without_award", 3),
        ("approved_without_award", 1),
        ("result_info", 1),
        ("registration_without_status", 2),
        ("null_result", 2),
        ("restricted_by_gtc", 1),
        ("invalid_partial_recognition", 2),
        ("duplicate_pass_itt", 3),
        ("cannot_derive_route", 2),
        ("unknown_programme_type", 1),
        ("unflagged_establishment", 1),
        ("eyps_without_result", 1),
        ("trainee_takes_the_itt", 2),
    ]
)
_ENGLISH_PROVIDERS = [p.id for p in sref.ENGLISH_PROVIDERS]
_WELSH_PROVIDERS = [p.id for p in sref.WELSH_PROVIDERS]
_NON_UK_PROVIDER = sref.NON_UKPRN_PROVIDERS[0].id
_SCOTLAND_NI_PROVIDER = sref.NON_UKPRN_PROVIDERS[1].id
_UK_COUNTRY = _Weighted([("XK", 45), ("GB", 15), ("XF", 15), (None, 25)])
_OVERSEAS_COUNTRY = _Weighted(
    [(code, 3) for code in ("AU", "NZ", "CA", "ZA", "IE", "US", "IN", "JM", "NG", "ZW", "GH", "PK", "HK")]
    + [(code, 4) for code in ("ES", "FR", "PT", "DE", "IT", "PL", "RO", "GR", "HU", "NL", "BE", "SE", "CY", "CZ")]
    + [(code, 1) for code in sref.DQT_ONLY_COUNTRY_CODES]
    + [("TR", 1), ("CN", 1)]
)
_PRIMARY_SUBJECT = _Weighted([("100511", 75), ("X121", 10), ("100403", 5), ("X161", 5), ("W500", 5)])
_SECONDARY_HECOS = [
    "100403",
    "100302",
    "100309",
    "100471",
    "100493",
    "100416",
    "100418",
    "100164",
    "100592",
    "100667",
    "101030",
    "101166",
    "101152",
    "101070",
    "100078",
    "100079",
    "100343",
    "100300",
]
_SECONDARY_LEGACY = [
    "F300",
    "F100",
    "C000",
    "L700",
    "W300",
    "V600",
    "W200",
    "G500",
    "I100",
    "R200",
    "R300",
    "N100",
    "C600",
    "C600PE",
    "999002",
    "999004",
    "Q3003",
    "Y4001",
]
_PRIMARY_AGES = _Weighted(
    [
        ((_AGE(5), _AGE(11)), 30),
        ((_AGE(3), _AGE(7)), 10),
        ((_AGE(7), _AGE(11)), 10),
        ((_BAND["KeyStage2"], _BAND["KeyStage2"]), 8),
        ((_BAND["KeyStage1"], _BAND["KeyStage1"]), 5),
        ((_BAND["KeyStage1"], _BAND["KeyStage2"]), 4),
        ((_AGE(3), _AGE(11)), 10),
        ((None, None), 20),
        ((_AGE(5), None), 2),
        ((_BAND["Notapplicable"], _BAND["Notapplicable"]), 1),
    ]
)
_SECONDARY_AGES = _Weighted(
    [
        ((_AGE(11), _AGE(16)), 30),
        ((_AGE(11), _AGE(18)), 20),
        ((_AGE(14), _AGE(19)), 5),
        ((_BAND["KeyStage3"], _BAND["KeyStage3"]), 5),
        ((_BAND["KeyStage4"], _BAND["KeyStage4"]), 4),
        ((_BAND["KeyStage3"], _BAND["KeyStage4"]), 4),
        ((_AGE(11), _BAND["Post16"]), 2),
        ((None, None), 25),
        ((None, _AGE(16)), 2),
        ((_BAND["Other"], _BAND["Other"]), 1),
        ((_AGE(11), _AGE(99)), 2),
    ]
)
_EY_AGES = _Weighted(
    [
        ((_AGE(0), _AGE(5)), 55),
        ((_BAND["FoundationStage"], _BAND["FoundationStage"]), 15),
        ((_AGE(3), _AGE(7)), 5),
        ((_AGE(0), _AGE(8)), 5),
        ((None, None), 20),
    ]
)
_FE_AGES = _Weighted(
    [
        ((_BAND["FurtherEducation"], _BAND["FurtherEducation"]), 50),
        ((_AGE(16), _AGE(19)), 25),
        ((_AGE(14), _AGE(99)), 5),
        ((None, None), 20),
    ]
)
_AIM = _Weighted([(389040001, 60), (389040000, 30), (389040002, 8), (389040003, 2)])
_SLUG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

#: The four contacts of ``HardcodedQtsEyMappings`` (reference §3.9): contact id -> (QTS-side ITT, EY-side ITT).
#: The generator gives them these ids (when it makes enough persons) with one more competing EY ITT each.
HARDCODED_QTS_EY_CONTACTS: dict[int, tuple[str, str, str]] = {
    101: (
        "2cbbe3f2-05af-e311-b8ed-005056822391",
        "3f5b2a42-35b0-e311-b8ed-005056822391",
        "69d3722c-bb91-e911-a958-000d3a2aa275",
    ),
    401: (
        "c13e84ed-caae-e311-b8ed-005056822391",
        "04ecd95d-deaf-e311-b8ed-005056822391",
        "03c8b2ae-3789-e911-a958-000d3a2aa275",
    ),
    701: (
        "de813d0c-daae-e311-b8ed-005056822391",
        "4fd469d2-aeaf-e311-b8ed-005056822391",
        "7302fcba-3589-e911-a958-000d3a2aa275",
    ),
    901: (
        "2962393f-1baf-e311-b8ed-005056822391",
        "daca45e8-474b-f011-877a-7c1e52203527",
        "f729cbbe-3989-e911-a958-000d3a2aa275",
    ),
}


class _Statuses:
    """ITT rows and QTS registrations per person, on a random stream of their own (so the other entity sets
    do not move when these proportions change).

    Each person gets one profile (``_PROFILES``): nothing; a QTS holder with one ITT, or with several; QTS
    without ITT (recognition, legacy); a trainee; ITT that never led to QTS; EYTS; EYPS; QTS and EYTS; QTLS
    only; a Welsh award; an assessment-only candidate; partial QTS; or one of the awkward cases the route
    migration reports (``_AWKWARD``). QTLS is also laid over a few other profiles. Every lookup points at a
    seeded reference row (:mod:`mappings.reference.dqt_status`), apart from the deliberate dirt: a missing
    provider, subject or country, and an unknown programme-type option.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"professional-status:{seed}")
        self.epoch = dt.datetime(2005, 1, 1, tzinfo=_UTC)
        self.itts: list[dict[str, Any]] = []
        self.registrations: list[dict[str, Any]] = []

    # -- helpers ---------------------------------------------------------------------------------------
    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def day(self, start_year: int, end_year: int) -> dt.date:
        start = dt.date(start_year, 1, 1).toordinal()
        return dt.date.fromordinal(self.rng.randrange(start, dt.date(end_year, 12, 31).toordinal()))

    def after(self, day: dt.date, low: int, high: int) -> dt.date:
        return day + dt.timedelta(days=self.rng.randrange(low, high))

    def award_after(self, end: dt.date) -> dt.date:
        return min(self.after(end, 5, 150), _LAST_AWARD)

    def common(self) -> dict[str, Any]:
        rng = self.rng
        created = self.epoch + dt.timedelta(seconds=rng.randrange(7000 * 86_400))
        modified = created + dt.timedelta(seconds=rng.randrange(400 * 86_400))
        inactive = rng.random() < 0.01
        return {
            "statecode": 1 if inactive else 0,
            "statuscode": 2 if inactive else 1,
            "createdon": _iso(created),
            "modifiedon": _iso(modified),
            "_createdby_value": GENERATOR_USER_ID,
            "_modifiedby_value": GENERATOR_USER_ID,
        }

    def slug(self) -> str:
        return "".join(self.rng.choice(_SLUG_ALPHABET) for _ in range(12))

    # -- records ---------------------------------------------------------------------------------------
    def registration(
        self,
        person_id: str,
        *,
        status: str | None = None,
        ey_status: str | None = None,
        qts: dt.date | None = None,
        eyts: dt.date | None = None,
        recognition: dt.date | None = None,
    ) -> dict[str, Any]:
        record = {
            "dfeta_qtsregistrationid": self.guid(),
            **self.common(),
            "dfeta_name": None,
            "_dfeta_personid_value": person_id,
            "_dfeta_teacherstatusid_value": _TS[status] if status else None,
            "_dfeta_earlyyearsstatusid_value": _EY[ey_status] if ey_status else None,
            "dfeta_qtsdate": uk_midnight_utc(qts) if qts else None,
            "dfeta_eytsdate": uk_midnight_utc(eyts) if eyts else None,
            "dfeta_dateofrecognition": uk_midnight_utc(recognition) if recognition else None,
            "_dfeta_inductionid_value": None,
        }
        self.registrations.append(record)
        return record

    def itt(
        self,
        person_id: str,
        *,
        programme: int | None,
        result: int | None,
        start: dt.date,
        end: dt.date | None = None,
        qualification: str | None = None,
        phase: str = "",
        provider: str | None = "",
        country: str | None = "",
        registration: dict[str, Any] | None = None,
        link: float = 0.4,
        itt_id: str | None = None,
    ) -> dict[str, Any]:
        """One ITT row. ``provider``/``country`` "" = pick one; ``registration`` may be linked explicitly."""
        rng = self.rng
        if end is None:
            end = self.after(start, 280, 1400)
        if not phase:
            phase = (
                "ey"
                if programme in sref.EARLY_YEARS_PROGRAMME_TYPES
                else "primary"
                if rng.random() < 0.45
                else "secondary"
            )
        if phase == "primary":
            ages = _PRIMARY_AGES.pick(rng)
            subject1: str | None = _PRIMARY_SUBJECT.pick(rng)
        elif phase == "ey":
            ages = _EY_AGES.pick(rng)
            subject1 = "X110" if start.year < 2019 or rng.random() < 0.3 else "100511"
        elif phase == "fe":
            ages = _FE_AGES.pick(rng)
            subject1 = rng.choice(_SECONDARY_LEGACY)
        else:
            ages = _SECONDARY_AGES.pick(rng)
            pool = _SECONDARY_LEGACY if start.year < 2019 and rng.random() < 0.7 else _SECONDARY_HECOS
            subject1 = rng.choice(pool)
        pool = _SECONDARY_HECOS if start.year >= 2019 else _SECONDARY_LEGACY
        subject2 = rng.choice(pool) if rng.random() < 0.25 else None
        subject3 = rng.choice(pool) if subject2 and rng.random() < 0.2 else None
        if rng.random() < 0.05:
            subject1 = None  # dirt: no subject at all
        if provider == "":
            provider = rng.choice(_ENGLISH_PROVIDERS) if rng.random() < 0.95 else None
        if country == "":
            country = _UK_COUNTRY.pick(rng)
        recent = start.year >= 2019
        record = {
            "dfeta_initialteachertrainingid": itt_id or self.guid(),
            **self.common(),
            "dfeta_name": None,
            "_dfeta_personid_value": person_id,
            "dfeta_programmetype": programme,
            "dfeta_result": result,
            "dfeta_programmestartdate": uk_midnight_utc(start),
            "dfeta_programmeenddate": uk_midnight_utc(end) if rng.random() < 0.97 else None,
            "_dfeta_establishmentid_value": provider,
            "_dfeta_subject1id_value": _SUBJECT[subject1] if subject1 else None,
            "_dfeta_subject2id_value": _SUBJECT[subject2] if subject2 else None,
            "_dfeta_subject3id_value": _SUBJECT[subject3] if subject3 else None,
            "dfeta_agerangefrom": ages[0],
            "dfeta_agerangeto": ages[1],
            "_dfeta_ittqualificationid_value": _QUAL[qualification] if qualification else None,
            "_dfeta_countryid_value": _COUNTRY[country] if country else None,
            "_dfeta_qtsregistration_value": registration["dfeta_qtsregistrationid"]
            if registration is not None and rng.random() < link
            else None,
            "dfeta_slugid": self.slug() if recent and rng.random() < 0.7 else None,
            "dfeta_traineeid": f"{rng.randrange(10**13):013d}" if start.year >= 2008 and rng.random() < 0.3 else None,
            "dfeta_cohortyear": str(start.year) if start.year >= 2010 and rng.random() < 0.5 else None,
            "dfeta_ittqualificationaim": _AIM.pick(rng) if start.year >= 2012 and rng.random() < 0.6 else None,
        }
        self.itts.append(record)
        return record

    # -- profiles --------------------------------------------------------------------------------------
    def qts_itt(self, pid: str, *, result: int | None = sref.RESULT_PASS) -> None:
        rng = self.rng
        programme, statuses, quals = _QTS_PROGRAMME.pick(rng)
        status = statuses.pick(rng)
        qualification = quals.pick(rng)
        start = self.day(1975, 2021)
        end = self.after(start, 280, 1400)
        award = self.award_after(end)
        phase = "fe" if qualification in ("040", "041", "042") else ""
        registration = self.registration(pid, status=status, qts=award)
        if result == sref.RESULT_PASS and rng.random() < 0.05:
            result = sref.RESULT_APPROVED
        overseas = status in ("103", "51", "52", "90")
        self.itt(
            pid,
            programme=programme,
            result=result,
            start=start,
            end=end,
            qualification=qualification,
            phase=phase,
            provider=_NON_UK_PROVIDER if overseas and rng.random() < 0.6 else "",
            country=_OVERSEAS_COUNTRY.pick(rng) if overseas else "",
            registration=registration,
        )

    def qts_several_itt(self, pid: str) -> None:
        rng = self.rng
        if rng.random() < 0.6:  # an earlier ITT that did not finish, then one that did
            start = self.day(1985, 2015)
            programme = _QTS_PROGRAMME.pick(rng)[0]
            result = rng.choice((sref.RESULT_WITHDRAWN, sref.RESULT_FAIL, sref.RESULT_DEFERRED))
            self.itt(pid, programme=programme, result=result, start=start, qualification="020")
            self.qts_itt(pid)
        else:  # an old trainee registration (no date) beside the awarded one, the ITT linked to the latter
            start = self.day(1995, 2020)
            self.registration(pid, status="211")
            self.passed_itt(pid, start, programme=_PT["HEI"], link=1.0)

    def passed_itt(
        self, pid: str, start: dt.date, *, programme: int | None, qualification: str = "020", **itt: Any
    ) -> None:
        """A passed ITT from ``start`` and the QTS (status 71) it led to, the ITT linked to that registration."""
        end = self.after(start, 280, 1400)
        award = self.award_after(end)
        registration = self.registration(pid, status="71", qts=award)
        self.itt(
            pid,
            programme=programme,
            result=sref.RESULT_PASS,
            start=start,
            end=end,
            qualification=qualification,
            registration=registration,
            **itt,
        )

    def qts_no_itt(self, pid: str) -> None:
        rng = self.rng
        status = _NO_ITT_STATUS.pick(rng)
        award = self.day(1960 if status in ("71", "73", "79", "72", "81", "91") else 1995, 2025)
        registration = self.registration(pid, status=status, qts=min(award, _LAST_AWARD))
        if status in ("104", "223") and rng.random() < 0.5:  # Apply for QTS: an approved ITT row with a slug
            end = min(award, _LAST_AWARD) - dt.timedelta(days=rng.randrange(30, 300))
            self.itt(
                pid,
                programme=None,
                result=sref.RESULT_APPROVED,
                start=end - dt.timedelta(days=rng.randrange(280, 1400)),
                end=end,
                qualification="049" if status == "223" else "402",
                provider=_NON_UK_PROVIDER,
                country=_OVERSEAS_COUNTRY.pick(rng),
                registration=registration,
            )["dfeta_slugid"] = self.slug()

    def trainee(self, pid: str) -> None:
        rng = self.rng
        programme, quals = _TRAINEE_PROGRAMME.pick(rng)
        start = self.day(2021, 2025)
        registration = self.registration(pid, status="211") if rng.random() < 0.7 else None
        self.itt(
            pid,
            programme=programme,
            result=_TRAINEE_RESULT.pick(rng),
            start=start,
            qualification=rng.choice(quals),
            registration=registration,
        )

    def itt_only(self, pid: str) -> None:
        rng = self.rng
        programme: int | None
        if rng.random() < 0.5:
            programme, quals = _TRAINEE_PROGRAMME.pick(rng)
            qualification: str | None = rng.choice(quals)
            start = self.day(2010, 2024)
        else:
            programme, _, qual_choice = _QTS_PROGRAMME.pick(rng)
            qualification = qual_choice.pick(rng)
            start = self.day(1980, 2020)
        self.itt(
            pid,
            programme=programme,
            result=_ITT_ONLY_RESULT.pick(rng),
            start=start,
            qualification=qualification,
        )

    def eyts(self, pid: str) -> None:
        rng = self.rng
        roll = rng.random()
        start = self.day(2013, 2021)
        if roll < 0.65:  # EYTS holder through an EY programme
            end = self.after(start, 280, 800)
            eyts = self.award_after(end)
            registration = self.registration(pid, ey_status="221", eyts=eyts)
            self.itt(
                pid,
                programme=_EY_PROGRAMME.pick(rng),
                result=sref.RESULT_PASS,
                start=start,
                end=end,
                qualification=rng.choice(("400", "020", "008")),
                registration=registration,
            )
        elif roll < 0.72:  # EYTS through qualification 114 "EYTS Only", no programme type (Table B)
            end = self.after(start, 280, 800)
            eyts = self.award_after(end)
            registration = self.registration(pid, ey_status="221", eyts=eyts)
            self.itt(
                pid,
                programme=None,
                result=sref.RESULT_PASS,
                start=start,
                end=end,
                qualification="114",
                phase="ey",
                registration=registration,
            )
        elif roll < 0.82:  # EYTS without ITT (Table A: EYTS ITT Migrated)
            self.registration(pid, ey_status="221", eyts=self.day(2014, 2024))
        else:  # EY trainee
            start = self.day(2022, 2025)
            registration = self.registration(pid, ey_status="220")
            self.itt(
                pid,
                programme=_EY_PROGRAMME.pick(rng),
                result=_TRAINEE_RESULT.pick(rng),
                start=start,
                qualification="400",
                registration=registration,
            )

    def eyps(self, pid: str, *, itt_result: int | None = sref.RESULT_PASS) -> None:
        rng = self.rng
        start = self.day(2006, 2013)
        end = self.after(start, 280, 800)
        eyts = self.award_after(end) if rng.random() < 0.15 else None
        registration = self.registration(pid, ey_status="222", eyts=eyts)
        roll = rng.random() if itt_result == sref.RESULT_PASS else 0.0
        if roll < 0.6:  # EYPS ITT: no programme type, ages 00 -> 05
            self.itt(
                pid,
                programme=None,
                result=itt_result,
                start=start,
                end=end,
                qualification=rng.choice(("400", "020", None)),
                phase="ey",
                registration=registration,
            )
        elif roll < 0.8:
            self.itt(
                pid,
                programme=_EY_PROGRAMME.pick(rng),
                result=itt_result,
                start=start,
                end=end,
                qualification="400",
                registration=registration,
            )

    def qts_and_eyts(self, pid: str, ids: tuple[str, str] | None = None) -> None:
        rng = self.rng
        start = self.day(2008, 2016)
        end = self.after(start, 280, 1000)
        qts = self.award_after(end)
        ey_start = self.after(qts, 30, 400)
        ey_end = self.after(ey_start, 280, 800)
        eyts = self.award_after(ey_end)
        registration = self.registration(pid, status="71", ey_status="221", qts=qts, eyts=eyts)
        self.itt(
            pid,
            programme=_PT["HEI"],
            result=sref.RESULT_PASS,
            start=start,
            end=end,
            qualification="020",
            phase="primary",
            registration=registration,
            itt_id=ids[0] if ids else None,
        )
        self.itt(
            pid,
            programme=_EY_PROGRAMME.pick(rng),
            result=sref.RESULT_PASS,
            start=ey_start,
            end=ey_end,
            qualification="400",
            registration=registration,
            itt_id=ids[1] if ids else None,
        )
        if ids:  # the hard-coded contacts have one more compatible EY ITT to choose from
            self.itt(
                pid,
                programme=_EY_PROGRAMME.pick(rng),
                result=sref.RESULT_PASS,
                start=start,
                end=end,
                qualification="400",
            )

    def welsh(self, pid: str) -> None:
        rng = self.rng
        if rng.random() < 0.3:  # QTS awarded in Wales (status 213), no ITT
            self.registration(pid, status="213", qts=self.day(1990, 2024))
            return
        start = self.day(1975, 2015)
        end = self.after(start, 280, 1400)
        award = self.award_after(end)
        registration = self.registration(pid, status="71", qts=award)
        programme = None if rng.random() < 0.6 else _PT["HEI"]
        self.itt(
            pid,
            programme=programme,
            result=sref.RESULT_PASS,
            start=start,
            end=end,
            qualification=rng.choice(("020", "001", "002", "008", "400")),
            provider=rng.choice(_WELSH_PROVIDERS),
            country=rng.choice(("XI", "WA", "XK", None)),
            registration=registration,
        )
        if rng.random() < 0.15:  # a second passed ITT at a Welsh provider: reported as a Welsh duplicate
            self.itt(
                pid,
                programme=programme,
                result=sref.RESULT_PASS,
                start=self.after(start, 30, 400),
                qualification="020",
                provider=rng.choice(_WELSH_PROVIDERS),
                country="XI",
            )

    def aor_candidate(self, pid: str) -> None:
        registration = self.registration(pid, status="212")
        self.itt(
            pid,
            programme=_PT["AssessmentOnlyRoute"],
            result=sref.RESULT_UNDER_ASSESSMENT,
            start=self.day(2022, 2025),
            qualification="029",
            registration=registration,
        )

    def pqts(self, pid: str) -> None:
        self.registration(pid, status="214", recognition=self.day(2008, 2024))

    def awkward(self, pid: str) -> None:
        rng = self.rng
        case = _AWKWARD.pick(rng)
        start = self.day(1995, 2020)
        if case == "pass_without_award":  # Pass ITT but no QTS date anywhere
            registration = self.registration(pid, status="211") if rng.random() < 0.5 else None
            self.itt(
                pid,
                programme=_PT["HEI"],
                result=sref.RESULT_PASS,
                start=start,
                qualification="020",
                registration=registration,
            )
        elif case == "approved_without_award":
            self.itt(
                pid,
                programme=_PT["Providerled_postgrad"],
                result=sref.RESULT_APPROVED,
                start=start,
                qualification="020",
            )
        elif case == "result_info":
            registration = self.registration(pid, status="211")
            self.itt(
                pid,
                programme=_PT["HEI"],
                result=sref.RESULT_INFO,
                start=start,
                qualification="020",
                registration=registration,
            )
        elif case == "registration_without_status":  # neither teacher status nor EY status
            end = self.after(start, 280, 1400)
            award = self.award_after(end)
            self.registration(pid, qts=award if rng.random() < 0.5 else None)
            self.itt(pid, programme=_PT["HEI"], result=sref.RESULT_PASS, start=start, end=end, qualification="020")
        elif case == "null_result":  # an ITT row without a result and nothing awarded
            self.itt(pid, programme=None, result=None, start=start, qualification=rng.choice(("020", "999", None)))
        elif case == "restricted_by_gtc":  # qualification 998, no result
            self.itt(pid, programme=None, result=None, start=start, qualification="998")
        elif case == "invalid_partial_recognition":
            kind = rng.randrange(3)
            recognition = self.day(2008, 2024)
            if kind == 0:  # 214 without a recognition date
                self.registration(pid, status="214")
            elif kind == 1:  # a recognition date on another status
                self.registration(pid, status="71", qts=recognition, recognition=recognition)
            else:  # 214 with both a recognition date and a QTS date
                self.registration(pid, status="214", qts=recognition, recognition=recognition)
        elif case == "duplicate_pass_itt":  # two passed ITT rows, neither linked: one is a potential duplicate
            end = self.after(start, 280, 1400)
            award = self.award_after(end)
            registration = self.registration(pid, status="71", qts=award)
            for _ in range(2):
                self.itt(
                    pid,
                    programme=_PT["HEI"],
                    result=sref.RESULT_PASS,
                    start=start,
                    end=end,
                    qualification="020",
                    registration=registration,
                    link=0.0,
                )
        elif case == "cannot_derive_route":  # 71 with no programme type and qualification 027: no candidate
            self.passed_itt(pid, start, programme=None, qualification="027")
        elif case == "unknown_programme_type":  # an option value DQT's metadata does not know
            self.passed_itt(pid, start, programme=389040099)
        elif case == "unflagged_establishment":  # the establishment is not a flagged training provider
            self.passed_itt(
                pid, start, programme=_PT["SchoolDirecttrainingprogramme"], provider=sref.UNFLAGGED_ESTABLISHMENT.id
            )
        elif case == "eyps_without_result":  # EYPS, no EYTS date, ITT without result: not migrated
            self.eyps(pid, itt_result=None)
        else:  # "trainee_takes_the_itt": a dateless 211 row is paired first and takes the only (unlinked) ITT
            self.registration(pid, status="211")
            end = self.after(start, 280, 1400)
            award = self.award_after(end)
            self.registration(pid, status="71", qts=award)
            self.itt(pid, programme=_PT["HEI"], result=sref.RESULT_PASS, start=start, end=end, qualification="020")

    # -- per person ------------------------------------------------------------------------------------
    def person(self, contact: dict[str, Any], index: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """This person's ITT rows and QTS registrations; sets the contact's QTS, EYTS and QTLS columns."""
        rng = self.rng
        self.itts = []
        self.registrations = []
        hardcoded = HARDCODED_QTS_EY_CONTACTS.get(index)
        if hardcoded is not None:
            contact["contactid"] = hardcoded[0]
            self.qts_and_eyts(hardcoded[0], (hardcoded[1], hardcoded[2]))
            profile = "qts_and_eyts"
        else:
            profile = _PROFILES.pick(rng)
            if profile not in ("none", "qtls_only"):  # QTLS is a contact column, set below
                getattr(self, profile)(contact["contactid"])
        qtls = profile == "qtls_only" or rng.random() < 0.003
        expired = not qtls and rng.random() < 0.002
        contact["dfeta_qtlsdate"] = self.day(2012, 2024).isoformat() + "T00:00:00Z" if qtls else None
        contact["dfeta_qtlsdatehasbeenset"] = qtls or expired
        active = [r for r in self.registrations if r["statecode"] == 0]
        qts_dates = [r["dfeta_qtsdate"] for r in active if r["dfeta_qtsdate"]]
        # the earliest QTS date of an active registration (QTLS has its own column); UTC ISO text sorts as time
        contact["dfeta_qtsdate"] = min(qts_dates) if qts_dates else None
        eyts = [r for r in active if r["dfeta_eytsdate"]]
        # the EYTS date of the most recently created active registration that has one
        contact["dfeta_eytsdate"] = max(eyts, key=lambda r: r["createdon"])["dfeta_eytsdate"] if eyts else None
        return self.itts, self.registrations


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
