"""The professional-status tables of mappings/reference/routes.py, each row checked against the reference
(/work/shared/reference/professional-status.md, "the reference"), transcribed here independently."""

from __future__ import annotations

from typing import Any

import pytest

from mappings.reference import dqt_status as ds
from mappings.reference import routes as r
from mappings.reference.routes import IttResult as R
from mappings.reference.routes import RouteStatus as S
from mappings.reference.routes import Source, programme_type
from mappings.reference.trs import INDUCTION_EXEMPTION_REASONS
from mappings.routes import age_specialism, derive_route_type, precedence, result_status
from mappings.routes.training import country_id, degree_type_id
from tests.unit.mappings import routes_factories as rf


def route_prefix(route_id: str | None) -> str | None:
    return None if route_id is None else route_id[:8]


# --- §4.2 route types ------------------------------------------------------------------------------------


def test_there_are_66_route_types_with_unique_ids_and_prefixes() -> None:
    assert len(r.ROUTE_TYPES) == 66
    assert len({t.id for t in r.ROUTE_TYPES}) == 66
    assert len({t.id[:8] for t in r.ROUTE_TYPES}) == 66
    assert len({t.name for t in r.ROUTE_TYPES}) == 66


def test_route_types_by_professional_status_type() -> None:
    counts = {
        kind.name: sum(t.professional_status_type is kind for t in r.ROUTE_TYPES) for kind in r.ProfessionalStatusType
    }
    assert counts == {"QTS": 56, "EYTS": 7, "EYPS": 2, "PQTS": 1}
    assert sum(t.is_active for t in r.ROUTE_TYPES) == 27


@pytest.mark.parametrize(
    ("prefix", "name", "kind", "active", "req", "reason"),
    [
        ("6f27bdeb", "Apply for Qualified Teacher Status in England", "QTS", True, "NNMMNNMOO", "4c97e211"),
        ("3604ef30", "Northern Irish Recognition", "QTS", True, "NNMMNNMOO", "3471ab35"),
        ("52835b1f", "Scottish Recognition", "QTS", True, "NNMMNNMOO", "a112e691"),
        ("be6eaf8c", "QTLS and SET Membership", "QTS", True, "NNMMONOOO", "35caa6a3"),
        ("8f5c0431", "EYPS", "EYPS", False, "OONOOOOOO", None),
        ("eba0b7ae", "EYPS ITT Migrated", "EYPS", False, "OONNOOOOO", None),
        ("ec95c276", "European Recognition - PQTS", "PQTS", False, "OOMNOOOOO", None),
        ("877ba701", "Welsh Recognition", "QTS", True, "NNMNNNOOO", None),
        ("11b66de5", "Early Years Teacher Degree Apprenticeship", "EYTS", True, "OOMNOMMMM", None),
        ("5d4c01c1", "Teacher Degree Apprenticeship", "QTS", True, "OOMNOMMMM", None),
        ("bed14b00", "TC ITT", "QTS", False, "OOMNOOMOO", None),
        ("50d18f17", "Troops to Teach", "QTS", False, "OOMNOMOOO", None),
    ],
)
def test_route_type_rows(prefix: str, name: str, kind: str, active: bool, req: str, reason: str | None) -> None:
    row = r.ROUTE_TYPES_BY_ID[r.route(prefix)]
    assert (row.name, row.professional_status_type.name, row.is_active) == (name, kind, active)
    assert "".join("OMN"[int(x)] for x in row.requirements) == req
    assert route_prefix(row.induction_exemption_reason_id) == reason


def test_only_four_route_types_carry_an_exemption_reason_and_those_reasons_exist() -> None:
    reasons = {t.id[:8]: t.induction_exemption_reason_id for t in r.ROUTE_TYPES if t.induction_exemption_reason_id}
    assert set(reasons) == {"6f27bdeb", "3604ef30", "52835b1f", "be6eaf8c"}
    assert set(reasons.values()) <= {reason.id for reason in INDUCTION_EXEMPTION_REASONS}


def test_early_years_route_types_are_the_five_early_years_itt_types() -> None:
    assert {t.id[:8] for t in r.ROUTE_TYPES if t.is_early_years} == {
        "d9eef3f8", "4477e45d", "dbc4125b", "7f09002c", "c97c0fd2",
    }  # fmt: skip


def test_route_rejects_an_unknown_prefix() -> None:
    with pytest.raises(KeyError):
        r.route("00000000")
    with pytest.raises(KeyError):
        r.route("")  # matches all 66


