"""Route type derivation (reference §3.5): the candidates, the precedence rules a–h, the Welsh rule, and the
corrected defects (ADR 0031: status 103; ADR 0032: qualification codes with their leading zeros)."""

from __future__ import annotations

import itertools

import pytest

from mappings.reference import routes as r
from mappings.reference.routes import IttResult as R
from mappings.reference.routes import Source, programme_type
from mappings.routes import Candidates, candidates, derive_route_type, precedence
from mappings.routes.derive import is_welsh

PT = programme_type
Q, P, S = Source.QUALIFICATION, Source.PROGRAMME_TYPE, Source.STATUS
WELSH = "eac72dd3-c7ae-e311-b8ed-005056822391"  # Aberystwyth University


def derive(
    status: str | None,
    programme: str | None,
    qualification: str | None,
    *,
    result: R | None = None,
    ey: bool = False,
    matched: bool = False,
    welsh: bool = False,
) -> str | None:
    route = derive_route_type(
        early_years=ey,
        status=status,
        programme=None if programme is None else PT(programme),
        qualification=qualification,
        result=result,
        has_matched=matched,
        welsh=welsh,
    )
    return None if route is None else route[:8]


def order(
    status: str | None, programme: str | None, qualification: str | None, *, matched: bool = False
) -> tuple[Source, ...]:
    return precedence(
        early_years=False,
        status=status,
        programme=None if programme is None else PT(programme),
        qualification=qualification,
        has_matched=matched,
    )


# --- step 2: one distinct candidate -------------------------------------------------------------------------


def test_candidates_are_looked_up_independently() -> None:
    found = candidates("67", PT("HEI"), "020")
    assert (found.programme_type[:8], found.status[:8], found.qualification[:8]) == ("10078157", "f4da123b", "02a2135c")  # type: ignore[index]
    assert candidates(None, None, None) == Candidates(None, None, None)
    assert candidates("71", PT("GraduateTeacherProgramme"), "029") == candidates(None, None, None)


@pytest.mark.parametrize(
    ("status", "programme", "qualification", "expected"),
    [
        ("100", None, None, "57b86cef"),  # status only
        (None, "HEI", None, "10078157"),  # programme type only
        (None, None, "020", "02a2135c"),  # qualification only
        ("100", "AssessmentOnlyRoute", "051", "57b86cef"),  # three sources agreeing are one candidate
        ("71", "HEI", "029", "10078157"),  # null-valued keys are no candidate
        ("85", "Core", "998", "4163c2fb"),  # unknown status, null qualification
    ],
)
def test_a_single_distinct_candidate_wins(
    status: str | None, programme: str | None, qualification: str | None, expected: str
) -> None:
    assert derive(status, programme, qualification) == expected
    assert derive(status, programme, qualification, matched=True) == expected


def test_no_candidate_and_no_table_hit_derives_nothing() -> None:
    assert derive("85", None, None) is None  # CannotDeriveRoute for the caller
    assert derive(None, "GraduateTeacherProgramme", "029", result=R.PASS) is None


def test_table_a_applies_only_with_a_null_programme_type() -> None:
    assert derive("71", None, "999") == "c80cb763"
    assert derive("71", "GraduateTeacherProgramme", "999") is None


def test_table_b_needs_the_result() -> None:
    assert derive(None, None, "029", result=R.FAIL) == "c80cb763"
    assert derive(None, None, "029", result=R.PASS) is None
    assert derive(None, None, "029") is None


def test_table_a_is_consulted_before_the_precedence_rules() -> None:
    # 71/-/040: no candidate at all; Table A gives Other Qualifications non ITT even when matched
    assert derive("71", None, "040", matched=True) == "88867b43"


# --- step 4: precedence rules -------------------------------------------------------------------------------


def test_early_years_side_order() -> None:
    assert precedence(early_years=True, status="222", programme=PT("EYITTGraduateEntry"), qualification=None,
                      has_matched=True) == (S, P, Q)  # fmt: skip
    assert derive("222", "EYITTGraduateEntry", "114", ey=True) == "8f5c0431"  # EYPS over the EY programme
    assert derive("220", "EYITTGraduateEntry", "400", ey=True) == "dbc4125b"  # no status route: programme type


def test_rule_a_matched_and_no_programme_type_takes_the_qualification() -> None:
    assert order("67", None, "020", matched=True) == (Q,)
    assert derive("67", None, "020", matched=True) == "02a2135c"
    assert derive("67", None, "020", matched=False) == "f4da123b"  # manual key: Status


def test_rule_b_manual_key() -> None:
    assert order("72", None, "020") == (Q,)
    assert derive("72", None, "020") == "02a2135c"
    assert order("71", "HEI", "020") == (P,)
    assert derive("71", "HEI", "020") == "10078157"
    assert order("80", "HEI", "020") == (S,)
    assert derive("80", "HEI", "020") == "700ec96f"


def test_rule_b_status_becomes_programme_then_qualification_when_matched() -> None:
    assert order("80", "HEI", "020", matched=True) == (P, Q)
    assert derive("80", "HEI", "020", matched=True) == "10078157"


def test_rule_c_matched_takes_programme_then_qualification() -> None:
    assert order("67", "Core", "020", matched=True) == (P, Q)
    assert derive("67", "Core", "020", matched=True) == "4163c2fb"


def test_rule_d_school_centred_with_core() -> None:
    assert order("77", "Core", "400") == (P,)
    assert derive("77", "Core", "400") == "4163c2fb"


