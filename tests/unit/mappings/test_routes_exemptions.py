"""move_induction_exemptions (reference §3.10, ADR 0067) and the TRS training reference rows (ADR 0068)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings.reference import dqt_status as ds
from mappings.reference import routes as r
from mappings.reference.routes import RouteStatus as S
from mappings.routes import (
    RouteRow,
    map_professional_status,
    move_induction_exemptions,
    training_reference_rows,
    training_subject_id,
    with_storable_countries,
)
from tests.unit.mappings import routes_factories as rf

OTT, NI, SCOTLAND, QTLS = (
    "4c97e211-10d2-4c63-8da9-b0fcebe7f2f9",
    "3471ab35-e6e4-4fa9-a72b-b8bd113df591",
    "a112e691-1694-46a7-8f33-5ec5b845c181",
    "35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db",
)
BEFORE_2000 = "5a80cee8-98a8-426b-8422-b0e81cb49b36"
OTHER = "a5faff9f-29ce-4a6b-a7b8-0c1f57f15920"  # "Exempt": no route type carries it
APPLY_FOR_QTS, NI_ROUTE, SCOTTISH, QTLS_ROUTE = (r.route(p) for p in ("6f27bdeb", "3604ef30", "52835b1f", "be6eaf8c"))
HEI, EYTS_ROUTE = r.route("10078157"), r.route("dbc4125b")
_IDS = itertools.count(1)


def _route(route_type: str, status: int = S.HOLDS, holds_from: dt.date | None = dt.date(2010, 1, 1), **kw: Any) -> Any:
    route = {
        "qualification_id": f"00000000-0000-4000-8000-{next(_IDS):012d}",
        "route_to_professional_status_type_id": route_type,
        "status": status,
        "holds_from": holds_from,
        "exempt_from_induction": None,
        "exempt_from_induction_due_to_qts_date": None,
    }
    return {**route, **kw}


def _flags(route: RouteRow) -> tuple[bool | None, bool | None]:
    return route["exempt_from_induction"], route["exempt_from_induction_due_to_qts_date"]


@pytest.mark.parametrize(
    ("route_type", "reason"), [(APPLY_FOR_QTS, OTT), (NI_ROUTE, NI), (SCOTTISH, SCOTLAND), (QTLS_ROUTE, QTLS)]
)
def test_the_four_route_types_with_a_reason(route_type: str, reason: str) -> None:
    # with the person's reason: exempt, and the reason leaves the person
    out = move_induction_exemptions([reason, OTHER], [_route(route_type)])
    assert (_flags(out.routes[0]), out.reason_ids, out.moved_reason_ids) == ((True, None), [OTHER], [reason])
    # without it: not exempt (QTLS is exempt anyway), nothing moves
    out = move_induction_exemptions([OTHER], [_route(route_type)])
    assert (_flags(out.routes[0]), out.reason_ids, out.moves) == ((route_type == QTLS_ROUTE, None), [OTHER], [])


def test_any_status_of_those_types_takes_the_reason() -> None:
    out = move_induction_exemptions([NI], [_route(NI_ROUTE, S.IN_TRAINING, None)])
    assert (_flags(out.routes[0]), out.reason_ids) == ((True, None), [])


def test_other_route_types_leave_exempt_from_induction_null() -> None:
    out = move_induction_exemptions([NI, OTT, SCOTLAND, QTLS, OTHER], [_route(HEI), _route(EYTS_ROUTE)])
    assert [_flags(route) for route in out.routes] == [(None, None), (None, None)]
    assert out.reason_ids == [NI, OTT, SCOTLAND, QTLS, OTHER]


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (_route(HEI, holds_from=dt.date(2000, 5, 6)), True),
        (_route(HEI, holds_from=dt.date(2000, 5, 7)), None),  # on the day: not before
        (_route(HEI, S.IN_TRAINING, dt.date(1999, 1, 1)), None),  # not Holds
        (_route(HEI, holds_from=None), None),
        (_route(EYTS_ROUTE, holds_from=dt.date(1999, 1, 1)), None),  # not a QTS-type route
        (_route(QTLS_ROUTE, holds_from=dt.date(1999, 1, 1)), True),  # QTLS is QTS-type
    ],
)
def test_qualified_before_7_may_2000(route: Any, expected: bool | None) -> None:
    out = move_induction_exemptions([BEFORE_2000], [route])
    assert out.routes[0]["exempt_from_induction_due_to_qts_date"] is expected
    assert out.reason_ids == ([] if expected else [BEFORE_2000])
    # without the reason the column stays null whatever the date
    assert move_induction_exemptions([], [route]).routes[0]["exempt_from_induction_due_to_qts_date"] is None


def test_one_reason_moves_onto_several_routes_and_leaves_once() -> None:
    routes = [_route(HEI, holds_from=dt.date(1995, 1, 1)), _route(NI_ROUTE, holds_from=dt.date(1998, 1, 1))]
    out = move_induction_exemptions([BEFORE_2000, NI], routes)
    assert [_flags(route) for route in out.routes] == [(None, True), (True, True)]
    assert out.reason_ids == []
    assert out.moved_reason_ids == [BEFORE_2000, NI]
    assert sorted((m.reason_id, m.due_to_qts_date) for m in out.moves) == sorted(
        [(BEFORE_2000, True), (BEFORE_2000, True), (NI, False)]
    )


def test_stale_flags_are_recomputed_and_the_input_is_not_modified() -> None:
    stored = _route(NI_ROUTE, holds_from=dt.date(1998, 1, 1), exempt_from_induction=True)
    stored["exempt_from_induction_due_to_qts_date"] = True
    out = move_induction_exemptions([], [stored])  # DQT no longer holds any reason
    assert _flags(out.routes[0]) == (False, None)
    assert _flags(stored) == (True, True)


def test_routes_from_the_mapping_take_the_reasons() -> None:
    mapped = map_professional_status(
        rf.contact(dfeta_qtlsdate="2015-03-01"), [], [rf.qts("69", qts_date="1998-08-31T23:00:00Z")], rf.reference()
    )
    out = move_induction_exemptions([QTLS, BEFORE_2000], mapped.routes)
    by_type = {route["route_to_professional_status_type_id"]: _flags(route) for route in out.routes}
    assert by_type == {QTLS_ROUTE: (True, None), NI_ROUTE: (False, True)}
    assert out.reason_ids == []


_REASONS = st.lists(st.sampled_from([OTT, NI, SCOTLAND, QTLS, BEFORE_2000, OTHER]), unique=True)
_ROUTES = st.lists(
    st.builds(
        _route,
        st.sampled_from([APPLY_FOR_QTS, NI_ROUTE, SCOTTISH, QTLS_ROUTE, HEI, EYTS_ROUTE]),
        st.sampled_from(list(S)),
        st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2010, 1, 1))),
        exempt_from_induction=st.sampled_from([None, True, False]),
        exempt_from_induction_due_to_qts_date=st.sampled_from([None, True]),
    ),
    max_size=6,
)


@given(_REASONS, _ROUTES, _ROUTES)
def test_the_outcome_depends_on_the_dqt_reasons_and_the_routes_only(
    reasons: list[str], earlier: list[Any], routes: list[Any]
) -> None:
    """Applying the rule to routes another application already flagged (from other reasons or other routes) gives
    what applying it to fresh routes gives: nothing of an earlier outcome leaks into a later one."""
    fresh = [
        {**route, "exempt_from_induction": None, "exempt_from_induction_due_to_qts_date": None} for route in routes
    ]
    expected = move_induction_exemptions(reasons, fresh)
    flagged = move_induction_exemptions([OTHER, *reasons[:1]], [*earlier, *routes]).routes[len(earlier) :]
    again = move_induction_exemptions(reasons, flagged)
    assert [_flags(route) for route in again.routes] == [_flags(route) for route in expected.routes]
    assert (again.reason_ids, again.moves) == (expected.reason_ids, expected.moves)
    assert set(expected.reason_ids) | set(expected.moved_reason_ids) == set(reasons)
    assert not set(expected.reason_ids) & set(expected.moved_reason_ids)


# --- TRS training reference rows (ADR 0068) --------------------------------------------------------------------


def test_reference_rows_hold_every_id_a_route_can_name() -> None:
    reference = with_storable_countries(rf.reference())
    rows = training_reference_rows(reference)
    # subjects: one per TRS reference, C600 "Physical Education" as C600PE
    assert rows.subjects[training_subject_id("C600PE")] == {
        "training_subject_id": training_subject_id("C600PE"),
        "reference": "C600PE",
        "name": "Physical Education",
    }
    assert rows.subjects[training_subject_id("C600")]["name"] == "Sport & exercise science"
    assert len(rows.subjects) == len(ds.ITT_SUBJECTS)
    # providers: flagged accounts under their DQT ids, with UKPRN and name
    leeds = rf.provider_id("University of Leeds")
    assert rows.providers[leeds] == {"training_provider_id": leeds, "ukprn": "10007795", "name": "University of Leeds"}
    assert ds.UNFLAGGED_ESTABLISHMENT.id not in rows.providers
    # countries: TRS codes after the substitutions, named after the row whose own code it is
    assert rows.countries["GB"] == {"country_id": "GB", "name": "United Kingdom"}
    assert rows.countries["CY"]["name"] == "Cyprus"  # not XA's or XC's placeholder
    assert {"GB-ENG", "GB-WLS", "GB-NIR", "GB-SCT", "NL", "CZ", "ES", "TR", "CN"} <= set(rows.countries)
    assert not {"XF", "XK", "XP", "EU", "ZZ", "EEA Countries"} & set(rows.countries)


def test_a_country_code_too_long_for_trs_is_left_out_of_the_rows_and_of_routes() -> None:
    long_code = {"dfeta_countryid": "12345678-1234-4234-8234-1234567890ab", "dfeta_value": "LONGCOUNTRY1"}
    records = [{**long_code, "dfeta_name": "Somewhere", "statecode": 0}]
    reference = rf.reference(countries=[*rf._records(ds.COUNTRIES, "dfeta_countryid"), *records])
    assert "LONGCOUNTRY1" in {c.value for c in reference.countries.values()}
    storable = with_storable_countries(reference)
    assert "LONGCOUNTRY1" not in training_reference_rows(storable).countries
    itt = rf.itt(rf.IttResult.PASS, _dfeta_countryid_value=long_code["dfeta_countryid"])
    out = map_professional_status(rf.contact(), [itt], [rf.qts("71", qts_date=rf.SUMMER)], storable)
    assert out.routes[0]["training_country_id"] is None
    assert (
        map_professional_status(rf.contact(), [itt], [rf.qts("71", qts_date=rf.SUMMER)], reference).routes[0][
            "training_country_id"
        ]
        == "LONGCOUNTRY1"
    )  # without it the mapping would name a country the store cannot hold


def test_every_id_the_mapping_names_has_a_row() -> None:
    reference = with_storable_countries(rf.reference())
    rows = training_reference_rows(reference)
    itts = [
        rf.itt(rf.IttResult.PASS, provider="University of Leeds", subjects=("100403", "C600", "F300"), country=code)
        for code in ("XF", "XK", "AN", "FR", "XP")
    ]
    for itt in itts:
        out = map_professional_status(rf.contact(), [itt], [rf.qts("71", qts_date=rf.SUMMER)], reference)
        (route,) = out.routes
        assert set(route["training_subject_ids"]) <= set(rows.subjects)
        assert route["training_provider_id"] in rows.providers
        assert route["training_country_id"] is None or route["training_country_id"] in rows.countries