def test_route_seed_rows() -> None:
    rows = r.route_seed_tables()["route_to_professional_status_types"]
    assert len(rows) == 66
    qtls = next(row for row in rows if row["name"] == "QTLS and SET Membership")
    assert qtls == {
        "route_to_professional_status_type_id": "be6eaf8c-92dd-4eff-aad3-1c89c4bec18c",
        "name": "QTLS and SET Membership",
        "professional_status_type": 0,
        "is_active": True,
        "training_start_date_required": 2,
        "training_end_date_required": 2,
        "holds_from_required": 1,
        "induction_exemption_required": 1,
        "training_provider_required": 0,
        "degree_type_required": 2,
        "training_country_required": 0,
        "training_age_specialism_type_required": 0,
        "training_subjects_required": 0,
        "induction_exemption_reason_id": "35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db",
    }


# --- §3.1 programme type → route -------------------------------------------------------------------------

PROGRAMME_TYPE_TABLE = [
    (389040000, "Core", False, "4163c2fb"),
    (389040001, "HEI", False, "10078157"),
    (389040002, "SchoolDirecttrainingprogramme_Selffunded", False, "97e1811b"),
    (389040003, "SchoolDirecttrainingprogramme_Salaried", False, "12a742c3"),
    (389040004, "SchoolDirecttrainingprogramme", False, "d9490e58"),
    (389040005, "TeachFirstProgramme_CC", False, "5b7f5e90"),
    (389040006, "TeachFirstProgramme", False, "5b7f5e90"),
    (389040007, "OverseasTrainedTeacherProgramme", False, "51756384"),
    (389040008, "RegisteredTeacherProgramme", False, "70368ff2"),
    (389040009, "GraduateTeacherProgramme", False, None),
    (389040010, "AssessmentOnlyRoute", False, "57b86cef"),
    (389040011, "CoreFlexible", False, "4bd7a9f0"),
    (389040012, "LicensedTeacherProgramme", False, "2b4862ca"),
    (389040013, "UndergraduateOptIn", False, "20f67e38"),
    (389040014, "EYITTAssessmentOnly", True, "d9eef3f8"),
    (389040015, "EYITTGraduateEntry", True, "dbc4125b"),
    (389040016, "EYITTGraduateEmploymentBased", True, "4477e45d"),
    (389040017, "EYITTUndergraduate", True, "c97c0fd2"),
    (389040018, "EYITTSchoolDirect_EarlyYears", True, "7f09002c"),
    (389040019, "Apprenticeship", False, "6987240e"),
    (389040020, "FutureTeachingScholars", False, "f85962c9"),
    (389040021, "Providerled_postgrad", False, "97497716"),
    (389040022, "Providerled_undergrad", False, "53a7fbda"),
    (389040023, "Internationalqualifiedteacherstatus", False, "d0b60864"),
    (389040024, "HighpotentialITT", False, "bfef20b2"),
    (389040025, "Primaryandsecondaryundergraduatefeefunded", False, "321d5f9a"),
    (389040026, "Primaryandsecondarypostgraduatefeefunded", False, "ef46ff51"),
]


@pytest.mark.parametrize(("value", "name", "ey", "prefix"), PROGRAMME_TYPE_TABLE)
def test_programme_type_route(value: int, name: str, ey: bool, prefix: str | None) -> None:
    row = r.PROGRAMME_TYPES_BY_VALUE[value]
    assert (row.name, row.is_early_years) == (name, ey)
    assert route_prefix(r.PROGRAMME_TYPE_ROUTES.get(value)) == prefix
    # the simulator's option set agrees (mappings/reference/dqt_status.py)
    assert ds.ITT_PROGRAMME_TYPE[value] == name
    assert (value in ds.EARLY_YEARS_PROGRAMME_TYPES) == ey


def test_programme_type_table_is_complete() -> None:
    assert len(r.PROGRAMME_TYPES) == 27
    assert set(r.PROGRAMME_TYPES_BY_VALUE) == set(ds.ITT_PROGRAMME_TYPE)
    assert len(r.PROGRAMME_TYPE_ROUTES) == 26  # GraduateTeacherProgramme is missing from the forward map


# --- §3.2 status → route (48 keys) -----------------------------------------------------------------------

