"""Professional status (ITT / QTS / EYTS / EYPS / QTLS → routes): every TRS-side table and every DQT → TRS
lookup table of ``/work/shared/reference/professional-status.md`` (the "reference" below), as data.

The mapping code (:mod:`mappings.routes`) looks values up here instead of branching on them. Tables are
written the way the reference writes them, so each can be checked against it line by line: route types by
their 8-hex-digit prefix (resolved to full ids by :func:`route`, which refuses an unknown or ambiguous
prefix), programme types by their DQT enum name, the 121 manual precedence keys as ``status/programme
type/qualification`` strings.

Sources (all ``DFE-Digital/teaching-record-system``; the reference cites path and commit for each):

- the 66 ``route_to_professional_status_types`` rows: reference §4.2 (``Snapshot@fc8d409c9``);
- programme type → route (§3.1), status → route (§3.2, 48 keys), qualification → route (§3.3, 63 keys),
  Table A and Table B (§3.4), the precedence rules and the 121 manual keys (§3.5), the Welsh providers and
  the four hard-coded pairings (§3.9): ``TrsDataSyncHelper.cs@fc8d409c9``;
- ITT results → route status (§2.1, §3.7), age ranges (§2.3, ``AgeRangeExtensions.cs``), country
  substitutions (§3.8, ``CountryExtensions.cs@fc8d409c9``);
- degree types: the 38 ITT qualification codes of §3.8 with the TRS ``degree_types`` ids of
  ``Core/Dqt/Models/IttQualificationExtensions.cs`` (``ConvertToTrsDegreeTypeId``, commit ``447ae6256``).

Three defects of the original are corrected here, each recorded in an ADR: status 103 maps to Overseas
Trained Teacher *Recognition* (ADR 0031), and qualification codes written without their leading zeros
(``"7"``, ``"54"``, the manual keys ``"07"`` and ``"0029"``) are written as the real three-digit codes
(ADR 0032). :data:`STATUS_ROUTES_AS_RUN` keeps the table as it was during the production run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Final

# --- TRS enums (stored as plain ints) -------------------------------------------------------------------


class ProfessionalStatusType(IntEnum):
    """``route_to_professional_status_types.professional_status_type``."""

    QTS = 0
    EYTS = 1
    EYPS = 2
    PQTS = 3


class FieldRequirement(IntEnum):
    """The nine ``*_required`` columns of ``route_to_professional_status_types``."""

    OPTIONAL = 0
    MANDATORY = 1
    NOT_APPLICABLE = 2


class RouteStatus(IntEnum):
    """``qualifications.status`` of a route (``RouteToProfessionalStatusStatus``)."""

    IN_TRAINING = 0
    HOLDS = 1
    DEFERRED = 2
    DEFERRED_FOR_SKILLS_TEST = 3
    FAILED = 4
    WITHDRAWN = 5
    UNDER_ASSESSMENT = 6


class TrainingAgeSpecialismType(IntEnum):
    """``qualifications.training_age_specialism_type``."""

    RANGE = 0
    FOUNDATION_STAGE = 1
    FURTHER_EDUCATION = 2
    KEY_STAGE_1 = 3
    KEY_STAGE_2 = 4
    KEY_STAGE_3 = 5
    KEY_STAGE_4 = 6


class QtlsStatus(IntEnum):
    """``persons.qtls_status``."""

    NONE = 0
    EXPIRED = 1
    ACTIVE = 2


class FailureReason(StrEnum):
    """``IttQtsMapResultFailedReason``, in the original's order; the value is the original's name."""

    CANNOT_MAP_STATUS = "CannotMapStatus"
    PASS_RESULT_HAS_NO_AWARD_DATE = "PassResultHasNoAwardDate"  # noqa: S105 (not a password)
    APPROVED_RESULT_HAS_NO_AWARD_DATE = "ApprovedResultHasNoAwardDate"
    CANNOT_DERIVE_ROUTE = "CannotDeriveRoute"
    PARTIAL_RECOGNITION_IS_INVALID = "PartialRecognitionIsInvalid"
    POTENTIAL_DUPLICATE_ITT_RECORDS = "PotentialDuplicateIttRecords"
    DO_NOT_MIGRATE_ITT_RESULT = "DoNotMigrateIttResult"
    DO_NOT_MIGRATE_NO_QUALIFICATION_RESTRICTED_BY_GTC = "DoNotMigrateNoQualificationRestrictedByGtc"
    DO_NOT_MIGRATE_QTS_REGISTRATION_HAS_NO_STATUS = "DoNotMigrateQtsRegistrationHasNoStatus"
    DO_NOT_MIGRATE_QTS_AWARDED_IN_WALES_DUPLICATE_ITT_RECORDS = "DoNotMigrateQtsAwardedInWalesDuplicateIttRecords"
    UNMAPPABLE_ITT_COUNTRY_ID = "UnmappableIttCountryId"
    UNMAPPABLE_ITT_SUBJECT_ID = "UnmappableIttSubjectId"


#: A (status value, programme type option, qualification value) key of §3.4/§3.5; None = null.
ManualKey = tuple[str | None, int | None, str | None]
#: A Table B key: a :data:`ManualKey` plus the ITT result.
ResultKey = tuple[str | None, int | None, str | None, "IttResult"]

#: ``qualifications.qualification_type`` of a route (the TPH discriminator).
QUALIFICATION_TYPE_ROUTE: Final = 1


# --- route_to_professional_status_types (§4.2) -----------------------------------------------------------

#: The order of the nine requirement letters in §4.2's "Req" column.
REQUIREMENT_COLUMNS: Final = (
    "training_start_date_required",
    "training_end_date_required",
    "holds_from_required",
    "induction_exemption_required",
    "training_provider_required",
    "degree_type_required",
    "training_country_required",
    "training_age_specialism_type_required",
    "training_subjects_required",
)
_REQUIREMENT: Final = {"O": FieldRequirement.OPTIONAL, "M": FieldRequirement.MANDATORY,
                       "N": FieldRequirement.NOT_APPLICABLE}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RouteType:
    """A ``route_to_professional_status_types`` row."""

    id: str
    name: str
    professional_status_type: ProfessionalStatusType
    is_active: bool
    #: The nine requirements in :data:`REQUIREMENT_COLUMNS` order.
    requirements: tuple[FieldRequirement, ...]
    induction_exemption_reason_id: str | None

    @property
    def is_early_years(self) -> bool:
        """``IsEarlyYears()`` of the route id: the five "Early Years ITT …" types only."""
        return self.name.startswith("Early Years ITT ")


#: Full ids of the four induction exemption reasons a route type carries (``induction_exemption_reasons``).
_EXEMPTION_REASON_IDS: Final = {
    "4c97e211": "4c97e211-10d2-4c63-8da9-b0fcebe7f2f9",  # Overseas Trained Teacher
    "3471ab35": "3471ab35-e6e4-4fa9-a72b-b8bd113df591",  # Passed induction in Northern Ireland
    "a112e691": "a112e691-1694-46a7-8f33-5ec5b845c181",  # Has, or is eligible for, full registration in Scotland
    "35caa6a3": "35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db",  # Exempt through QTLS status …
}


def _route_types(table: str) -> tuple[RouteType, ...]:
    rows = []
    for line in table.strip().splitlines():
        id_, name, kind, active, req, *reason = (cell.strip() for cell in line.split("|"))
        rows.append(
            RouteType(
                id_,
                name,
                ProfessionalStatusType[kind],
                active == "Y",
                tuple(_REQUIREMENT[c] for c in req),
                _EXEMPTION_REASON_IDS[reason[0]] if reason else None,
            )
        )
    return tuple(rows)


#: The 66 rows, copied from §4.2 in its order: id | name | professional status type | active | the nine
#: requirements (:data:`REQUIREMENT_COLUMNS` order, O/M/N) | induction exemption reason prefix, if any.
ROUTE_TYPES: Final = _route_types(
    """
