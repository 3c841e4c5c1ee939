"""The reference's examples through ``map_professional_status`` end to end, one row per value: every ITT programme
type (alone, and awarded) and every DQT teacher status (awarded, without ITT), with the route, status, holds_from
and the person column each gives (reference §3.1, §3.2, §3.4–3.7, §5).

``test_routes_tables.py`` checks the lookup tables themselves; here the whole mapping must reach the same answer.
"""

from __future__ import annotations

import pytest

from mappings.reference import dqt_status as ds
from mappings.reference import routes as r
from mappings.reference.routes import FailureReason as F
from mappings.reference.routes import IttResult as R
from mappings.reference.routes import ProfessionalStatusType as P
from mappings.reference.routes import RouteStatus as S
from mappings.routes import ProfessionalStatusResult, map_professional_status
from tests.unit.mappings import routes_factories as rf

REFERENCE = rf.reference()

#: Each programme type: (option name, route prefix, early years). GraduateTeacherProgramme has no forward route.
PROGRAMME_TYPES = [
    ("Core", "4163c2fb", False),
    ("HEI", "10078157", False),
    ("SchoolDirecttrainingprogramme_Selffunded", "97e1811b", False),
    ("SchoolDirecttrainingprogramme_Salaried", "12a742c3", False),
    ("SchoolDirecttrainingprogramme", "d9490e58", False),
    ("TeachFirstProgramme_CC", "5b7f5e90", False),
    ("TeachFirstProgramme", "5b7f5e90", False),
    ("OverseasTrainedTeacherProgramme", "51756384", False),
    ("RegisteredTeacherProgramme", "70368ff2", False),
    ("GraduateTeacherProgramme", None, False),
    ("AssessmentOnlyRoute", "57b86cef", False),
    ("CoreFlexible", "4bd7a9f0", False),
    ("LicensedTeacherProgramme", "2b4862ca", False),
    ("UndergraduateOptIn", "20f67e38", False),
    ("EYITTAssessmentOnly", "d9eef3f8", True),
    ("EYITTGraduateEntry", "dbc4125b", True),
    ("EYITTGraduateEmploymentBased", "4477e45d", True),
    ("EYITTUndergraduate", "c97c0fd2", True),
    ("EYITTSchoolDirect_EarlyYears", "7f09002c", True),
    ("Apprenticeship", "6987240e", False),
    ("FutureTeachingScholars", "f85962c9", False),
    ("Providerled_postgrad", "97497716", False),
    ("Providerled_undergrad", "53a7fbda", False),
    ("Internationalqualifiedteacherstatus", "d0b60864", False),
    ("HighpotentialITT", "bfef20b2", False),
    ("Primaryandsecondaryundergraduatefeefunded", "321d5f9a", False),
    ("Primaryandsecondarypostgraduatefeefunded", "ef46ff51", False),
]

#: Each of the 84 DQT teacher status rows, awarded (a QTS date; 214 a recognition date) with no ITT row: the route
#: prefix, or the contact-wide failure. 71, 81 and 91 reach Legacy Migration and 221 EYTS ITT Migrated through
#: Table A's (status, ∅, ∅) keys; statuses with no route and no such key cannot derive one.
_NO_ROUTE = (
    "10", "20", "23", "30", "33", "34", "38", "40", "44", "46", "50", "54", "55", "56", "57", "59", "60", "61", "70",
    "75", "85", "93", "200", "201", "202", "203", "204", "205", "206", "207", "208", "209", "210", "999", "211", "220",
)  # fmt: skip
TEACHER_STATUSES = {
    **dict.fromkeys(_NO_ROUTE, "CannotDeriveRoute"),
    "24": "64c28594", "28": "52835b1f", "45": "5b7f5e90", "47": "70368ff2", "48": "34222549", "49": "34222549",
    "51": "51756384", "52": "51756384", "53": "45c93b5b", "58": "82aa14d3", "62": "2b4862ca", "63": "779bd3c6",
    "64": "64c28594", "65": "d5eb09cc", "66": "fc16290c", "67": "f4da123b", "68": "52835b1f", "69": "3604ef30",
    "71": "c80cb763", "72": "88867b43", "73": "aa1efd16", "74": "e5c198fa", "76": "4b6fc697", "77": "abcb0a14",
    "78": "5748d41d", "79": "88867b43", "80": "700ec96f", "81": "c80cb763", "82": "88867b43", "83": "aa1efd16",
    "87": "f4da123b", "89": "88867b43", "90": "d0b60864", "91": "c80cb763", "92": "88867b43", "97": "f4da123b",
    "99": "88867b43", "100": "57b86cef", "101": "5b7f5e90", "102": "50d18f17", "103": "ce61056e", "104": "6f27bdeb",
    "212": "57b86cef", "213": "877ba701", "214": "ec95c276", "221": "5b7d1c4e", "222": "8f5c0431", "223": "2b106b9d",
}  # fmt: skip