STATUS_TABLE = [
    ("24", "64c28594"), ("28", "52835b1f"), ("45", "5b7f5e90"), ("47", "70368ff2"), ("48", "34222549"),
    ("49", "34222549"), ("51", "51756384"), ("52", "51756384"), ("53", "45c93b5b"), ("58", "82aa14d3"),
    ("62", "2b4862ca"), ("63", "779bd3c6"), ("64", "64c28594"), ("65", "d5eb09cc"), ("66", "fc16290c"),
    ("67", "f4da123b"), ("68", "52835b1f"), ("69", "3604ef30"), ("71", None), ("72", "88867b43"),
    ("73", "aa1efd16"), ("74", "e5c198fa"), ("76", "4b6fc697"), ("77", "abcb0a14"), ("78", "5748d41d"),
    ("79", "88867b43"), ("80", "700ec96f"), ("82", "88867b43"), ("83", "aa1efd16"), ("87", "f4da123b"),
    ("89", "88867b43"), ("90", "d0b60864"), ("92", "88867b43"), ("97", "f4da123b"), ("99", "88867b43"),
    ("100", "57b86cef"), ("101", "5b7f5e90"), ("102", "50d18f17"), ("103", "ce61056e"), ("104", "6f27bdeb"),
    ("211", None), ("212", "57b86cef"), ("213", "877ba701"), ("214", "ec95c276"), ("220", None), ("221", None),
    ("222", "8f5c0431"), ("223", "2b106b9d"),
]  # fmt: skip

#: §1.3: teacher statuses that are not keys of the map and so derive no route.
STATUSES_WITHOUT_ROUTE = [
    "10", "20", "23", "30", "33", "34", "38", "40", "44", "46", "50", "54", "55", "56", "57", "59", "60", "61", "70",
    "75", "81", "85", "91", "93", "200", "201", "202", "203", "204", "205", "206", "207", "208", "209", "210", "999",
]  # fmt: skip


@pytest.mark.parametrize(("value", "prefix"), STATUS_TABLE)
def test_status_route(value: str, prefix: str | None) -> None:
    assert value in r.STATUS_ROUTES
    assert route_prefix(r.STATUS_ROUTES[value]) == prefix
    assert value in {row.value for row in ds.TEACHER_STATUSES}  # every key is a real DQT status


@pytest.mark.parametrize("value", STATUSES_WITHOUT_ROUTE)
def test_statuses_without_a_route(value: str) -> None:
    assert value not in r.STATUS_ROUTES
    assert value in {row.value for row in ds.TEACHER_STATUSES}


def test_status_table_is_complete_and_differs_from_the_production_run_only_for_103() -> None:
    assert len(r.STATUS_ROUTES) == 48
    assert len(ds.TEACHER_STATUSES) == 84
    assert {row.value for row in ds.TEACHER_STATUSES} == set(r.STATUS_ROUTES) | set(STATUSES_WITHOUT_ROUTE)
    changed = {k for k in r.STATUS_ROUTES if r.STATUS_ROUTES[k] != r.STATUS_ROUTES_AS_RUN[k]}
    assert changed == {"103"}
    assert r.STATUS_ROUTES_AS_RUN["103"] == r.OVERSEAS_TRAINED_TEACHER_PROGRAMME


# --- §3.3 qualification → route (63 keys) ----------------------------------------------------------------

QUALIFICATION_TABLE: dict[str | None, str] = {
    "32017d68": "001 002 003 004 005 006 007 008 009 010 011 013 014 015 016 017 018",
    "4514ec65": "024 025 026 030 033",
    "02a2135c": "020",
    "7721655f": "021",
    "f5390be5": "022",
    "1c626be0": "023",
    "002f7c96": "031",
    "9a6f368f": "050",
    "bed14b00": "043",
    "7c04865f": "028",
    "10078157": "400",
    "700ec96f": "019 110 111 113",
    "34222549": "100",
    "70368ff2": "101",
    "2b4862ca": "112",
    "57b86cef": "051",
    "d0b60864": "055",
    "3604ef30": "107",
    "ce61056e": "054",
    None: "027 029 032 040 041 042 049 052 102 103 104 105 106 114 115 116 401 402 997 998 999",
}
QUALIFICATION_ROWS = [(code, prefix) for prefix, codes in QUALIFICATION_TABLE.items() for code in codes.split()]