6f27bdeb-d00a-4ef9-b0ea-26498ce64713 | Apply for Qualified Teacher Status in England | QTS | Y | NNMMNNMOO | 4c97e211
6987240e-966e-485f-b300-23b54937fb3a | Postgraduate Teaching Apprenticeship | QTS | Y | OOMNMMOOO
57b86cef-98e2-4962-a74a-d47c7a34b838 | Assessment Only | QTS | Y | OOMNMMOOO
4b6fc697-be67-43d3-9021-cc662c4a559f | Authorised Teacher Programme | QTS | N | OOMNOOOOO
4163c2fb-6163-409f-85fd-56e7c70a54dd | Core | QTS | N | OOMNOOOOO
4bd7a9f0-28ca-4977-a044-a7b7828d469b | Core Flexible | QTS | N | OOMNOOOOO
5748d41d-7b53-4ee6-833a-83080a3bd8ef | CTC or CCTA | QTS | N | OOMNOOOOO
d9eef3f8-fde6-4a3f-a361-f6655a42fa1e | Early Years ITT Assessment Only | EYTS | Y | OOMNMMOOO
4477e45d-c531-4c63-9f4b-e157766366fb | Early Years ITT Graduate Employment Based | EYTS | Y | OOMNMMMOO
dbc4125b-9235-41e4-abd2-baabbf63f829 | Early Years ITT Graduate Entry | EYTS | Y | OOMNMMMOO
7f09002c-5dad-4839-9693-5e030d037ae9 | Early Years ITT School Direct | EYTS | Y | OOMNMMOOO
c97c0fd2-fd84-4949-97c7-b0e2422fb3c8 | Early Years ITT Undergraduate | EYTS | Y | OOMNMMOOO
f4da123b-5c37-4060-ab00-52de4bd3599e | EC directive | QTS | N | OOMOOOOOO
2b106b9d-ba39-4e2d-a42e-0ce827fdc324 | European Recognition | QTS | N | OOMOOOOOO
ec95c276-25d9-491f-99a2-8d92f10e1e94 | European Recognition - PQTS | PQTS | N | OOMNOOOOO
8f5c0431-d006-4eda-9336-16dfc6a26a78 | EYPS | EYPS | N | OONOOOOOO
eba0b7ae-cbce-44d5-a56f-988d69b03001 | EYPS ITT Migrated | EYPS | N | OONNOOOOO
5b7d1c4e-fb2b-479c-bdee-5818daaa8a07 | EYTS ITT Migrated | EYTS | N | OOMNOOOOO
45c93b5b-b4dc-4d0f-b0de-d612521e0a13 | FE Recognition 2000-2004 | QTS | N | OOMOOOOOO
700ec96f-6bbf-4080-87bd-94ef65a6a879 | Flexible ITT | QTS | Y | OOMNMMOOO
f85962c9-cf0c-415d-9de5-a397f95ae261 | Future Teaching Scholars | QTS | Y | OOMNMMMOO
a6431d4b-e4cd-4e59-886b-358221237e75 | Graduate non-trained | QTS | N | OOMNOOOOO
34222549-ed59-4c4a-811d-c0894e78d4c3 | Graduate Teacher Programme | QTS | N | OOMOOOOOO
10078157-e8c3-42f7-a050-d8b802e83f7b | HEI | QTS | Y | OOMNMMOOO
32017d68-9da4-43b2-ae91-4f24c68f6f78 | HEI - Historic | QTS | N | OOMNOOOOO
bfef20b2-5ac4-486d-9493-e5a4538e1be9 | High Potential ITT | QTS | Y | OOMNMMMOO
d0b60864-ab1c-4d49-a5c2-ff4bd9872ee1 | International Qualified Teacher Status | QTS | Y | OOMNMMMOO
4514ec65-20b0-4465-b66f-4718963c5b80 | Legacy ITT | QTS | N | OOMNOOOOO
c80cb763-0d61-4cf1-a749-37c1d0ab85f8 | Legacy Migration | QTS | N | OOMNOOOOO
2b4862ca-bd30-4a3a-bfce-52b57c2946c7 | Licensed Teacher Programme | QTS | N | OOMNOOOOO
fc16290c-ac1e-4830-b7e9-35708f1bded3 | Licensed Teacher Programme - Armed Forces | QTS | N | OOMNOOOOO
d5eb09cc-c64f-45df-a46d-08277a25de7a | Licensed Teacher Programme - FE | QTS | N | OOMNOOOOO
64c28594-4b63-42b3-8b47-e3f140879e66 | Licensed Teacher Programme - Independent School | QTS | N | OOMNOOOOO
e5c198fa-35f0-4a13-9d07-8b0239b4957a | Licensed Teacher Programme - Maintained School | QTS | N | OOMNOOOOO
779bd3c6-6b3a-4204-9489-1bbb381b52bf | Licensed Teacher Programme - OTT | QTS | N | OOMNOOOOO
aa1efd16-d59c-4e18-a496-16e39609b389 | Long Service | QTS | N | OOMNOOOOO
3604ef30-8f11-4494-8b52-a2f9c5371e03 | Northern Irish Recognition | QTS | Y | NNMMNNMOO | 3471ab35
88867b43-897b-49b5-97cc-f4f81a1d5d44 | Other Qualifications non ITT | QTS | N | OOMOOOOOO
51756384-cfea-4f63-80e5-f193686e0f71 | Overseas Trained Teacher Programme | QTS | N | OOMOOOOOO
ce61056e-e681-471e-af48-5ffbf2653500 | Overseas Trained Teacher Recognition | QTS | N | OOMOOOOOO
f5390be5-8336-4951-b97b-5b45d00b7a76 | PGATC ITT | QTS | N | OOMNOOOOO
1c626be0-5a64-47ec-8349-75008f52bc2c | PGATD ITT | QTS | N | OOMNOOOOO
02a2135c-ac34-4481-a293-8a00aab7ee69 | PGCE ITT | QTS | N | OOMNOOOOO
7721655f-165f-4737-97d4-17fc6991c18c | PGDE ITT | QTS | N | OOMNMMOOO
ef46ff51-8dc0-481e-b158-61ccea9943d9 | Primary and secondary postgraduate fee funded | QTS | Y | OOMNMMMOO
321d5f9a-9581-4936-9f63-cfddd2a95fe2 | Primary and secondary undergraduate fee funded | QTS | Y | OOMNMMOOO
002f7c96-f6ae-4e67-8f8b-d2f1c1317273 | ProfGCE ITT | QTS | N | OOMNOOOOO
9a6f368f-06e7-4a74-b269-6886c48a49da | ProfGDE ITT | QTS | N | OOMNOOOOO
97497716-5ac5-49aa-a444-27fa3e2c152a | Provider led Postgrad | QTS | Y | OOMNMMOOO
53a7fbda-25fd-4482-9881-5cf65053888d | Provider led Undergrad | QTS | Y | OOMNMMOOO
be6eaf8c-92dd-4eff-aad3-1c89c4bec18c | QTLS and SET Membership | QTS | Y | NNMMONOOO | 35caa6a3
70368ff2-8d2b-467e-ad23-efe7f79995d7 | Registered Teacher Programme | QTS | N | OOMNOOOOO
abcb0a14-0c21-4598-a42c-a007d4b048ac | School Centered ITT | QTS | N | OOMNOOOOO
d9490e58-acdc-4a38-b13e-5a5c21417737 | School Direct Training Programme | QTS | Y | OOMNMMOOO
12a742c3-1cd4-43b7-a2fa-1000bd4cc373 | School Direct Training Programme Salaried | QTS | Y | OOMNMMOOO
97e1811b-d46c-483e-aec3-4a2dd51a55fe | School Direct Training Programme Self Funded | QTS | Y | OOMNMMOOO
52835b1f-1f2e-4665-abc6-7fb1ef0a80bb | Scottish Recognition | QTS | Y | NNMMNNMOO | a112e691
bed14b00-5d08-4580-83b5-86d71a4f1a24 | TC ITT | QTS | N | OOMNOOMOO
82aa14d3-ef6a-4b46-a10c-dc850ddcef5f | TCMH | QTS | N | OOMNOOOOO
5b7f5e90-1ca6-4529-baa0-dfba68e698b8 | Teach First Programme | QTS | N | OOMNMMOOO
50d18f17-ee26-4dad-86ca-1aae3f956bfc | Troops to Teach | QTS | N | OOMNOMOOO
7c04865f-fa39-458a-bc39-07dd46b88154 | UGMT ITT | QTS | N | OOMNOOOOO
20f67e38-f117-4b42-bbfc-5812aa717b94 | Undergraduate Opt In | QTS | Y | OOMNMMOOO
877ba701-fe26-4951-9f15-171f3755d50d | Welsh Recognition | QTS | Y | NNMNNNOOO
11b66de5-4670-4c82-86aa-20e42df723b7 | Early Years Teacher Degree Apprenticeship | EYTS | Y | OOMNOMMMM
5d4c01c1-0841-4306-b49c-48ad6499fdc0 | Teacher Degree Apprenticeship | QTS | Y | OOMNOMMMM
"""
)

#: Route type by full id.
ROUTE_TYPES_BY_ID: Final = MappingProxyType({r.id: r for r in ROUTE_TYPES})


def route(prefix: str) -> str:
    """The full id of the route type whose id starts with ``prefix`` (the reference's 8-hex-digit form)."""
    matches = [r.id for r in ROUTE_TYPES if r.id.startswith(prefix.lower())]
    if len(matches) != 1:
        raise KeyError(f"route type prefix {prefix!r} matches {len(matches)} route types")
    return matches[0]


# Named ids (``RouteToProfessionalStatusType.cs@fc8d409c9``).
APPLY_FOR_QTS: Final = route("6f27bdeb")
EUROPEAN_RECOGNITION: Final = route("2b106b9d")
NORTHERN_IRISH_RECOGNITION: Final = route("3604ef30")
OVERSEAS_TRAINED_TEACHER_PROGRAMME: Final = route("51756384")
OVERSEAS_TRAINED_TEACHER_RECOGNITION: Final = route("ce61056e")
QTLS_AND_SET_MEMBERSHIP: Final = route("be6eaf8c")
SCOTTISH_RECOGNITION: Final = route("52835b1f")
WELSH_RECOGNITION: Final = route("877ba701")
LEGACY_MIGRATION: Final = route("c80cb763")
OTHER_QUALIFICATIONS_NON_ITT: Final = route("88867b43")
EYTS_ITT_MIGRATED: Final = route("5b7d1c4e")

#: Route types whose ``source_application_user_id`` would be the "AfQTS" application user (§3.8).
OVERSEAS_ROUTES: Final = frozenset(
    {APPLY_FOR_QTS, EUROPEAN_RECOGNITION, OVERSEAS_TRAINED_TEACHER_RECOGNITION, NORTHERN_IRISH_RECOGNITION,
     SCOTTISH_RECOGNITION}
)  # fmt: skip


# --- DQT option sets used by the mapping ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgrammeType:
    """A ``dfeta_ITTProgrammeType`` option and the route it derives (§3.1); ``route_id`` None = no route."""

    value: int
    name: str
    label: str
    is_early_years: bool
    route_id: str | None


def _programme_types(rows: list[tuple[int, str, str, bool, str | None]]) -> tuple[ProgrammeType, ...]:
    return tuple(
        ProgrammeType(value, name, label, ey, None if prefix is None else route(prefix))
        for value, name, label, ey, prefix in rows
    )


#: The 27 ``dfeta_programmetype`` options (§3.1): value, enum name, label, EY?, route prefix.
PROGRAMME_TYPES: Final = _programme_types(
    [
        (389040000, "Core", "Core", False, "4163c2fb"),
        (389040001, "HEI", "HEI", False, "10078157"),
        (389040002, "SchoolDirecttrainingprogramme_Selffunded", "School Direct training programme (Self funded)",
         False, "97e1811b"),
        (389040003, "SchoolDirecttrainingprogramme_Salaried", "School Direct training programme (Salaried)",
         False, "12a742c3"),
        (389040004, "SchoolDirecttrainingprogramme", "School Direct training programme", False, "d9490e58"),
        (389040005, "TeachFirstProgramme_CC", "Teach First Programme (CC)", False, "5b7f5e90"),
        (389040006, "TeachFirstProgramme", "Teach First Programme", False, "5b7f5e90"),
        (389040007, "OverseasTrainedTeacherProgramme", "Overseas Trained Teacher Programme", False, "51756384"),
        (389040008, "RegisteredTeacherProgramme", "Registered Teacher Programme", False, "70368ff2"),
        (389040009, "GraduateTeacherProgramme", "Graduate Teacher Programme", False, None),
        (389040010, "AssessmentOnlyRoute", "Assessment Only Route", False, "57b86cef"),
        (389040011, "CoreFlexible", "Core Flexible", False, "4bd7a9f0"),
        (389040012, "LicensedTeacherProgramme", "Licensed Teacher Programme", False, "2b4862ca"),
        (389040013, "UndergraduateOptIn", "Undergraduate Opt In", False, "20f67e38"),
        (389040014, "EYITTAssessmentOnly", "EYITT - Assessment Only", True, "d9eef3f8"),
        (389040015, "EYITTGraduateEntry", "EYITT - Graduate Entry", True, "dbc4125b"),
        (389040016, "EYITTGraduateEmploymentBased", "EYITT - Graduate Employment Based", True, "4477e45d"),
        (389040017, "EYITTUndergraduate", "EYITT - Undergraduate", True, "c97c0fd2"),
        (389040018, "EYITTSchoolDirect_EarlyYears", "EYITT - School Direct (Early Years)", True, "7f09002c"),
        (389040019, "Apprenticeship", "Apprenticeship", False, "6987240e"),
        (389040020, "FutureTeachingScholars", "Future Teaching Scholars", False, "f85962c9"),
        (389040021, "Providerled_postgrad", "Provider-led (postgrad)", False, "97497716"),
        (389040022, "Providerled_undergrad", "Provider-led (undergrad)", False, "53a7fbda"),
        (389040023, "Internationalqualifiedteacherstatus", "International qualified teacher status", False,
         "d0b60864"),
        (389040024, "HighpotentialITT", "High potential ITT", False, "bfef20b2"),
        (389040025, "Primaryandsecondaryundergraduatefeefunded", "Primary and secondary undergraduate fee funded",
         False, "321d5f9a"),
        (389040026, "Primaryandsecondarypostgraduatefeefunded", "Primary and secondary postgraduate fee funded",
         False, "ef46ff51"),
    ]
)  # fmt: skip

PROGRAMME_TYPES_BY_VALUE: Final = MappingProxyType({p.value: p for p in PROGRAMME_TYPES})
_PROGRAMME_TYPE_BY_NAME: Final = {p.name: p.value for p in PROGRAMME_TYPES}

#: §3.1 as a lookup: programme type option value → route type id (GraduateTeacherProgramme is absent).
PROGRAMME_TYPE_ROUTES: Final = MappingProxyType(
    {p.value: p.route_id for p in PROGRAMME_TYPES if p.route_id is not None}
)


def programme_type(name: str) -> int:
    """The option value of the programme type whose DQT enum name is ``name``."""
    return _PROGRAMME_TYPE_BY_NAME[name]


class IttResult(IntEnum):
    """``dfeta_ITTResult`` (§2.1)."""

    PASS = 389040000
    FAIL = 389040001
    WITHDRAWN = 389040002
    IN_TRAINING = 389040003
    APPROVED = 389040004
    DEFERRED = 389040005
    DEFERRED_FOR_SKILLS_TESTS = 389040006
    UNDER_ASSESSMENT = 389040007
    APPLICATION_RECEIVED = 389040008
    APPLICATION_UNSUCCESSFUL = 389040009
    INFO = 389040010
    NO_RESULT_SUBMITTED = 389040011


#: ``IttResultsToIgnore``: ITT rows with these results are reported (DoNotMigrateIttResult) and dropped.
IGNORED_RESULTS: Final = frozenset(
    {IttResult.APPLICATION_RECEIVED, IttResult.APPLICATION_UNSUCCESSFUL, IttResult.NO_RESULT_SUBMITTED}
)
#: Results that mean "awarded" (they need an award date to become Holds).
AWARD_RESULTS: Final = frozenset({IttResult.PASS, IttResult.APPROVED})

#: §3.7: ITT result → route status when the row carries no award; Pass/Approved/Info fail instead.
RESULT_STATUSES: Final = MappingProxyType(
    {
        IttResult.IN_TRAINING: RouteStatus.IN_TRAINING,
        IttResult.DEFERRED: RouteStatus.DEFERRED,
        IttResult.DEFERRED_FOR_SKILLS_TESTS: RouteStatus.DEFERRED_FOR_SKILLS_TEST,
        IttResult.FAIL: RouteStatus.FAILED,
        IttResult.WITHDRAWN: RouteStatus.WITHDRAWN,
        IttResult.UNDER_ASSESSMENT: RouteStatus.UNDER_ASSESSMENT,
    }
)
#: §3.7: results that cannot give a status without an award date, and the (contact-aborting) reason.
RESULT_FAILURES: Final = MappingProxyType(
    {
        IttResult.PASS: FailureReason.PASS_RESULT_HAS_NO_AWARD_DATE,
        IttResult.APPROVED: FailureReason.APPROVED_RESULT_HAS_NO_AWARD_DATE,
        IttResult.INFO: FailureReason.CANNOT_MAP_STATUS,
    }
)


@dataclass(frozen=True, slots=True)
class AgeRange:
    """A ``dfeta_AgeRange`` option (§2.3): enum name (stored in ``dqt_age_range_*``), label, implied ages, and the
    TRS age specialism it is when both ends name it."""

    value: int
    name: str
    label: str
    ages: tuple[int, ...]
    band: TrainingAgeSpecialismType | None


_T = TrainingAgeSpecialismType

#: The 30 ``dfeta_agerangefrom``/``dfeta_agerangeto`` options. Enum names follow the generated code's rule
#: (label without spaces, digits prefixed with ``_``): "_05", "KeyStage2", "Notapplicable".
AGE_RANGES: Final = (
    AgeRange(389040029, "_00", "00", (0,), None),
    *(AgeRange(389039999 + age, f"_{age:02d}", f"{age:02d}", (age,), None) for age in range(1, 20)),
    AgeRange(389040019, "_99", "99", (99,), None),
    AgeRange(389040020, "FurtherEducation", "Further Education", (16, 19), _T.FURTHER_EDUCATION),
    AgeRange(389040021, "FoundationStage", "Foundation Stage", (0, 5), _T.FOUNDATION_STAGE),
    AgeRange(389040022, "KeyStage1", "Key Stage 1", (5, 7), _T.KEY_STAGE_1),
    AgeRange(389040023, "KeyStage2", "Key Stage 2", (7, 11), _T.KEY_STAGE_2),
    AgeRange(389040024, "KeyStage3", "Key Stage 3", (11, 14), _T.KEY_STAGE_3),
    AgeRange(389040025, "KeyStage4", "Key Stage 4", (14, 16), _T.KEY_STAGE_4),
    AgeRange(389040026, "Notapplicable", "Not applicable", (), None),
    AgeRange(389040027, "Other", "Other", (), None),
    AgeRange(389040028, "Post16", "Post 16", (16, 18), None),
)
AGE_RANGES_BY_VALUE: Final = MappingProxyType({a.value: a for a in AGE_RANGES})
AGE_00: Final = 389040029
AGE_05: Final = 389040004


# --- §3.2 teacher / EY status value → route type (48 keys) -------------------------------------------

_STATUS_ROUTE_PREFIXES: Final[dict[str, str | None]] = {
    "24": "64c28594", "28": "52835b1f", "45": "5b7f5e90", "47": "70368ff2", "48": "34222549", "49": "34222549",
    "51": "51756384", "52": "51756384", "53": "45c93b5b", "58": "82aa14d3", "62": "2b4862ca", "63": "779bd3c6",
    "64": "64c28594", "65": "d5eb09cc", "66": "fc16290c", "67": "f4da123b", "68": "52835b1f", "69": "3604ef30",
    "71": None, "72": "88867b43", "73": "aa1efd16", "74": "e5c198fa", "76": "4b6fc697", "77": "abcb0a14",
    "78": "5748d41d", "79": "88867b43", "80": "700ec96f", "82": "88867b43", "83": "aa1efd16", "87": "f4da123b",
    "89": "88867b43", "90": "d0b60864", "92": "88867b43", "97": "f4da123b", "99": "88867b43", "100": "57b86cef",
    "101": "5b7f5e90", "102": "50d18f17",
    "103": "ce61056e",  # Overseas Trained Teacher Recognition: the corrected entry (ADR 0031)
    "104": "6f27bdeb", "211": None, "212": "57b86cef", "213": "877ba701", "214": "ec95c276", "220": None,
    "221": None, "222": "8f5c0431", "223": "2b106b9d",
}  # fmt: skip

#: §3.2 as a lookup. A key with value None maps to no route on purpose (as does an absent key).
STATUS_ROUTES: Final = MappingProxyType({k: None if v is None else route(v) for k, v in _STATUS_ROUTE_PREFIXES.items()})
#: The table as it was when the production migration ran (103 → Overseas Trained Teacher Programme).
STATUS_ROUTES_AS_RUN: Final = MappingProxyType({**STATUS_ROUTES, "103": OVERSEAS_TRAINED_TEACHER_PROGRAMME})

#: Teacher status 214 (partial QTS): its award date is ``dfeta_dateofrecognition``.
PARTIAL_RECOGNITION_STATUS: Final = "214"
#: EY status 222 (EYPS): Holds even without an EYTS date.
EYPS_STATUS: Final = "222"


# --- §3.3 ITT qualification value → route type (63 keys) ---------------------------------------------

_QUALIFICATION_ROUTE_PREFIXES: Final[dict[str, str | None]] = {
    **dict.fromkeys(
        ("001", "002", "003", "004", "005", "006", "007", "008", "009", "010", "011", "013", "014", "015", "016",
         "017", "018"),
        "32017d68",  # HEI - Historic
    ),
    **dict.fromkeys(("024", "025", "026", "030", "033"), "4514ec65"),  # Legacy ITT
    "020": "02a2135c", "021": "7721655f", "022": "f5390be5", "023": "1c626be0", "031": "002f7c96",
    "050": "9a6f368f", "043": "bed14b00", "028": "7c04865f", "400": "10078157",
    **dict.fromkeys(("019", "110", "111", "113"), "700ec96f"),  # Flexible ITT
    "100": "34222549", "101": "70368ff2", "112": "2b4862ca", "051": "57b86cef", "055": "d0b60864",
    "107": "3604ef30", "054": "ce61056e",
    **dict.fromkeys(
        ("027", "029", "032", "040", "041", "042", "049", "052", "102", "103", "104", "105", "106", "114", "115",
         "116", "401", "402", "997", "998", "999"),
        None,
    ),
}  # fmt: skip

#: §3.3 as a lookup; a None value maps to no route on purpose (012 is absent: no route, but a degree type).
QUALIFICATION_ROUTES: Final = MappingProxyType(
    {k: None if v is None else route(v) for k, v in _QUALIFICATION_ROUTE_PREFIXES.items()}
)

#: ITT qualification 998 "no qualification, restricted by GTC": DoNotMigrateNoQualificationRestrictedByGtc.
NO_QUALIFICATION_RESTRICTED_BY_GTC: Final = "998"


# --- §3.4 hard-coded overrides ---------------------------------------------------------------------------

#: Table A, ``_hardcodedRouteIdMapping``: (status value, programme type, qualification value) → route.
HARDCODED_ROUTES: Final[Mapping[ManualKey, str]] = MappingProxyType(
    {
        **dict.fromkeys(
            [("71", None, "029"), ("71", None, "999"), ("71", None, None), ("85", None, "999"), ("91", None, "999"),
             ("81", None, "999"), ("91", None, None), ("81", None, None)],
            LEGACY_MIGRATION,
        ),
        **dict.fromkeys(
            [("71", None, "042"), ("71", None, "040"), ("71", None, "049"), ("71", None, "041"), ("85", None, "042"),
             ("91", None, "042"), ("81", None, "042")],
            OTHER_QUALIFICATIONS_NON_ITT,
        ),
        ("221", None, None): EYTS_ITT_MIGRATED,
    }
)  # fmt: skip

_R = IttResult

#: Table B, ``_hardcodedIncludingResultRouteIdMapping``: (status, programme type, qualification, result) → route.
HARDCODED_RESULT_ROUTES: Final[Mapping[ResultKey, str]] = MappingProxyType(
    {
        ("221", None, "114", _R.PASS): EYTS_ITT_MIGRATED,
        **dict.fromkeys(
            [("211", None, "029", _R.DEFERRED), ("211", None, "029", _R.IN_TRAINING), ("211", None, "027", _R.DEFERRED),
             (None, None, "029", _R.DEFERRED), (None, None, "029", _R.DEFERRED_FOR_SKILLS_TESTS),
             (None, None, "029", _R.FAIL), (None, None, "029", _R.WITHDRAWN),
             (None, None, "027", _R.FAIL), (None, None, "027", _R.WITHDRAWN),
             (None, None, "999", _R.DEFERRED), (None, None, "999", _R.DEFERRED_FOR_SKILLS_TESTS),
             (None, None, "999", _R.FAIL), (None, None, "999", _R.WITHDRAWN),
             (None, None, None, _R.WITHDRAWN)],
            LEGACY_MIGRATION,
        ),
        **dict.fromkeys(
            [(None, None, "040", _R.FAIL), (None, None, "040", _R.WITHDRAWN)], OTHER_QUALIFICATIONS_NON_ITT
        ),
        **dict.fromkeys(
            [(None, None, "102", _R.DEFERRED_FOR_SKILLS_TESTS), (None, None, "102", _R.FAIL),
             (None, None, "102", _R.WITHDRAWN)],
            OVERSEAS_TRAINED_TEACHER_PROGRAMME,
        ),
    }
)  # fmt: skip


# --- §3.5 precedence --------------------------------------------------------------------------------------


class Source(StrEnum):
    """Where a candidate route comes from."""

    STATUS = "Status"
    PROGRAMME_TYPE = "ProgrammeType"
    QUALIFICATION = "Qualification"


_S = Source
#: The orders the rules of §3.5 step 4 produce.
EY_ORDER: Final = (_S.STATUS, _S.PROGRAMME_TYPE, _S.QUALIFICATION)
DEFAULT_ORDER: Final = (_S.STATUS, _S.PROGRAMME_TYPE, _S.QUALIFICATION)
MATCHED_ORDER: Final = (_S.PROGRAMME_TYPE, _S.QUALIFICATION)

_ABBREVIATIONS: Final = {
    "AOR": "AssessmentOnlyRoute", "LTP": "LicensedTeacherProgramme", "OTTP": "OverseasTrainedTeacherProgramme",
    "GTP": "GraduateTeacherProgramme", "TF": "TeachFirstProgramme", "PLPG": "Providerled_postgrad",
    "SD": "SchoolDirecttrainingprogramme", "SDS": "SchoolDirecttrainingprogramme_Salaried",
    "SDSF": "SchoolDirecttrainingprogramme_Selffunded", "APP": "Apprenticeship",
    "PSPG": "Primaryandsecondarypostgraduatefeefunded", "Core": "Core", "HEI": "HEI",
}  # fmt: skip


def _manual_keys(source: Source, keys: str) -> dict[ManualKey, Source]:
    parsed: dict[ManualKey, Source] = {}
    for key in keys.split():
        status, programme, qualification = key.split("/")
        parsed[(
            None if status == "-" else status,
            None if programme == "-" else programme_type(_ABBREVIATIONS[programme]),
            None if qualification == "-" else qualification,
        )] = source  # fmt: skip
    return parsed


#: ``_manualRouteMappingPrecedence``: 121 (status, programme type, qualification) keys → the one source to use,
#: written as in §3.5 ("-" = null). Two keys are written with their real codes (ADR 0032): "67/-/007"
#: (written "07" in the original) and "49/Core/029" (written "0029"); a test shows either spelling gives the
#: same route for every input, so this changes nothing but the table's readability.
MANUAL_PRECEDENCE: Final[Mapping[ManualKey, Source]] = MappingProxyType(
    {
        **_manual_keys(_S.QUALIFICATION, "72/-/020 72/-/026 72/-/030 72/-/110 104/-/054"),
        **_manual_keys(
            _S.PROGRAMME_TYPE,
            "49/TF/104 71/APP/020 71/APP/031 71/Core/020 71/HEI/004 71/HEI/008 71/HEI/013 71/HEI/020 71/HEI/031 "
            "71/PLPG/020 71/SD/020 71/SD/031 71/SDS/020 71/SDS/031 71/SDSF/031 76/LTP/112 211/APP/020 211/Core/020 "
            "211/HEI/020 211/PLPG/020 211/PSPG/020 211/SD/020 211/SDS/020",
        ),
        **_manual_keys(
            _S.STATUS,
            "24/LTP/112 45/AOR/100 45/GTP/100 47/-/008 49/AOR/100 49/Core/029 49/-/002 49/-/008 49/-/020 49/-/030 "
            "49/-/054 49/-/400 51/GTP/100 51/-/002 52/GTP/100 53/-/020 53/-/024 53/-/030 53/-/043 58/-/020 62/-/008 "
            "62/-/020 62/-/030 62/-/043 63/LTP/112 63/OTTP/102 63/-/112 65/-/020 65/-/030 67/HEI/105 67/TF/105 "
            "67/-/001 67/-/002 67/-/003 67/-/004 67/-/008 67/-/010 67/-/015 67/-/020 67/-/025 67/-/030 67/-/054 "
            "67/-/007 67/-/400 72/-/400 74/LTP/112 74/-/001 74/-/002 74/-/020 76/-/008 76/-/020 77/HEI/007 "
            "77/HEI/008 77/HEI/020 77/-/001 77/-/002 77/-/008 77/-/020 77/-/022 77/-/026 77/-/030 77/-/031 77/-/113 "
            "78/-/020 79/-/020 79/-/030 80/AOR/100 80/Core/110 80/Core/111 80/Core/113 80/GTP/100 80/HEI/008 "
            "80/HEI/020 80/HEI/031 80/HEI/110 80/HEI/111 80/HEI/113 80/-/002 80/-/004 80/-/008 80/-/020 80/-/022 "
            "80/-/023 80/-/030 80/-/031 80/-/400 101/-/054 102/-/020 103/HEI/054 103/OTTP/103 103/OTTP/- "
            "223/PLPG/020 223/-/054",
        ),
    }
)
#: The two manual keys as the original wrote them (for the test that shows the respelling changes nothing).
MANUAL_KEYS_AS_WRITTEN: Final = MappingProxyType(
    {
        ("67", None, "007"): ("67", None, "07"),
        ("49", programme_type("Core"), "029"): ("49", programme_type("Core"), "0029"),
    }
)

#: Rule d: status 77 with programme type Core → [ProgrammeType].
SCHOOL_CENTRED_STATUS: Final = "77"
#: Rule e, first half: these statuses with these qualifications → [Qualification] (codes with their zeros,
#: ADR 0032; the original wrote "7", "8", … and never matched).
OTHER_QUALIFICATION_STATUSES: Final = frozenset({"72", "79", "89", "82", "92", "99"})
HEI_HISTORIC_QUALIFICATIONS: Final = frozenset(
    {"007", "008", "010", "014", "009", "018", "011", "001", "002", "016", "003", "004", "013", "017", "015", "006",
     "005"}
)  # fmt: skip
#: Rule e, second half: statuses 51/52 with qualification 054 → [Qualification].
OTT_STATUSES: Final = frozenset({"51", "52"})
OTT_QUALIFICATION: Final = "054"
#: Rule f: recognition statuses whose own route always wins → [Status].
RECOGNITION_STATUSES: Final = frozenset({"213", "68", "69", "28"})
#: Teacher status 71 "Qualified teacher (trained)": the Welsh rule's status.
QUALIFIED_TRAINED_STATUS: Final = "71"


# --- §3.9 special cases ----------------------------------------------------------------------------------

#: ``WelshIttProviderIds``: 18 DQT ``account`` ids (lower-case).
WELSH_PROVIDER_IDS: Final = frozenset(
    {
        "eac72dd3-c7ae-e311-b8ed-005056822391",  # Aberystwyth University
        "5ef135c7-c7ae-e311-b8ed-005056822391",  # Bangor University
        "eb993dc1-c7ae-e311-b8ed-005056822391",  # Cardiff Institute Of Higher Education
        "157135cd-c7ae-e311-b8ed-005056822391",  # Glyndwr University
        "039a3dc1-c7ae-e311-b8ed-005056822391",  # Glyndwr University Wrexham ITT
        "2c7135cd-c7ae-e311-b8ed-005056822391",  # Swansea Institute of Higher Education
        "099a3dc1-c7ae-e311-b8ed-005056822391",  # Swansea Metropolitan University ITT
        "c8993dc1-c7ae-e311-b8ed-005056822391",  # University College Cardiff
        "d6f135c7-c7ae-e311-b8ed-005056822391",  # University College of North Wales
        "0f7135cd-c7ae-e311-b8ed-005056822391",  # University of Wales College, Newport
        "1d9a3dc1-c7ae-e311-b8ed-005056822391",  # University of Wales Institute, Cardiff
        "4d056786-c8ae-e311-b8ed-005056822391",  # University Of Wales Institute, Cardiff
        "9c993dc1-c7ae-e311-b8ed-005056822391",  # University Of Wales ITT
        "119a3dc1-c7ae-e311-b8ed-005056822391",  # University of Wales Newport
        "706f35cd-c7ae-e311-b8ed-005056822391",  # University of Wales Trinity Saint David
        "52f135c7-c7ae-e311-b8ed-005056822391",  # University of Wales, Aberystwyth ITT
        "c5993dc1-c7ae-e311-b8ed-005056822391",  # University Of Wales, Cardiff ITT
        "6af135c7-c7ae-e311-b8ed-005056822391",  # University of Wales, Swansea ITT
    }
)
#: The programme types the Welsh rule accepts besides null.
WELSH_PROGRAMME_TYPES: Final = frozenset({programme_type("HEI")})


@dataclass(frozen=True, slots=True)
class HardcodedPairing:
    """``HardcodedQtsEyMappings``: for this contact, the ITT the QTS-side pass uses and the one the EY pass uses."""

    qts_itt_id: str
    ey_itt_id: str


#: contact id → the ITT rows its passes must use (or none, if that ITT is not a candidate).
HARDCODED_PAIRINGS: Final = MappingProxyType(
    {
        "2cbbe3f2-05af-e311-b8ed-005056822391": HardcodedPairing(
            "3f5b2a42-35b0-e311-b8ed-005056822391", "69d3722c-bb91-e911-a958-000d3a2aa275"
        ),
        "c13e84ed-caae-e311-b8ed-005056822391": HardcodedPairing(
            "04ecd95d-deaf-e311-b8ed-005056822391", "03c8b2ae-3789-e911-a958-000d3a2aa275"
        ),
        "de813d0c-daae-e311-b8ed-005056822391": HardcodedPairing(
            "4fd469d2-aeaf-e311-b8ed-005056822391", "7302fcba-3589-e911-a958-000d3a2aa275"
        ),
        "2962393f-1baf-e311-b8ed-005056822391": HardcodedPairing(
            "daca45e8-474b-f011-877a-7c1e52203527", "f729cbbe-3989-e911-a958-000d3a2aa275"
        ),
    }
)


# --- §3.8 training fields ---------------------------------------------------------------------------------

#: ``CountryExtensions``: DQT country code → TRS ``countries.country_id``; a None value = no country.
COUNTRY_SUBSTITUTIONS: Final = MappingProxyType(
    {
        "AN": "NL", "XF": "GB-ENG", "XG": "GB-NIR", "XH": "GB-SCT", "XI": "GB-WLS", "XC": "CY", "XA": "CY",
        "XB": "TR", "XK": "GB", "9639": "CZ", "9880": "ES", "TW": "CN",
        "XP": None, "EU": None, "EEA Countries": None, "ZZ": None,
    }
)  # fmt: skip

#: ``IttSubjectExtensions``: the one DQT subject whose TRS reference differs: C600 named "Physical Education".
PHYSICAL_EDUCATION: Final = ("C600", "Physical Education", "C600PE")

#: TRS ``degree_types`` rows the route mapping can produce: (ITT qualification value, TRS id, name), the 38 codes
#: of ``ConvertToTrsDegreeTypeId`` (``IttQualificationExtensions.cs``) with the names its comments give.
DEGREE_TYPES: Final = (
    ("007", "969c89e7-35b8-43d8-be07-17ef76c3b4bf", "BA"),
    ("008", "dbb7c27b-8a27-4a94-908d-4b4404acebd5", "BA (Hons)"),
    ("010", "1fcd0543-14d1-4866-b961-2812239eec06", "BA (Hons) Combined Studies/Education of the Deaf"),
    ("014", "c06660d3-8964-40d0-985f-80b25eced995", "BA (Hons) with Intercalated PGCE"),
    ("009", "b96d4ad9-6da0-4dad-a9e4-e35b2a0838eb", "BA Combined Studies/Education of the Deaf"),
    ("011", "84e541d5-d55a-4d44-bc52-983322c1453f", "BA Education"),
    ("018", "eb04bde4-9a7b-4c68-b7e1-a9254e0e7467", "BA Education Certificate"),
    ("012", "826f6cc9-e5f8-4ce7-a5ee-6194d19f7e22", "BA with Intercalated PGCE"),
    ("001", "b7b0635a-22c3-41e3-a420-77b9b58c51cd", "BEd"),
    ("002", "9b35bdfa-cbd5-44fd-a45a-6167e7559de7", "BEd (Hons)"),
    ("016", "02e4f052-bd3b-490c-bea0-bd390bc5b227", "BEng (Hons)/Education"),
    ("003", "35d04fbb-c19b-4cd9-8fa6-39d90883a52a", "BSc"),
    ("004", "9959e914-f4f4-44cd-909f-e170a0f1ac42", "BSc (Hons)"),
    ("013", "9f4af7a8-14a5-4b34-af72-dc04c5245fc7", "BSc (Hons) with Intercalated PGCE"),
    ("017", "7330e2f5-dd02-4498-9b7c-5cf99d7d0cab", "BSc/Certificate in Education"),
    ("015", "72dbd225-6a7e-42af-b918-cf284bccaeef", "BSc/Education"),
    ("006", "984af9ff-bb42-48ac-a634-f2c4954c8158", "BTech (Hons)/Education"),
    ("005", "85ab05c8-be3a-4a72-9d04-9efc30d87289", "BTech/Education"),
    ("030", "b44e02b1-7257-4609-a9e5-46ed72c91b98", "Certificate in Education"),
    ("040", "4c0578b6-e9af-4c98-a3bc-038343b1436a", "Certificate in Education (FE)"),
    ("400", "fc85c7e2-7fd7-4585-8c37-c29852e6027f", "Degree"),
    ("402", "bc6c1f17-26a5-4987-9d50-2615e138e281", "Degree Equivalent (this will include foreign qualifications)"),
    ("033", "311ef3a9-6aba-4314-acf8-4bba46aebe9e", "Graduate Certificate in Education"),
    ("025", "d82637a0-33ed-4181-b00b-9d53e7853552", "Graduate Certificate in Mathematics and Education"),
    ("024", "b9ef569f-fb23-4f31-842e-a0d940d911be", "Graduate Certificate in Science and Education"),
    ("026", "54f72259-23b2-4d79-a6ca-c185084c903f", "PGCE (Articled Teachers Scheme)"),
    ("022", "2f7a914f-f95f-421a-a55e-60ed88074cf2", "Postgraduate Art Teachers Certificate"),
    ("023", "8d0440f2-f731-4ac2-b49c-927af903bf59", "Postgraduate Art Teachers Diploma"),
    ("020", "40a85dd0-8512-438e-8040-649d7d677d07", "Postgraduate Certificate in Education"),
    ("041", "c584eb2f-1419-4870-a230-5d81ae9b5f77", "Postgraduate Certificate in Education (Further Education)"),
    ("021", "63d80489-ee3d-43af-8c4a-1d6ae0d65f68", "Postgraduate Diploma in Education"),
    ("031", "d8e267d2-ed85-4eee-8119-45d0c6cc5f6b", "Professional Graduate Certificate in Education"),
    ("050", "7c703efb-a5d3-41d3-b243-ee8974695dd8", "Professional Graduate Diploma in Education"),
    ("049", "4ec0a016-07eb-47b4-8cdd-e276945d401e", "Qualification gained in Europe"),
    ("043", "b02914fe-3a30-4f7c-94ec-0cd87a75834d", "Teachers Certificate"),
    ("042", "7471551d-132e-4c5d-82cc-a41190f01245", "Teachers Certificate FE"),
    ("028", "dba69141-4101-4e05-80e0-524e3967d589", "Undergraduate Master of Teaching"),
    ("999", "9cf31754-5ac5-46a1-99e5-5c98cba1b881", "Unknown"),
)

#: ITT qualification value → TRS ``degree_types`` id (38 codes; ``ConvertToTrsDegreeTypeId``).
DEGREE_TYPE_IDS: Final = MappingProxyType({code: id_ for code, id_, _ in DEGREE_TYPES})


# --- seed rows --------------------------------------------------------------------------------------------


def route_seed_tables() -> dict[str, list[dict[str, object]]]:
    """``degree_types`` (the 38 rows of :data:`DEGREE_TYPES`) and ``route_to_professional_status_types`` (§4.2)
    as rows keyed by TRS column names, for ``trs_store``.

    Rendered into ``trs_seed.json`` by :mod:`mappings.reference.seed`; ``trs_store`` migration
    ``0005_professional_status`` holds the frozen copy (ADR 0027, ADR 0060).
    """
    return {
        "degree_types": [{"degree_type_id": id_, "name": name} for _, id_, name in DEGREE_TYPES],
        "route_to_professional_status_types": [
            {
                "route_to_professional_status_type_id": r.id,
                "name": r.name,
                "professional_status_type": int(r.professional_status_type),
                "is_active": r.is_active,
                **{column: int(req) for column, req in zip(REQUIREMENT_COLUMNS, r.requirements, strict=True)},
                "induction_exemption_reason_id": r.induction_exemption_reason_id,
            }
            for r in ROUTE_TYPES
        ],
    }