#: The person column a Holds route of each professional status type dates (EYPS has none: has_eyps).
PERSON_DATE = {P.QTS: "qts_date", P.EYTS: "eyts_date", P.PQTS: "pqts_date"}


def _only(result: ProfessionalStatusResult) -> tuple[str, int, object]:
    assert not result.failures, [f.message for f in result.failures]
    (route,) = result.routes
    return route["route_to_professional_status_type_id"][:8], route["status"], route["holds_from"]


def test_the_tables_cover_every_programme_type_and_every_status() -> None:
    assert [name for name, _, _ in PROGRAMME_TYPES] == list(ds.ITT_PROGRAMME_TYPE.values())
    assert sorted(TEACHER_STATUSES) == sorted({row.value for row in ds.TEACHER_STATUSES})
    assert len(TEACHER_STATUSES) == len(ds.TEACHER_STATUSES) == 84  # 81 statuses and copies of 220, 221, 222


@pytest.mark.parametrize(("programme", "prefix", "early_years"), PROGRAMME_TYPES)
def test_an_itt_row_alone_is_a_training_route_of_its_programme_type(
    programme: str, prefix: str | None, early_years: bool
) -> None:
    out = map_professional_status(rf.contact(), [rf.itt(R.IN_TRAINING, programme, None)], [], REFERENCE)
    if prefix is None:  # no candidate at all, and Table A/B keys all have a null programme type
        assert [(f.reason, f.contact_scoped) for f in out.failures] == [(F.CANNOT_DERIVE_ROUTE, True)]
        return
    assert _only(out) == (prefix, S.IN_TRAINING, None)
    route_type = r.ROUTE_TYPES_BY_ID[out.routes[0]["route_to_professional_status_type_id"]]
    assert (route_type.professional_status_type is P.EYTS) == early_years


@pytest.mark.parametrize(("programme", "prefix", "early_years"), PROGRAMME_TYPES)
def test_an_awarded_registration_with_a_passed_itt_holds_the_programme_types_route(
    programme: str, prefix: str | None, early_years: bool
) -> None:
    # non-EY: teacher status 71 (no route of its own) with a QTS date; EY: EY status 221 with an EYTS date
    qts = rf.qts(None, "221", eyts_date=rf.SUMMER) if early_years else rf.qts("71", qts_date=rf.SUMMER)
    itt = rf.itt(R.PASS, programme, None, qts=qts)
    out = map_professional_status(rf.contact(), [itt], [qts], REFERENCE)
    if prefix is None:  # 71/GTP/∅: rule g gives [Status, ProgrammeType], both null
        assert [(f.reason, f.contact_scoped) for f in out.failures] == [(F.CANNOT_DERIVE_ROUTE, True)]
        assert out.person is None
        return
    assert _only(out) == (prefix, S.HOLDS, rf.SUMMER_DATE)
    assert out.routes[0]["dqt_initial_teacher_training_id"] == itt["dfeta_initialteachertrainingid"]
    assert out.person is not None
    assert out.person["eyts_date" if early_years else "qts_date"] == rf.SUMMER_DATE


@pytest.mark.parametrize(("status", "expected"), sorted(TEACHER_STATUSES.items()))
def test_each_teacher_status_awarded_without_itt(status: str, expected: str) -> None:
    qts = rf.qts(status, recognition=rf.SUMMER) if status == "214" else rf.qts(status, qts_date=rf.SUMMER)
    out = map_professional_status(rf.contact(), [], [qts], REFERENCE)
    if expected == "CannotDeriveRoute":
        assert [(f.reason, f.contact_scoped) for f in out.failures] == [(F.CANNOT_DERIVE_ROUTE, True)]
        assert (out.routes, out.person) == ([], None)
        return
    assert _only(out) == (expected, S.HOLDS, rf.SUMMER_DATE)
    route = out.routes[0]
    assert (route["dqt_teacher_status_value"], route["dqt_qts_registration_id"]) == (
        status,
        qts["dfeta_qtsregistrationid"],
    )
    kind = r.ROUTE_TYPES_BY_ID[route["route_to_professional_status_type_id"]].professional_status_type
    assert out.person is not None
    dates = {column: out.person[column] for column in PERSON_DATE.values()}
    assert dates == {column: rf.SUMMER_DATE if PERSON_DATE.get(kind) == column else None for column in dates}
    assert out.person["has_eyps"] is (kind is P.EYPS)