@pytest.mark.parametrize(("code", "prefix"), QUALIFICATION_ROWS)
def test_qualification_route(code: str, prefix: str | None) -> None:
    assert code in r.QUALIFICATION_ROUTES
    assert route_prefix(r.QUALIFICATION_ROUTES[code]) == prefix
    assert code in {row.value for row in ds.ITT_QUALIFICATIONS}


def test_qualification_table_is_complete() -> None:
    assert len(QUALIFICATION_ROWS) == 63
    assert len(r.QUALIFICATION_ROUTES) == 63
    assert "012" not in r.QUALIFICATION_ROUTES  # no route, but a degree type
    assert degree_type_id("012") is not None
    assert all(len(code) == 3 for code in r.QUALIFICATION_ROUTES)


# --- §3.4 Table A and Table B -----------------------------------------------------------------------------

TABLE_A = [
    (("71", None, "029"), "c80cb763"), (("71", None, "999"), "c80cb763"), (("71", None, None), "c80cb763"),
    (("85", None, "999"), "c80cb763"), (("91", None, "999"), "c80cb763"), (("81", None, "999"), "c80cb763"),
    (("91", None, None), "c80cb763"), (("81", None, None), "c80cb763"),
    (("71", None, "042"), "88867b43"), (("71", None, "040"), "88867b43"), (("71", None, "049"), "88867b43"),
    (("71", None, "041"), "88867b43"), (("85", None, "042"), "88867b43"), (("91", None, "042"), "88867b43"),
    (("81", None, "042"), "88867b43"),
    (("221", None, None), "5b7d1c4e"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "prefix"), TABLE_A)
def test_table_a(key: tuple[str, None, str | None], prefix: str) -> None:
    assert route_prefix(r.HARDCODED_ROUTES[key]) == prefix
    status, programme, qualification = key
    derived = derive_route_type(
        early_years=status == "221", status=status, programme=programme, qualification=qualification, result=None,
        has_matched=False,
    )  # fmt: skip
    assert route_prefix(derived) == prefix


TABLE_B = [
    (("221", None, "114", R.PASS), "5b7d1c4e"),
    (("211", None, "029", R.DEFERRED), "c80cb763"), (("211", None, "029", R.IN_TRAINING), "c80cb763"),
    (("211", None, "027", R.DEFERRED), "c80cb763"),
    *(((None, None, "029", res), "c80cb763") for res in (R.DEFERRED, R.DEFERRED_FOR_SKILLS_TESTS, R.FAIL, R.WITHDRAWN)),
    *(((None, None, "027", res), "c80cb763") for res in (R.FAIL, R.WITHDRAWN)),
    *(((None, None, "999", res), "c80cb763") for res in (R.DEFERRED, R.DEFERRED_FOR_SKILLS_TESTS, R.FAIL, R.WITHDRAWN)),
    ((None, None, None, R.WITHDRAWN), "c80cb763"),
    *(((None, None, "040", res), "88867b43") for res in (R.FAIL, R.WITHDRAWN)),
    *(((None, None, "102", res), "51756384") for res in (R.DEFERRED_FOR_SKILLS_TESTS, R.FAIL, R.WITHDRAWN)),
]  # fmt: skip


@pytest.mark.parametrize(("key", "prefix"), TABLE_B)
def test_table_b(key: tuple[str | None, None, str | None, R], prefix: str) -> None:
    assert route_prefix(r.HARDCODED_RESULT_ROUTES[key]) == prefix
    status, programme, qualification, result = key
    derived = derive_route_type(
        early_years=status == "221", status=status, programme=programme, qualification=qualification, result=result,
        has_matched=False,
    )  # fmt: skip
    assert route_prefix(derived) == prefix


def test_hardcoded_tables_are_complete() -> None:
    assert len(r.HARDCODED_ROUTES) == len(TABLE_A) == 16
    assert len(r.HARDCODED_RESULT_ROUTES) == len(TABLE_B) == 20


# --- §3.5 the 121 manual precedence keys -----------------------------------------------------------------

