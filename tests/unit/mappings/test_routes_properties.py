"""Property tests for map_professional_status: any JSON gives a result or a MappingError, never anything
else; and on well-formed data of every shape the result keeps the algorithm's invariants."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappings import MappingError
from mappings.reference import dqt_status as ds
from mappings.reference import routes as r
from mappings.routes import ProfessionalStatusResult, map_professional_status
from tests.unit.mappings import routes_factories as rf
from tests.unit.mappings.test_map_properties import JSON, VALUES, _check_error, _check_row, records

REFERENCE = rf.reference()
SETTINGS = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _check(result: ProfessionalStatusResult) -> None:
    for route in result.routes:
        _check_row({k: v for k, v in route.items() if k != "training_country_id"})  # a country code, not a GUID
        assert route["route_to_professional_status_type_id"] in r.ROUTE_TYPES_BY_ID
        assert route["status"] in {int(s) for s in r.RouteStatus}
        kind = r.ROUTE_TYPES_BY_ID[route["route_to_professional_status_type_id"]].professional_status_type
        if route["status"] == r.RouteStatus.HOLDS and kind is not r.ProfessionalStatusType.EYPS:
            assert route["holds_from"] is not None
    ids = [route["qualification_id"] for route in result.routes]
    assert len(ids) == len(set(ids))
    itts = [route["dqt_initial_teacher_training_id"] for route in result.routes]
    itts = [i for i in itts if i is not None]
    assert len(itts) == len(set(itts))  # each ITT row is used at most once
    for failure in result.failures:
        assert failure.message
    if result.contact_failed:
        assert result.routes == []
        assert result.person is None
        assert len(result.failures) == 1
    else:
        assert result.person is not None


def _outcome(contact: Any, itts: Any, qtss: Any) -> None:
    try:
        result = map_professional_status(contact, itts, qtss, REFERENCE)
    except MappingError as error:
        _check_error(error)
        return
    _check(result)


# --- arbitrary JSON ------------------------------------------------------------------------------------------


@SETTINGS
@given(
    st.one_of(JSON, st.builds(rf.contact)),
    st.one_of(JSON, st.lists(JSON, max_size=2)),
    st.one_of(JSON, st.lists(JSON, max_size=2)),
)
def test_any_json_as_any_argument(contact: Any, itts: Any, qtss: Any) -> None:
    _outcome(contact, itts, qtss)


def _itt() -> dict[str, Any]:
    return rf.itt(r.IttResult.PASS, provider="University of Leeds", subjects=("100403",), country="XF")


def _qts() -> dict[str, Any]:
    return rf.qts("71", "221", qts_date=rf.SUMMER, eyts_date=rf.WINTER)


@SETTINGS
@given(records(rf.contact), st.lists(records(_itt), max_size=3), st.lists(records(_qts), max_size=3))
def test_corrupted_records(contact: dict[str, Any], itts: list[Any], qtss: list[Any]) -> None:
    _outcome(contact, itts, qtss)


@SETTINGS
@given(st.sampled_from(sorted(_itt())), VALUES)
def test_any_value_in_any_itt_field(field: str, value: Any) -> None:
    _outcome(rf.contact(), [{**_itt(), field: value}], [_qts()])


# --- well-formed data of every shape -------------------------------------------------------------------------

_DATES = st.sampled_from([None, rf.SUMMER, rf.WINTER, "1999-05-01T23:00:00Z"])
_CREATED = st.sampled_from(["2001-01-01T00:00:00Z", "2005-01-01T00:00:00Z", "2009-06-01T12:00:00Z"])
_TEACHER = st.one_of(st.none(), st.sampled_from(sorted({row.value for row in ds.TEACHER_STATUSES})))
_EY = st.one_of(st.none(), st.sampled_from(["220", "221", "222"]))
_PROGRAMME = st.one_of(st.none(), st.sampled_from([p.name for p in r.PROGRAMME_TYPES]))
_RESULT = st.one_of(st.none(), st.sampled_from(list(r.IttResult)))
_QUALIFICATION = st.one_of(st.none(), st.sampled_from(sorted({row.value for row in ds.ITT_QUALIFICATIONS})))
_AGE = st.one_of(st.none(), st.sampled_from(sorted(r.AGE_RANGES_BY_VALUE)))
_PROVIDER = st.one_of(st.none(), st.sampled_from([p.name for p in ds.ITT_PROVIDERS if p.training_provider]))


@st.composite
def contacts(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    contact_id = draw(st.sampled_from([rf.PERSON_ID, *sorted(r.HARDCODED_PAIRINGS)]))
    qtss = [
        rf.qts(
            draw(_TEACHER), draw(_EY), qts_date=draw(_DATES), eyts_date=draw(_DATES), recognition=draw(_DATES),
            created=draw(_CREATED), _dfeta_personid_value=contact_id, statecode=draw(st.sampled_from([0, 0, 0, 1])),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]  # fmt: skip
    pairing = r.HARDCODED_PAIRINGS.get(contact_id)
    hardcoded_ids = [] if pairing is None else [pairing.qts_itt_id, pairing.ey_itt_id]
    itts = []
    for n in range(draw(st.integers(0, 4))):
        itt = rf.itt(
            draw(_RESULT), draw(_PROGRAMME), draw(_QUALIFICATION), provider=draw(_PROVIDER),
            ages=(draw(_AGE), draw(_AGE)), created=draw(_CREATED), _dfeta_personid_value=contact_id,
            qts=draw(st.one_of(st.none(), st.sampled_from(qtss))) if qtss else None,
        )  # fmt: skip
        if n < len(hardcoded_ids) and draw(st.booleans()):
            itt["dfeta_initialteachertrainingid"] = hardcoded_ids[n]
        itts.append(itt)
    contact = rf.contact(
        contactid=contact_id, dfeta_qtlsdate=draw(st.sampled_from([None, "2015-03-01"])),
        dfeta_qtlsdatehasbeenset=draw(st.booleans()),
    )  # fmt: skip
    return contact, itts, qtss


@settings(max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(contacts())
def test_well_formed_contacts_map_without_error_and_keep_the_invariants(
    data: tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    contact, itts, qtss = data
    result = map_professional_status(contact, itts, qtss, REFERENCE)  # no MappingError on well-formed data
    _check(result)
    again = map_professional_status(contact, list(reversed(itts)), list(reversed(qtss)), REFERENCE)
    assert again == result  # the input order does not matter