def test_rule_f_recognition_statuses_keep_their_own_route() -> None:
    for status, prefix in (("213", "877ba701"), ("68", "52835b1f"), ("69", "3604ef30"), ("28", "52835b1f")):
        assert order(status, "HEI", "400") == (S,)
        assert derive(status, "HEI", "400") == prefix


def test_rule_g_programme_type_set() -> None:
    assert order("67", "Core", "001") == (S, P)
    assert derive("67", "Core", "001") == "f4da123b"
    assert derive("211", "Core", "400") == "4163c2fb"  # 211 has no route: the programme type is next


def test_rule_h_default() -> None:
    assert order("67", None, "043") == (S, P, Q)
    assert derive("67", None, "043") == "f4da123b"
    assert derive("211", None, "043") == "bed14b00"  # 211 has no route: the qualification


# --- ADR 0032: rule e with the real three-digit codes -------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "qualification"),
    list(itertools.product(sorted(r.OTHER_QUALIFICATION_STATUSES), sorted(r.HEI_HISTORIC_QUALIFICATIONS))),
)
def test_rule_e_other_qualification_statuses_with_a_historic_degree_take_hei_historic(
    status: str, qualification: str
) -> None:
    if (status, None, qualification) in r.MANUAL_PRECEDENCE:
        pytest.skip("a manual key (rule b) comes first")
    assert order(status, None, qualification) == (Q,)
    assert derive(status, None, qualification) == "32017d68"  # HEI - Historic, not Other Qualifications non ITT


@pytest.mark.parametrize("status", ["51", "52"])
def test_rule_e_ott_statuses_with_qualification_054_take_ott_recognition(status: str) -> None:
    assert order(status, None, "054") == (Q,)
    assert derive(status, None, "054") == "ce61056e"
    assert derive(status, "HEI", "054") == "ce61056e"


def test_rule_e_as_the_original_wrote_it_never_matched() -> None:
    # The original compared real codes ("007", "054") with "7" and "54"; rule h then chose the status route.
    as_written = {"7", "8", "10", "14", "9", "18", "11", "1", "2", "16", "3", "4", "13", "17", "15", "6", "5"}
    assert not as_written & set(r.QUALIFICATION_ROUTES)
    assert "54" not in r.QUALIFICATION_ROUTES
    # what the original produced for these inputs, for the record of the behaviour change:
    assert candidates("72", None, "007").status[:8] == "88867b43"  # type: ignore[index]
    assert candidates("51", None, "054").status[:8] == "51756384"  # type: ignore[index]


@pytest.mark.parametrize("matched", [False, True])
@pytest.mark.parametrize("result", [None, *R])
@pytest.mark.parametrize("key", list(r.MANUAL_KEYS_AS_WRITTEN))
def test_respelled_manual_keys_change_no_outcome(
    key: tuple[str, int | None, str], result: R | None, matched: bool
) -> None:
    """ADR 0032: "07" → "007" and "0029" → "029" give the same route as the literal keys, for every input."""
    literal = dict(r.MANUAL_PRECEDENCE)
    source = literal.pop(key)
    literal[r.MANUAL_KEYS_AS_WRITTEN[key]] = source
    status, programme, qualification = key
    arguments = {
        "early_years": False, "status": status, "programme": programme, "qualification": qualification,
        "result": result, "has_matched": matched,
    }  # fmt: skip
    assert derive_route_type(**arguments) == derive_route_type(**arguments, manual=literal)  # type: ignore[arg-type]


# --- ADR 0031: status 103 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("programme", "qualification"),
    [(None, None), ("OverseasTrainedTeacherProgramme", None), ("OverseasTrainedTeacherProgramme", "103"),
     ("HEI", "054"), (None, "054"), (None, "999")],
)  # fmt: skip
def test_status_103_maps_to_overseas_trained_teacher_recognition(
    programme: str | None, qualification: str | None
) -> None:
    assert derive("103", programme, qualification) == "ce61056e"


def test_status_103_as_run_gave_the_programme_route() -> None:
    as_run = derive_route_type(
        early_years=False, status="103", programme=None, qualification=None, result=None, has_matched=False,
        status_routes=r.STATUS_ROUTES_AS_RUN,
    )  # fmt: skip
    assert as_run == r.OVERSEAS_TRAINED_TEACHER_PROGRAMME


# --- §3.9 the Welsh rule ------------------------------------------------------------------------------------


def welsh(**changes: object) -> bool:
    arguments: dict[str, object] = {
        "establishment_id": WELSH, "status": "71", "result": R.PASS, "programme": PT("HEI"), "qualification": "020",
    }  # fmt: skip
    arguments.update(changes)
    return is_welsh(**arguments)  # type: ignore[arg-type]


def test_welsh_rule_fires_for_status_71_passed_at_a_welsh_provider() -> None:
    assert welsh()
    assert welsh(programme=None)
    assert all(welsh(establishment_id=provider) for provider in r.WELSH_PROVIDER_IDS)
    assert derive("71", "HEI", "020", welsh=True) == "877ba701"


@pytest.mark.parametrize(
    "change",
    [
        {"establishment_id": "11111111-1111-4111-8111-111111111111"},
        {"establishment_id": None},
        {"status": "213"},
        {"result": R.APPROVED},
        {"result": None},
        {"programme": PT("Core")},
        {"qualification": None},
    ],
)
def test_welsh_rule_needs_every_condition(change: dict[str, object]) -> None:
    assert not welsh(**change)