_ABBREVIATIONS = {
    "AOR": "AssessmentOnlyRoute", "LTP": "LicensedTeacherProgramme", "OTTP": "OverseasTrainedTeacherProgramme",
    "GTP": "GraduateTeacherProgramme", "TF": "TeachFirstProgramme", "PLPG": "Providerled_postgrad",
    "SD": "SchoolDirecttrainingprogramme", "SDS": "SchoolDirecttrainingprogramme_Salaried",
    "SDSF": "SchoolDirecttrainingprogramme_Selffunded", "APP": "Apprenticeship",
    "PSPG": "Primaryandsecondarypostgraduatefeefunded", "Core": "Core", "HEI": "HEI",
}  # fmt: skip
#: The reference's list verbatim ("–" = null), including its odd codes "0029" and "07".
MANUAL_TEXT = {
    Source.QUALIFICATION: "72/–/020, 72/–/026, 72/–/030, 72/–/110, 104/–/054",
    Source.PROGRAMME_TYPE: (
        "49/TF/104, 71/APP/020, 71/APP/031, 71/Core/020, 71/HEI/004, 71/HEI/008, 71/HEI/013, 71/HEI/020, 71/HEI/031, "
        "71/PLPG/020, 71/SD/020, 71/SD/031, 71/SDS/020, 71/SDS/031, 71/SDSF/031, 76/LTP/112, 211/APP/020, "
        "211/Core/020, 211/HEI/020, 211/PLPG/020, 211/PSPG/020, 211/SD/020, 211/SDS/020"
    ),
    Source.STATUS: (
        "24/LTP/112, 45/AOR/100, 45/GTP/100, 47/–/008, 49/AOR/100, 49/Core/0029, 49/–/002, 49/–/008, 49/–/020, "
        "49/–/030, 49/–/054, 49/–/400, 51/GTP/100, 51/–/002, 52/GTP/100, 53/–/020, 53/–/024, 53/–/030, 53/–/043, "
        "58/–/020, 62/–/008, 62/–/020, 62/–/030, 62/–/043, 63/LTP/112, 63/OTTP/102, 63/–/112, 65/–/020, 65/–/030, "
        "67/HEI/105, 67/TF/105, 67/–/001, 67/–/002, 67/–/003, 67/–/004, 67/–/008, 67/–/010, 67/–/015, 67/–/020, "
        "67/–/025, 67/–/030, 67/–/054, 67/–/07, 67/–/400, 72/–/400, 74/LTP/112, 74/–/001, 74/–/002, 74/–/020, "
        "76/–/008, 76/–/020, 77/HEI/007, 77/HEI/008, 77/HEI/020, 77/–/001, 77/–/002, 77/–/008, 77/–/020, 77/–/022, "
        "77/–/026, 77/–/030, 77/–/031, 77/–/113, 78/–/020, 79/–/020, 79/–/030, 80/AOR/100, 80/Core/110, 80/Core/111, "
        "80/Core/113, 80/GTP/100, 80/HEI/008, 80/HEI/020, 80/HEI/031, 80/HEI/110, 80/HEI/111, 80/HEI/113, 80/–/002, "
        "80/–/004, 80/–/008, 80/–/020, 80/–/022, 80/–/023, 80/–/030, 80/–/031, 80/–/400, 101/–/054, 102/–/020, "
        "103/HEI/054, 103/OTTP/103, 103/OTTP/–, 223/PLPG/020, 223/–/054"
    ),
}
#: ADR 0032: the two odd codes written as the real codes.
_RESPELLED = {"0029": "029", "07": "007"}


def _manual_rows() -> list[tuple[tuple[str, int | None, str | None], Source]]:
    rows = []
    for source, text in MANUAL_TEXT.items():
        for key in text.split(", "):
            status, programme, qualification = key.split("/")
            rows.append((
                (
                    status,
                    None if programme == "–" else programme_type(_ABBREVIATIONS[programme]),
                    None if qualification == "–" else _RESPELLED.get(qualification, qualification),
                ),
                source,
            ))  # fmt: skip
    return rows


MANUAL_ROWS = _manual_rows()


def test_there_are_121_manual_keys() -> None:
    assert len(MANUAL_ROWS) == 121
    assert len(r.MANUAL_PRECEDENCE) == 121
    assert [s for _, s in MANUAL_ROWS].count(Source.STATUS) == 93


@pytest.mark.parametrize(("key", "source"), MANUAL_ROWS)
def test_manual_precedence(key: tuple[str, int | None, str | None], source: Source) -> None:
    assert r.MANUAL_PRECEDENCE[key] is source
    status, programme, qualification = key
    unmatched = precedence(
        early_years=False, status=status, programme=programme, qualification=qualification, has_matched=False
    )
    assert unmatched == (source,)
    matched = precedence(
        early_years=False, status=status, programme=programme, qualification=qualification, has_matched=True
    )
    if programme is None:  # rule a comes first
        assert matched == (Source.QUALIFICATION,)
    elif source is Source.STATUS:
        assert matched == (Source.PROGRAMME_TYPE, Source.QUALIFICATION)
    else:
        assert matched == (source,)


