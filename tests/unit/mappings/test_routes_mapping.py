"""map_professional_status: one contact's ITT rows, QTS registrations and QTLS date → routes, person status
columns and failures (reference §3.6–3.9, §5; ADRs 0030–0036)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mappings import MappingError
from mappings.reference import dqt_status as ds
from mappings.reference import routes as r
from mappings.reference.routes import FailureReason as F
from mappings.reference.routes import IttResult as R
from mappings.reference.routes import RouteStatus as S
from mappings.routes import (
    ProfessionalStatusResult,
    RouteRow,
    apply_induction_exemptions,
    map_professional_status,
    route_qualification_id,
)
from mappings.routes.mapper import qts_order_as_run
from mappings.routes.records import read_qts
from mappings.routes.reference import training_subject_id
from tests.unit.mappings import routes_factories as rf

REFERENCE = rf.reference()
LEEDS = "University of Leeds"
WELSH = "Aberystwyth University"
KS2 = 389040023


def run(
    itts: list[dict[str, Any]] | None = None,
    qtss: list[dict[str, Any]] | None = None,
    *,
    contact: dict[str, Any] | None = None,
    reference: Any = REFERENCE,
) -> ProfessionalStatusResult:
    return map_professional_status(contact or rf.contact(), itts or [], qtss or [], reference)


def only(result: ProfessionalStatusResult) -> RouteRow:
    assert not result.failures, [f.message for f in result.failures]
    assert len(result.routes) == 1
    return result.routes[0]


def prefix(route: RouteRow) -> str:
    return route["route_to_professional_status_type_id"][:8]


def reasons(result: ProfessionalStatusResult) -> list[F]:
    return [f.reason for f in result.failures]


# --- step 1: QTLS ---------------------------------------------------------------------------------------------


def test_a_qtls_date_is_a_holds_qtls_route_dated_without_a_time_zone_shift() -> None:
    route = only(run(contact=rf.contact(dfeta_qtlsdate="2015-06-30T23:00:00Z", dfeta_qtlsdatehasbeenset=True)))
    assert route["route_to_professional_status_type_id"] == r.QTLS_AND_SET_MEMBERSHIP
    assert route["status"] == S.HOLDS
    assert route["holds_from"] == dt.date(2015, 6, 30)  # unshifted (ADR 0015), not 2015-07-01
    assert route["dqt_qts_registration_id"] is None
    assert route["dqt_initial_teacher_training_id"] is None
    assert route["qualification_id"] == route_qualification_id("qtls", None, None, route["person_id"])


def test_qtls_routes_of_different_people_have_different_ids() -> None:
    # Given two QTLS holders (a QTLS route has no DQT row of its own to be keyed by)
    first = only(run(contact=rf.contact(dfeta_qtlsdate="2015-06-30T23:00:00Z", dfeta_qtlsdatehasbeenset=True)))
    other = rf.contact(
        contactid="0f4e1c2a-9b8d-4e7f-a6c5-3d2b1a0f9e8d",
        dfeta_qtlsdate="2016-01-01T00:00:00Z",
        dfeta_qtlsdatehasbeenset=True,
    )
    second = only(run(contact=other))
    # Then their routes' ids differ (one write holding both must not see "a route appears twice")
    assert first["qualification_id"] != second["qualification_id"]


@pytest.mark.parametrize(
    ("qtls_date", "ever_set", "status"),
    [("2015-03-01", True, 2), ("2015-03-01", False, 2), (None, True, 1), (None, False, 0), (None, None, 0)],
)
def test_qtls_status(qtls_date: str | None, ever_set: bool | None, status: int) -> None:
    result = run(contact=rf.contact(dfeta_qtlsdate=qtls_date, dfeta_qtlsdatehasbeenset=ever_set))
    assert result.person is not None
    assert result.person["qtls_status"] == status
    assert len(result.routes) == (1 if qtls_date else 0)  # an expired QTLS emits no route


# --- steps 2 and 3: ignored ITT, status-less QTS ---------------------------------------------------------------


@pytest.mark.parametrize("result", sorted(r.IGNORED_RESULTS))
def test_ignored_itt_results_are_reported_and_never_paired(result: R) -> None:
    itt = rf.itt(result)
    qts = rf.qts("71", qts_date=rf.SUMMER)
    out = run([itt], [qts])
    assert [(f.reason, f.dqt_initial_teacher_training_id, f.contact_scoped) for f in out.failures] == [
        (F.DO_NOT_MIGRATE_ITT_RESULT, itt["dfeta_initialteachertrainingid"], False)
    ]
    assert [route["dqt_initial_teacher_training_id"] for route in out.routes] == [None]
    assert prefix(out.routes[0]) == "c80cb763"  # 71 with no ITT: Table A (71, -, -) Legacy Migration


def test_a_qts_row_without_status_is_reported() -> None:
    qts = rf.qts(None, None, qts_date=rf.SUMMER)
    out = run([], [qts])
    assert out.routes == []
    assert reasons(out) == [F.DO_NOT_MIGRATE_QTS_REGISTRATION_HAS_NO_STATUS]
    assert out.failures[0].dqt_qts_registration_id == qts["dfeta_qtsregistrationid"]
    assert out.person is not None


# --- step 5: pairing ------------------------------------------------------------------------------------------


def test_an_explicitly_linked_itt_is_the_only_candidate() -> None:
    qts = rf.qts("71", qts_date=rf.SUMMER)
    better = rf.itt(R.PASS, "HEI", "020", created="2001-01-01T00:00:00Z")
    linked = rf.itt(R.PASS, "Core", "020", qts=qts, created="2005-01-01T00:00:00Z")
    out = run([better, linked], [qts])
    paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
    assert paired["dqt_initial_teacher_training_id"] == linked["dfeta_initialteachertrainingid"]
    assert prefix(paired) == "4163c2fb"  # 71/Core/020: manual ProgrammeType
    # the unlinked Pass ITT is left over and reported as a potential duplicate
    assert reasons(out) == [F.POTENTIAL_DUPLICATE_ITT_RECORDS]


def test_pass_and_awarded_ranks_first() -> None:
    qts = rf.qts("71", qts_date=rf.SUMMER)
    training = rf.itt(R.IN_TRAINING, "HEI", "020", created="2001-01-01T00:00:00Z")
    passed = rf.itt(R.PASS, "HEI", "020", created="2005-01-01T00:00:00Z")
    out = run([training, passed], [qts])
    paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
    assert paired["dqt_initial_teacher_training_id"] == passed["dfeta_initialteachertrainingid"]
    leftover = next(route for route in out.routes if not route["dqt_qts_registration_id"])
    assert leftover["status"] == S.IN_TRAINING
    assert leftover["dqt_initial_teacher_training_id"] == training["dfeta_initialteachertrainingid"]


def test_pass_without_an_award_does_not_rank_first() -> None:
    qts = rf.qts("211")  # trainee, no date: nothing is "awarded"
    training = rf.itt(R.IN_TRAINING, "HEI", "020", created="2001-01-01T00:00:00Z")
    passed = rf.itt(R.PASS, "HEI", "020", created="2005-01-01T00:00:00Z")
    out = run([training, passed], [qts])
    paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
    assert paired["dqt_initial_teacher_training_id"] == training["dfeta_initialteachertrainingid"]  # createdon
    assert paired["status"] == S.IN_TRAINING
    assert reasons(out) == [F.PASS_RESULT_HAS_NO_AWARD_DATE]  # the left-over Pass ITT, row-scoped


def test_eyps_prefers_ages_0_to_5() -> None:
    qts = rf.qts(None, "222", eyts_date=rf.SUMMER)
    other = rf.itt(R.PASS, "EYITTGraduateEntry", "114", ages=(KS2, KS2), created="2001-01-01T00:00:00Z")
    under_five = rf.itt(
        R.PASS, "EYITTGraduateEntry", "114", ages=(ds.age_option(0), ds.age_option(5)), created="2005-01-01T00:00:00Z"
    )
    out = run([other, under_five], [qts])
    paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
    assert paired["dqt_initial_teacher_training_id"] == under_five["dfeta_initialteachertrainingid"]


def test_early_years_prefers_no_ages_over_other_ages() -> None:
    qts = rf.qts(None, "221", eyts_date=rf.SUMMER)
    other = rf.itt(R.PASS, "EYITTGraduateEntry", "114", ages=(KS2, KS2), created="2001-01-01T00:00:00Z")
    no_ages = rf.itt(R.PASS, "EYITTGraduateEntry", "114", created="2005-01-01T00:00:00Z")
    out = run([other, no_ages], [qts])
    paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
    assert paired["dqt_initial_teacher_training_id"] == no_ages["dfeta_initialteachertrainingid"]


def test_a_programme_type_ranks_before_none() -> None:
    qts = rf.qts("71", qts_date=rf.SUMMER)
    bare = rf.itt(R.PASS, None, "020", created="2001-01-01T00:00:00Z")
    typed = rf.itt(R.PASS, "HEI", "020", created="2005-01-01T00:00:00Z")
    out = run([bare, typed], [qts])
    paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
    assert paired["dqt_initial_teacher_training_id"] == typed["dfeta_initialteachertrainingid"]
    assert out.failures[0].compatible_itt_ids == ()  # the spare ITT is reported on its own


def test_createdon_then_id_break_ties() -> None:
    qts = rf.qts("71", qts_date=rf.SUMMER)
    late = rf.itt(R.PASS, "HEI", "020", created="2005-01-01T00:00:00Z")
    early = rf.itt(R.PASS, "HEI", "020", created="2001-01-01T00:00:00Z")
    out = run([late, early], [qts])
    paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
    assert paired["dqt_initial_teacher_training_id"] == early["dfeta_initialteachertrainingid"]

    twin_a = rf.itt(R.PASS, "HEI", "020", dfeta_initialteachertrainingid="aaaaaaaa-0000-4000-8000-000000000001")
    twin_b = rf.itt(R.PASS, "HEI", "020", dfeta_initialteachertrainingid="bbbbbbbb-0000-4000-8000-000000000001")
    for order in ([twin_a, twin_b], [twin_b, twin_a]):
        out = run(order, [qts])
        paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
        assert paired["dqt_initial_teacher_training_id"] == twin_a["dfeta_initialteachertrainingid"]


def test_an_early_years_itt_is_not_compatible_with_a_teacher_status_pass() -> None:
    qts = rf.qts("71", qts_date=rf.SUMMER)
    ey = rf.itt(R.PASS, "EYITTGraduateEntry", "114")
    out = run([ey], [qts])
    paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
    assert paired["dqt_initial_teacher_training_id"] is None
    assert reasons(out) == [F.PASS_RESULT_HAS_NO_AWARD_DATE]  # the EY ITT is left over


def test_an_itt_without_programme_type_is_compatible_with_either_pass() -> None:
    qts = rf.qts(None, "221", eyts_date=rf.SUMMER)
    bare = rf.itt(R.PASS, None, "114")
    route = only(run([bare], [qts]))
    assert route["dqt_initial_teacher_training_id"] == bare["dfeta_initialteachertrainingid"]
    assert prefix(route) == "5b7d1c4e"  # Table B (221, -, 114, Pass): EYTS ITT Migrated


def test_one_row_gives_a_teacher_route_and_an_early_years_route() -> None:
    qts = rf.qts("71", "221", qts_date=rf.SUMMER, eyts_date=rf.WINTER)
    teacher = rf.itt(R.PASS, "HEI", "020")
    early = rf.itt(R.PASS, "EYITTGraduateEntry", "114")
    out = run([teacher, early], [qts])
    assert not out.failures
    by_kind = {route["qualification_id"]: route for route in out.routes}
    qts_id = qts["dfeta_qtsregistrationid"]
    t = by_kind[route_qualification_id("qts", qts_id, teacher["dfeta_initialteachertrainingid"])]
    e = by_kind[route_qualification_id("ey", qts_id, early["dfeta_initialteachertrainingid"])]
    assert (prefix(t), t["holds_from"], t["dqt_teacher_status_value"], t["dqt_early_years_status_value"]) == (
        "10078157", rf.SUMMER_DATE, "71", None,
    )  # fmt: skip
    assert (prefix(e), e["holds_from"], e["dqt_teacher_status_value"], e["dqt_early_years_status_value"]) == (
        "dbc4125b", rf.WINTER_DATE, None, "221",
    )  # fmt: skip
    assert e["dqt_early_years_status_name"] == "Early Years Teacher Status"
    assert out.person is not None
    assert (out.person["qts_date"], out.person["eyts_date"]) == (rf.SUMMER_DATE, rf.WINTER_DATE)


def test_each_itt_is_used_once() -> None:
    first = rf.qts("71", qts_date=rf.SUMMER, created="2001-01-01T00:00:00Z")
    second = rf.qts("71", qts_date=rf.WINTER, created="2005-01-01T00:00:00Z")
    itt = rf.itt(R.PASS, "HEI", "020")
    out = run([itt], [first, second])
    paired = {route["dqt_qts_registration_id"]: route["dqt_initial_teacher_training_id"] for route in out.routes}
    assert paired == {
        first["dfeta_qtsregistrationid"]: itt["dfeta_initialteachertrainingid"],
        second["dfeta_qtsregistrationid"]: None,
    }


def test_several_candidates_are_reported_with_a_row_failure() -> None:
    qts = rf.qts("211")
    a = rf.itt(None, "HEI", "020")
    b = rf.itt(None, "HEI", "020")
    out = run([a, b], [qts])
    first = out.failures[0]
    assert first.reason is F.DO_NOT_MIGRATE_ITT_RESULT
    assert first.dqt_qts_registration_id == qts["dfeta_qtsregistrationid"]
    assert set(first.compatible_itt_ids) == {a["dfeta_initialteachertrainingid"], b["dfeta_initialteachertrainingid"]}


@pytest.mark.parametrize("contact_id", sorted(r.HARDCODED_PAIRINGS))
def test_hardcoded_pairings_take_the_named_itt(contact_id: str) -> None:
    pairing = r.HARDCODED_PAIRINGS[contact_id]
    qts = rf.qts("71", "221", qts_date=rf.SUMMER, eyts_date=rf.WINTER, _dfeta_personid_value=contact_id)
    preferred = rf.itt(R.PASS, "HEI", "020", created="2001-01-01T00:00:00Z", _dfeta_personid_value=contact_id)
    named = rf.itt(
        R.IN_TRAINING, None, "020", created="2009-01-01T00:00:00Z", _dfeta_personid_value=contact_id,
        dfeta_initialteachertrainingid=pairing.qts_itt_id,
    )  # fmt: skip
    named_ey = rf.itt(
        R.PASS, "EYITTGraduateEntry", "114", _dfeta_personid_value=contact_id,
        dfeta_initialteachertrainingid=pairing.ey_itt_id,
    )  # fmt: skip
    out = run([preferred, named, named_ey], [qts], contact=rf.contact(contactid=contact_id))
    paired = {r_["qualification_id"]: r_["dqt_initial_teacher_training_id"] for r_ in out.routes}
    qts_id = qts["dfeta_qtsregistrationid"]
    assert paired[route_qualification_id("qts", qts_id, pairing.qts_itt_id)] == pairing.qts_itt_id
    assert paired[route_qualification_id("ey", qts_id, pairing.ey_itt_id)] == pairing.ey_itt_id
    assert reasons(out) == [F.POTENTIAL_DUPLICATE_ITT_RECORDS]  # the better-ranked ITT was not used


def test_a_hardcoded_itt_that_is_not_a_candidate_means_no_itt() -> None:
    contact_id = "2cbbe3f2-05af-e311-b8ed-005056822391"
    qts = rf.qts("71", qts_date=rf.SUMMER, _dfeta_personid_value=contact_id)
    other = rf.itt(R.PASS, "HEI", "020", _dfeta_personid_value=contact_id)
    out = run([other], [qts], contact=rf.contact(contactid=contact_id))
    paired = next(route for route in out.routes if route["dqt_qts_registration_id"])
    assert paired["dqt_initial_teacher_training_id"] is None
    assert prefix(paired) == "c80cb763"


# --- step 4: the order of QTS rows (ADR 0030) ------------------------------------------------------------------


def test_qts_dated_rows_are_paired_before_trainee_rows() -> None:
    """The original processed undated rows first, so a trainee row took the Pass ITT and the contact failed
    (PassResultHasNoAwardDate); with the intended order the QTS-dated row gets it."""
    trainee = rf.qts("211", created="2001-01-01T00:00:00Z")
    qualified = rf.qts("71", qts_date=rf.SUMMER, created="2005-01-01T00:00:00Z")
    itt = rf.itt(R.PASS, "HEI", "020")
    out = run([itt], [trainee, qualified])
    assert not out.contact_failed
    holds = next(route for route in out.routes if route["status"] == S.HOLDS)
    assert holds["dqt_qts_registration_id"] == qualified["dfeta_qtsregistrationid"]
    assert holds["dqt_initial_teacher_training_id"] == itt["dfeta_initialteachertrainingid"]
    assert reasons(out) == [F.DO_NOT_MIGRATE_ITT_RESULT]  # the trainee row, with no ITT left and no date
    assert out.failures[0].dqt_qts_registration_id == trainee["dfeta_qtsregistrationid"]


def test_qts_row_order_is_qts_then_partial_then_eyts_then_eyps_then_the_rest() -> None:
    rows = {
        "rest": rf.qts("211"),
        "eyps": rf.qts(None, "222"),
        "eyts": rf.qts(None, "221", eyts_date=rf.SUMMER),
        "partial": rf.qts("214", recognition=rf.SUMMER),
        "qts": rf.qts("71", qts_date=rf.SUMMER),
    }
    parsed = {name: read_qts(record, rf.PERSON_ID, REFERENCE)[1] for name, record in rows.items()}
    from mappings.routes.mapper import _qts_order

    intended = sorted(parsed, key=lambda name: _qts_order(parsed[name]))  # type: ignore[arg-type]
    assert intended == ["qts", "partial", "eyts", "eyps", "rest"]
    as_run = sorted(parsed, key=lambda name: qts_order_as_run(parsed[name]))  # type: ignore[arg-type]
    assert as_run[0] == "rest"  # the original's ascending booleans: the reverse of its comment


# --- status and holds_from (§3.7) -----------------------------------------------------------------------------


def test_qts_date_is_read_as_a_uk_date() -> None:
    route = only(run([rf.itt(R.PASS)], [rf.qts("71", qts_date=rf.SUMMER)]))
    assert (route["status"], route["holds_from"]) == (S.HOLDS, rf.SUMMER_DATE)


def test_a_holds_route_ignores_the_itt_result() -> None:
    route = only(run([rf.itt(R.WITHDRAWN)], [rf.qts("71", qts_date=rf.WINTER)]))
    assert (route["status"], route["holds_from"]) == (S.HOLDS, rf.WINTER_DATE)


def test_partial_qts_holds_from_the_recognition_date() -> None:
    out = run([], [rf.qts("214", recognition=rf.WINTER)])
    route = only(out)
    assert (prefix(route), route["status"], route["holds_from"]) == ("ec95c276", S.HOLDS, rf.WINTER_DATE)
    assert out.person is not None
    assert (out.person["pqts_date"], out.person["qts_date"]) == (rf.WINTER_DATE, None)


def test_eyts_holds_from_the_eyts_date() -> None:
    out = run([rf.itt(R.PASS, "EYITTUndergraduate", "114")], [rf.qts(None, "221", eyts_date=rf.SUMMER)])
    route = only(out)
    assert (prefix(route), route["status"], route["holds_from"]) == ("c97c0fd2", S.HOLDS, rf.SUMMER_DATE)
    assert out.person is not None
    assert out.person["eyts_date"] == rf.SUMMER_DATE


def test_eyps_holds_without_a_date_when_its_itt_has_a_result() -> None:
    out = run([rf.itt(R.IN_TRAINING, "EYITTGraduateEntry", "114")], [rf.qts(None, "222")])
    route = only(out)
    assert (prefix(route), route["status"], route["holds_from"]) == ("8f5c0431", S.HOLDS, None)
    assert out.person is not None
    assert out.person["has_eyps"] is True
    assert out.person["eyts_date"] is None


def test_eyps_without_a_date_or_an_itt_result_is_not_migrated() -> None:
    out = run([], [rf.qts(None, "222")])
    assert out.routes == []
    assert reasons(out) == [F.DO_NOT_MIGRATE_ITT_RESULT]
    assert out.person is not None
    assert out.person["has_eyps"] is False


@pytest.mark.parametrize(
    ("result", "status"),
    [(R.IN_TRAINING, 0), (R.DEFERRED, 2), (R.DEFERRED_FOR_SKILLS_TESTS, 3), (R.FAIL, 4), (R.WITHDRAWN, 5),
     (R.UNDER_ASSESSMENT, 6)],
)  # fmt: skip
def test_without_an_award_the_itt_result_gives_the_status(result: R, status: int) -> None:
    route = only(run([rf.itt(result, "HEI", "020")], [rf.qts("211")]))
    assert (route["status"], route["holds_from"], prefix(route)) == (status, None, "10078157")


@pytest.mark.parametrize(
    ("result", "reason"),
    [(R.PASS, F.PASS_RESULT_HAS_NO_AWARD_DATE), (R.APPROVED, F.APPROVED_RESULT_HAS_NO_AWARD_DATE),
     (R.INFO, F.CANNOT_MAP_STATUS)],
)  # fmt: skip
def test_an_award_result_without_an_award_date_fails_the_whole_contact(result: R, reason: F) -> None:
    itt = rf.itt(result, "HEI", "020")
    qts = rf.qts("211")
    early_years = [rf.qts(None, "221", eyts_date=rf.SUMMER), rf.itt(R.PASS, "EYITTUndergraduate", "114")]
    out = run([itt, rf.itt(R.APPLICATION_RECEIVED), early_years[1]], [qts, early_years[0]],
              contact=rf.contact(dfeta_qtlsdate="2015-03-01"))  # fmt: skip
    assert out.routes == []  # the QTLS route and the (earlier) EYTS route are discarded too
    assert out.person is None
    assert out.contact_failed
    assert [(f.reason, f.contact_scoped) for f in out.failures] == [(reason, True)]
    assert out.failures[0].dqt_qts_registration_id == qts["dfeta_qtsregistrationid"]
    assert out.failures[0].dqt_initial_teacher_training_id == itt["dfeta_initialteachertrainingid"]
    assert reason.value in out.failures[0].message


NOT_MIGRATED = [("020", F.DO_NOT_MIGRATE_ITT_RESULT), ("998", F.DO_NOT_MIGRATE_NO_QUALIFICATION_RESTRICTED_BY_GTC)]


@pytest.mark.parametrize(("qualification", "reason"), NOT_MIGRATED)
def test_no_award_date_and_no_itt_result_is_not_migrated(qualification: str, reason: F) -> None:
    itt = rf.itt(None, "HEI", qualification)
    out = run([itt], [rf.qts("211")])
    assert out.routes == []
    assert [(f.reason, f.contact_scoped, f.dqt_initial_teacher_training_id) for f in out.failures] == [
        (reason, False, itt["dfeta_initialteachertrainingid"])
    ]


# --- partial recognition (§3.6 5a) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "qts",
    [
        {"teacher": "214"},  # 214 without a recognition date
        {"teacher": "67", "recognition": rf.SUMMER},  # a recognition date without 214
        {"teacher": "214", "recognition": rf.SUMMER, "qts_date": rf.SUMMER},  # recognition and QTS date
        {"teacher": "214", "ey": "221", "recognition": rf.SUMMER, "eyts_date": rf.SUMMER},  # recognition and EYTS
    ],
)
def test_invalid_partial_recognition(qts: dict[str, Any]) -> None:
    record = rf.qts(**qts)
    out = run([], [record])
    assert out.routes == []
    assert set(reasons(out)) == {F.PARTIAL_RECOGNITION_IS_INVALID}
    assert all(not f.contact_scoped for f in out.failures)


# --- route type at contact level ------------------------------------------------------------------------------


def test_no_derivable_route_fails_the_whole_contact() -> None:
    qts = rf.qts("50", qts_date=rf.SUMMER)  # status 50 has no route; no ITT; no table entry
    out = run([], [qts], contact=rf.contact(dfeta_qtlsdate="2015-03-01"))
    assert out.routes == []
    assert out.person is None
    assert [(f.reason, f.contact_scoped, f.dqt_qts_registration_id) for f in out.failures] == [
        (F.CANNOT_DERIVE_ROUTE, True, qts["dfeta_qtsregistrationid"])
    ]


def test_status_71_without_itt_is_legacy_migration_and_221_is_eyts_itt_migrated() -> None:
    assert prefix(only(run([], [rf.qts("71", qts_date=rf.SUMMER)]))) == "c80cb763"
    assert prefix(only(run([], [rf.qts(None, "221", eyts_date=rf.SUMMER)]))) == "5b7d1c4e"


def test_status_103_migrates_as_overseas_trained_teacher_recognition() -> None:
    route = only(run([], [rf.qts("103", qts_date=rf.SUMMER)]))
    assert route["route_to_professional_status_type_id"] == r.OVERSEAS_TRAINED_TEACHER_RECOGNITION


def test_a_later_teacher_route_uses_the_matched_rules() -> None:
    first = rf.qts("67", qts_date=rf.SUMMER, created="2001-01-01T00:00:00Z")
    second = rf.qts("67", qts_date=rf.WINTER, created="2005-01-01T00:00:00Z")
    itt_a = rf.itt(R.PASS, "HEI", "020", created="2001-01-01T00:00:00Z", qts=first)
    itt_b = rf.itt(R.PASS, None, "020", created="2005-01-01T00:00:00Z", qts=second)
    out = run([itt_a, itt_b], [first, second])
    by_qts = {route["dqt_qts_registration_id"]: prefix(route) for route in out.routes}
    # first: 67/HEI/020 → rule g (Status, ProgrammeType) → EC directive; second: matched, no programme type →
    # rule a → the qualification's PGCE ITT (unmatched it would have been EC directive by manual key 67/-/020)
    assert by_qts == {first["dfeta_qtsregistrationid"]: "f4da123b", second["dfeta_qtsregistrationid"]: "02a2135c"}


def test_welsh_rule_and_its_duplicates() -> None:
    qts = rf.qts("71", qts_date=rf.SUMMER)
    welsh = rf.itt(R.PASS, "HEI", "020", provider=WELSH, created="2001-01-01T00:00:00Z")
    spare = rf.itt(R.PASS, "HEI", "020", provider=LEEDS, created="2005-01-01T00:00:00Z")
    out = run([welsh, spare], [qts])
    route = next(route for route in out.routes)
    assert route["route_to_professional_status_type_id"] == r.WELSH_RECOGNITION
    assert route["training_provider_id"] == rf.provider_id(WELSH)
    assert [(f.reason, f.dqt_initial_teacher_training_id) for f in out.failures] == [
        (F.DO_NOT_MIGRATE_QTS_AWARDED_IN_WALES_DUPLICATE_ITT_RECORDS, spare["dfeta_initialteachertrainingid"])
    ]


# --- step 6: left-over ITT -------------------------------------------------------------------------------------


def test_itt_without_qts_becomes_a_training_route() -> None:
    itt = rf.itt(R.IN_TRAINING, "SchoolDirecttrainingprogramme", "020")
    route = only(run([itt], []))
    assert (prefix(route), route["status"], route["holds_from"]) == ("d9490e58", S.IN_TRAINING, None)
    assert route["dqt_qts_registration_id"] is None
    assert route["dqt_teacher_status_value"] is None
    assert route["qualification_id"] == route_qualification_id("itt", None, itt["dfeta_initialteachertrainingid"])


def test_left_over_early_years_itt_uses_the_early_years_side() -> None:
    route = only(run([rf.itt(R.DEFERRED, "EYITTAssessmentOnly", "114")], []))
    assert (prefix(route), route["status"]) == ("d9eef3f8", S.DEFERRED)


def test_left_over_itt_uses_table_b() -> None:
    route = only(run([rf.itt(R.WITHDRAWN, None, None)], []))
    assert prefix(route) == "c80cb763"


@pytest.mark.parametrize("result", [R.PASS, R.APPROVED])
def test_a_lone_left_over_award_has_no_award_date_but_is_row_scoped(result: R) -> None:
    out = run([rf.itt(result)], [], contact=rf.contact(dfeta_qtlsdate="2015-03-01"))
    assert reasons(out) == [F.PASS_RESULT_HAS_NO_AWARD_DATE]
    assert not out.contact_failed
    assert [prefix(route) for route in out.routes] == ["be6eaf8c"]


def test_a_second_left_over_award_is_a_potential_duplicate() -> None:
    a = rf.itt(R.PASS, created="2001-01-01T00:00:00Z")
    b = rf.itt(R.APPROVED, created="2005-01-01T00:00:00Z")
    out = run([a, b], [])
    assert reasons(out) == [F.PASS_RESULT_HAS_NO_AWARD_DATE, F.POTENTIAL_DUPLICATE_ITT_RECORDS]


@pytest.mark.parametrize(("qualification", "reason"), NOT_MIGRATED)
def test_left_over_itt_without_result(qualification: str, reason: F) -> None:
    out = run([rf.itt(None, "HEI", qualification)], [])
    assert (out.routes, reasons(out)) == ([], [reason])


def test_left_over_info_result_fails_the_contact() -> None:
    out = run([rf.itt(R.INFO)], [])
    assert [(f.reason, f.contact_scoped) for f in out.failures] == [(F.CANNOT_MAP_STATUS, True)]


def test_left_over_itt_without_a_route_fails_the_contact() -> None:
    out = run([rf.itt(R.IN_TRAINING, "GraduateTeacherProgramme", "029")], [])
    assert [(f.reason, f.contact_scoped) for f in out.failures] == [(F.CANNOT_DERIVE_ROUTE, True)]


# --- person columns ------------------------------------------------------------------------------------------


def test_person_dates_are_the_earliest_holds_dates_of_each_type() -> None:
    out = run(
        [rf.itt(R.IN_TRAINING, "HEI", "020")],
        [rf.qts("71", qts_date="2014-08-31T23:00:00Z"), rf.qts("67", qts_date=rf.SUMMER),
         rf.qts(None, "221", eyts_date=rf.WINTER), rf.qts("214", recognition="2016-01-01T00:00:00Z")],
        contact=rf.contact(dfeta_qtlsdate="2010-05-05", dfeta_qtlsdatehasbeenset=True),
    )  # fmt: skip
    assert not out.failures
    assert out.person == {
        "person_id": rf.PERSON_ID,
        "qts_date": dt.date(2010, 5, 5),  # QTLS counts as QTS
        "eyts_date": rf.WINTER_DATE,
        "pqts_date": dt.date(2016, 1, 1),
        "has_eyps": False,
        "qtls_status": 2,
        "dqt_professional_status_version": 1_000_001,
    }


def test_routes_that_do_not_hold_do_not_count() -> None:
    out = run([rf.itt(R.IN_TRAINING, "HEI", "020")], [rf.qts("211")])
    assert out.person is not None
    assert out.person["qts_date"] is None


def test_the_version_key_covers_the_contact_and_every_row_including_inactive_ones() -> None:
    inactive = rf.qts("71", qts_date=rf.SUMMER, version=9_000_000, statecode=1)
    out = run([rf.itt(R.IN_TRAINING, version=5_000_000)], [inactive], contact=rf.contact(versionnumber=2_000_000))
    assert out.person is not None
    assert out.person["dqt_professional_status_version"] == 9_000_000
    assert [route["dqt_version"] for route in out.routes] == [5_000_000]  # the inactive row made no route


def test_inactive_rows_are_not_read_beyond_their_bookkeeping() -> None:
    broken = rf.itt(R.PASS, statecode=1, dfeta_programmetype="not an option", dfeta_result=7)
    out = run([broken], [])
    assert (out.routes, out.failures) == ([], [])


# --- route bookkeeping ----------------------------------------------------------------------------------------


def test_route_bookkeeping() -> None:
    qts = rf.qts("71", qts_date=rf.SUMMER, created="2010-01-01T00:00:00Z", version=3_000_000)
    itt = rf.itt(R.PASS, created="2008-01-01T00:00:00Z", version=2_000_000, modifiedon="2022-01-01T00:00:00Z")
    route = only(run([itt], [qts], contact=rf.contact(versionnumber=4_000_000)))
    utc = dt.UTC
    assert route["qualification_type"] == 1
    assert route["person_id"] == rf.PERSON_ID
    assert route["dqt_state"] == 0
    assert route["dqt_created_on"] == route["created_on"] == dt.datetime(2008, 1, 1, tzinfo=utc)
    assert route["dqt_modified_on"] == route["updated_on"] == dt.datetime(2022, 1, 1, tzinfo=utc)
    assert route["dqt_version"] == 4_000_000
    assert route["deleted_on"] is None
    assert route["exempt_from_induction"] is None
    assert route["qualification_id"] == route_qualification_id(
        "qts", qts["dfeta_qtsregistrationid"], itt["dfeta_initialteachertrainingid"]
    )


def test_the_same_input_gives_the_same_routes() -> None:
    itts = [rf.itt(R.PASS), rf.itt(R.IN_TRAINING, "Core", "400")]
    qtss = [rf.qts("71", "221", qts_date=rf.SUMMER, eyts_date=rf.WINTER)]
    first, second = run(itts, qtss), run(list(reversed(itts)), list(reversed(qtss)))
    assert first == second
    ids = [route["qualification_id"] for route in first.routes]
    assert len(ids) == len(set(ids)) == 3


# --- training columns (§3.8) ----------------------------------------------------------------------------------


def test_training_columns() -> None:
    itt = rf.itt(
        R.PASS, "HEI", "008", provider=LEEDS, start=rf.SUMMER, end=rf.WINTER, ages=(KS2, None),
        subjects=("100403", "F300"), country="XF", slug="slug-123",
    )  # fmt: skip
    route = only(run([itt], [rf.qts("71", qts_date=rf.SUMMER)]))
    assert route["training_start_date"] == rf.SUMMER_DATE
    assert route["training_end_date"] == rf.WINTER_DATE
    assert route["training_subject_ids"] == [training_subject_id("100403"), training_subject_id("F300")]
    assert (route["training_age_specialism_type"], route["training_age_specialism_range_from"]) == (4, None)
    assert (route["dqt_age_range_from"], route["dqt_age_range_to"]) == ("KeyStage2", "")
    assert route["training_country_id"] == "GB-ENG"
    assert route["training_provider_id"] == rf.provider_id(LEEDS)
    assert route["degree_type_id"] == "dbb7c27b-8a27-4a94-908d-4b4404acebd5"  # BA (Hons)
    assert route["source_application_reference"] == "slug-123"
    assert route["source_application_user_id"] is None


def test_a_route_without_itt_has_no_training_columns() -> None:
    route = only(run([], [rf.qts("71", qts_date=rf.SUMMER)]))
    assert route["training_subject_ids"] == []
    assert all(route[k] is None for k in (
        "training_start_date", "training_end_date", "training_age_specialism_type", "training_country_id",
        "training_provider_id", "degree_type_id", "dqt_age_range_from", "dqt_age_range_to",
        "source_application_reference",
    ))  # fmt: skip


def test_physical_education_c600_is_its_own_subject() -> None:
    pe = rf.subject_id("C600", "Physical Education")
    sport = rf.subject_id("C600", "Sport & exercise science")
    itt = rf.itt(R.PASS, _dfeta_subject1id_value=pe, _dfeta_subject2id_value=sport)
    route = only(run([itt], [rf.qts("71", qts_date=rf.SUMMER)]))
    assert route["training_subject_ids"] == [training_subject_id("C600PE"), training_subject_id("C600")]


def test_unmappable_subjects_and_countries_are_left_out() -> None:
    unknown = "12345678-1234-4234-8234-123456789abc"
    itt = rf.itt(
        R.PASS, subjects=("100403", "F300", "100302"), _dfeta_subject2id_value=unknown, _dfeta_countryid_value=unknown
    )
    reference = rf.reference(training_subjects={"100302": "aaaaaaaa-0000-4000-8000-000000000001"})
    route = only(run([itt], [rf.qts("71", qts_date=rf.SUMMER)], reference=reference))
    assert route["training_subject_ids"] == ["aaaaaaaa-0000-4000-8000-000000000001"]  # 100403 not in TRS
    assert route["training_country_id"] is None


def test_provider_by_ukprn_then_by_id() -> None:
    leeds = rf.provider_id(LEEDS)
    by_ukprn = rf.reference(training_providers={"cccccccc-0000-4000-8000-000000000001": "10007795", leeds: None})
    itt = rf.itt(R.PASS, provider=LEEDS)
    qts = rf.qts("71", qts_date=rf.SUMMER)
    assert only(run([itt], [qts], reference=by_ukprn))["training_provider_id"] == "cccccccc-0000-4000-8000-000000000001"
    by_id = rf.reference(training_providers={leeds: None})
    assert only(run([itt], [qts], reference=by_id))["training_provider_id"] == leeds


def test_an_unresolvable_provider_fails_the_contact() -> None:
    qts = rf.qts("71", qts_date=rf.SUMMER)
    itt = rf.itt(R.PASS, provider=LEEDS)
    with pytest.raises(MappingError, match="has no TRS training provider"):
        run([itt], [qts], reference=rf.reference(training_providers={}))
    unflagged = rf.itt(R.PASS, _dfeta_establishmentid_value=ds.UNFLAGGED_ESTABLISHMENT.id)
    with pytest.raises(MappingError, match="is not a known ITT provider account") as caught:
        run([unflagged], [qts])
    assert caught.value.record_id == unflagged["dfeta_initialteachertrainingid"]


def test_an_unresolvable_provider_on_an_ignored_itt_does_not_matter() -> None:
    ignored = rf.itt(R.NO_RESULT_SUBMITTED, _dfeta_establishmentid_value=ds.UNFLAGGED_ESTABLISHMENT.id)
    assert reasons(run([ignored], [])) == [F.DO_NOT_MIGRATE_ITT_RESULT]


# --- malformed input ------------------------------------------------------------------------------------------


def test_rows_of_another_contact_are_rejected() -> None:
    with pytest.raises(MappingError, match="belongs to another contact"):
        run([rf.itt(_dfeta_personid_value="11111111-1111-4111-8111-111111111111")], [])


def test_a_row_given_twice_is_rejected() -> None:
    itt = rf.itt()
    with pytest.raises(MappingError, match="appears more than once"):
        run([itt, dict(itt)], [])


@pytest.mark.parametrize(
    ("field", "rule"),
    [("_dfeta_teacherstatusid_value", "is not a known dfeta_teacherstatus"),
     ("_dfeta_earlyyearsstatusid_value", "is not a known dfeta_earlyyearsstatus")],
)  # fmt: skip
def test_unknown_status_guids_are_rejected(field: str, rule: str) -> None:
    overrides: dict[str, Any] = {field: "12345678-1234-4234-8234-123456789abc"}
    with pytest.raises(MappingError, match=rule):
        run([], [rf.qts("71", "221", **overrides)])


def test_unknown_qualification_guid_is_rejected() -> None:
    with pytest.raises(MappingError, match="is not a known dfeta_ittqualification"):
        run([rf.itt(_dfeta_ittqualificationid_value="12345678-1234-4234-8234-123456789abc")], [])


@pytest.mark.parametrize("records", ["text", {"a": 1}, None, 5])
def test_records_must_be_lists(records: Any) -> None:
    with pytest.raises(MappingError, match="must be a list of records"):
        map_professional_status(rf.contact(), records, [], REFERENCE)
    with pytest.raises(MappingError, match="must be a list of records"):
        map_professional_status(rf.contact(), [], records, REFERENCE)


# --- §3.10 induction exemptions moved onto routes -------------------------------------------------------------

NI_REASON = "3471ab35-e6e4-4fa9-a72b-b8bd113df591"
QTLS_REASON = "35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db"
BEFORE_2000 = "5a80cee8-98a8-426b-8422-b0e81cb49b36"
OTHER_REASON = "a5faff9f-29ce-4a6b-a7b8-0c1f57f15920"


def test_induction_exemptions_move_onto_routes() -> None:
    out = run(
        [],
        [rf.qts("69", qts_date="1998-08-31T23:00:00Z"), rf.qts("67", qts_date="1999-08-31T23:00:00Z"),
         rf.qts("68", qts_date=rf.SUMMER)],
        contact=rf.contact(dfeta_qtlsdate="2015-03-01"),
    )  # fmt: skip
    routes, left = apply_induction_exemptions(out.routes, [NI_REASON, BEFORE_2000, OTHER_REASON])
    by_type = {prefix(route): route for route in routes}
    ni, ec = by_type["3604ef30"], by_type["f4da123b"]
    assert (ni["exempt_from_induction"], ni["exempt_from_induction_due_to_qts_date"]) == (True, True)
    assert (ec["exempt_from_induction"], ec["exempt_from_induction_due_to_qts_date"]) == (None, True)
    assert by_type["52835b1f"]["exempt_from_induction"] is False  # Scottish, but the person has no Scotland reason
    assert by_type["52835b1f"]["exempt_from_induction_due_to_qts_date"] is None  # 2012
    assert by_type["be6eaf8c"]["exempt_from_induction"] is True  # QTLS is exempt anyway
    assert left == [OTHER_REASON]
    assert all(route["exempt_from_induction"] is None for route in out.routes)  # the input is not modified


def test_qtls_reason_moves_onto_the_qtls_route() -> None:
    out = run([], [], contact=rf.contact(dfeta_qtlsdate="2015-03-01"))
    routes, left = apply_induction_exemptions(out.routes, [QTLS_REASON])
    assert (routes[0]["exempt_from_induction"], left) == (True, [])