# --- §3.9 Welsh providers and hard-coded pairings ---------------------------------------------------------


def test_welsh_providers_are_the_18_ids_the_simulator_seeds() -> None:
    assert len(r.WELSH_PROVIDER_IDS) == 18
    assert r.WELSH_PROVIDER_IDS == ds.WELSH_PROVIDER_IDS


def test_the_four_hardcoded_pairings() -> None:
    assert dict(r.HARDCODED_PAIRINGS) == {
        "2cbbe3f2-05af-e311-b8ed-005056822391": r.HardcodedPairing(
            "3f5b2a42-35b0-e311-b8ed-005056822391", "69d3722c-bb91-e911-a958-000d3a2aa275"
        ),
        "c13e84ed-caae-e311-b8ed-005056822391": r.HardcodedPairing(
            "04ecd95d-deaf-e311-b8ed-005056822391", "03c8b2ae-3789-e911-a958-000d3a2aa275"
        ),
        "de813d0c-daae-e311-b8ed-005056822391": r.HardcodedPairing(
            "4fd469d2-aeaf-e311-b8ed-005056822391", "7302fcba-3589-e911-a958-000d3a2aa275"
        ),
        "2962393f-1baf-e311-b8ed-005056822391": r.HardcodedPairing(
            "daca45e8-474b-f011-877a-7c1e52203527", "f729cbbe-3989-e911-a958-000d3a2aa275"
        ),
    }


# --- §2.1 / §3.7 ITT results -------------------------------------------------------------------------------

RESULT_TABLE: list[tuple[R, Any]] = [
    (R.PASS, r.FailureReason.PASS_RESULT_HAS_NO_AWARD_DATE),
    (R.FAIL, S.FAILED),
    (R.WITHDRAWN, S.WITHDRAWN),
    (R.IN_TRAINING, S.IN_TRAINING),
    (R.APPROVED, r.FailureReason.APPROVED_RESULT_HAS_NO_AWARD_DATE),
    (R.DEFERRED, S.DEFERRED),
    (R.DEFERRED_FOR_SKILLS_TESTS, S.DEFERRED_FOR_SKILLS_TEST),
    (R.UNDER_ASSESSMENT, S.UNDER_ASSESSMENT),
    (R.APPLICATION_RECEIVED, "ignored"),
    (R.APPLICATION_UNSUCCESSFUL, "ignored"),
    (R.INFO, r.FailureReason.CANNOT_MAP_STATUS),
    (R.NO_RESULT_SUBMITTED, "ignored"),
]


@pytest.mark.parametrize(("result", "expected"), RESULT_TABLE)
def test_result_treatment(result: R, expected: Any) -> None:
    if expected == "ignored":
        assert result in r.IGNORED_RESULTS
    else:
        assert result not in r.IGNORED_RESULTS
        assert result_status(result) == expected


def test_result_values_match_the_dqt_option_set() -> None:
    from mappings.reference.dqt import ITT_RESULT

    assert {int(x) for x in R} == set(ITT_RESULT)
    assert [int(s) for s in S] == [0, 1, 2, 3, 4, 5, 6]


# --- §2.3 / §3.8 age ranges and age specialism ----------------------------------------------------------

AGES = {
    **{389039999 + n: (f"_{n:02d}", (n,)) for n in range(1, 20)},
    389040029: ("_00", (0,)),
    389040019: ("_99", (99,)),
    389040020: ("FurtherEducation", (16, 19)),
    389040021: ("FoundationStage", (0, 5)),
    389040022: ("KeyStage1", (5, 7)),
    389040023: ("KeyStage2", (7, 11)),
    389040024: ("KeyStage3", (11, 14)),
    389040025: ("KeyStage4", (14, 16)),
    389040026: ("Notapplicable", ()),
    389040027: ("Other", ()),
    389040028: ("Post16", (16, 18)),
}


@pytest.mark.parametrize(("value", "expected"), sorted(AGES.items()))
def test_age_range_option(value: int, expected: tuple[str, tuple[int, ...]]) -> None:
    row = r.AGE_RANGES_BY_VALUE[value]
    assert (row.name, row.ages) == expected
    assert ds.AGE_RANGE[value] == row.name


def test_age_range_options_match_the_simulator() -> None:
    assert set(r.AGE_RANGES_BY_VALUE) == set(ds.AGE_RANGE) == set(AGES)


_T = r.TrainingAgeSpecialismType
FS, KS1, KS2, KS3, KS4, FE, NA, OTHER, POST16 = (
    389040021, 389040022, 389040023, 389040024, 389040025, 389040020, 389040026, 389040027, 389040028,
)  # fmt: skip


def _age(n: int) -> int:
    return ds.age_option(n)


AGE_SPECIALISM_CASES = [
    ((None, None), None),
    ((FS, FS), (_T.FOUNDATION_STAGE, None, None)),
    ((KS1, None), (_T.KEY_STAGE_1, None, None)),
    ((None, KS2), (_T.KEY_STAGE_2, None, None)),
    ((KS3, KS3), (_T.KEY_STAGE_3, None, None)),
    ((KS4, KS4), (_T.KEY_STAGE_4, None, None)),
    ((FE, FE), (_T.FURTHER_EDUCATION, None, None)),
    ((KS2, KS3), (_T.RANGE, 7, 14)),
    ((FS, KS2), (_T.RANGE, 0, 11)),
    ((POST16, POST16), (_T.RANGE, 16, 18)),  # Post 16 is not a band type
    ((_age(5), _age(11)), (_T.RANGE, 5, 11)),
    ((_age(0), _age(5)), (_T.RANGE, 0, 5)),
    ((_age(11), None), (_T.RANGE, 11, 11)),
    ((_age(99), _age(99)), (_T.RANGE, 99, 99)),
    ((_age(14), KS4), (_T.RANGE, 14, 16)),
    ((NA, _age(7)), (_T.RANGE, 7, 7)),
    ((NA, NA), None),
    ((OTHER, None), None),
    ((NA, OTHER), None),
    ((KS1, NA), (_T.RANGE, 5, 7)),
]


@pytest.mark.parametrize(("ages", "expected"), AGE_SPECIALISM_CASES)
def test_age_specialism(
    ages: tuple[int | None, int | None], expected: tuple[_T, int | None, int | None] | None
) -> None:
    got = age_specialism(*ages)
    assert (None if got is None else (got.type, got.range_from, got.range_to)) == expected


# --- §3.8 countries and degree types ---------------------------------------------------------------------

COUNTRY_CASES = [
    ("AN", "NL"), ("XF", "GB-ENG"), ("XG", "GB-NIR"), ("XH", "GB-SCT"), ("XI", "GB-WLS"), ("XC", "CY"), ("XA", "CY"),
    ("XB", "TR"), ("XK", "GB"), ("9639", "CZ"), ("9880", "ES"), ("TW", "CN"),
    ("XP", None), ("EU", None), ("EEA Countries", None), ("ZZ", None),
    ("FR", "FR"), ("GB", "GB"), ("WA", "WA"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "expected"), COUNTRY_CASES)
def test_country_substitution(code: str, expected: str | None) -> None:
    assert country_id(code, rf.reference()) == expected


def test_country_unknown_to_trs_is_left_out() -> None:
    reference = rf.reference(trs_countries=["GB", "GB-ENG", "FR"])
    assert country_id("XF", reference) == "GB-ENG"
    assert country_id("WA", reference) is None
    assert country_id(None, reference) is None


DEGREE_TYPE_CODES = [
    "001",
    "002",
    "003",
    "004",
    "005",
    "006",
    "007",
    "008",
    "009",
    "010",
    "011",
    "012",
    "013",
    "014",
    "015",
    "016",
    "017",
    "018",
    "020",
    "021",
    "022",
    "023",
    "024",
    "025",
    "026",
    "028",
    "030",
    "031",
    "033",
    "040",
    "041",
    "042",
    "043",
    "049",
    "050",
    "400",
    "402",
    "999",
]


@pytest.mark.parametrize("code", DEGREE_TYPE_CODES)
def test_degree_type(code: str) -> None:
    assert degree_type_id(code) == r.DEGREE_TYPE_IDS[code]


def test_degree_types_cover_exactly_the_38_codes() -> None:
    assert sorted(r.DEGREE_TYPE_IDS) == DEGREE_TYPE_CODES
    assert len(DEGREE_TYPE_CODES) == 38
    assert len(set(r.DEGREE_TYPE_IDS.values())) == 38
    assert degree_type_id("110") is None
    assert degree_type_id(None) is None
