"""Induction exemptions moved onto routes (reference §3.10, ADR 0067), through the real feeds.

Two stores follow one DQT: one syncs the induction feed before the professional-status feeds, the other after.
Whatever changed in between (the induction's reason, the registrations, both), the two stores end up with the same
persons reasons and route exemption columns, both equal to the mapping run directly over DQT. Events record the
transitions each store went through: a reason leaving the person appears once in each, though which write emitted
it (and so its key and the routes it names) can differ when both sides changed at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from dataverse_client import DataverseClient
from mappings.reference import dqt_status as sref
from mappings.reference.routes import route
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import create_contact, events, sync
from tests.integration.professional_status.helpers import (
    assert_as_mapped,
    create_qts,
    exemption_reasons,
    routes,
)
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration

EXEMPT = 389040000
SCOTLAND, BEFORE_1999 = 389040017, 389040011  # DQT exemption reasons
SCOTLAND_ID = "a112e691-1694-46a7-8f33-5ec5b845c181"
BEFORE_2000_ID = "5a80cee8-98a8-426b-8422-b0e81cb49b36"
SCOTTISH, NI = route("52835b1f"), route("3604ef30")
SCOTTISH_STATUS = sref.by_value(sref.TEACHER_STATUSES, "68")
PS_FEEDS = ("initial_teacher_training", "qts_registration")
ITT, QTS = "dfeta_initialteachertrainings", "dfeta_qtsregistrations"


@pytest.fixture
def dqt(
    fresh_simulator: Callable[..., SimulatorHandle], client_for: Callable[[SimulatorHandle], DataverseClient]
) -> DataverseClient:
    return client_for(fresh_simulator())


def _exempt_person(dqt: DataverseClient, reason: int) -> tuple[str, str]:
    person = create_contact(dqt, dfeta_inductionstatus=EXEMPT)
    induction = str(uuid.uuid4())
    body = {"dfeta_PersonId@odata.bind": f"/contacts({person})", "dfeta_inductionstatus": EXEMPT}
    dqt.create("dfeta_inductions", {**body, "dfeta_inductionexemptionreason": reason}, id=induction)
    return person, induction


def _flags(route_row: dict[str, Any]) -> tuple[bool | None, bool | None]:
    return route_row["exempt_from_induction"], route_row["exempt_from_induction_due_to_qts_date"]


def _state(store: Store, person: str) -> dict[str, Any]:
    """What the rule decides, in one store: the person's reasons and each route's two exemption columns."""
    flags = {r["route_to_professional_status_type_id"]: _flags(r) for r in routes(store.engine, person).values()}
    return {"reasons": exemption_reasons(store.engine, person), "routes": flags}


def _moves(store: Store, person: str) -> list[tuple[str, str, list[str]]]:
    """The person's ``PersonInductionUpdatedEvent``s: (reason, kind, route ids), in key order."""
    found = sorted(
        (e["key"], e["payload"]["induction_exemption_reason_id"], e["payload"]["kind"], e["payload"]["route_ids"])
        for e in events(store.engine)
        if e["event_name"] == "PersonInductionUpdatedEvent" and e["person_id"] == person
    )
    return [(reason, kind, route_ids) for _, reason, kind, route_ids in found]


def _both_orders(induction_first: Store, routes_first: Store, dqt: DataverseClient) -> None:
    sync(induction_first.engine, dqt, "person", "induction")
    sync(induction_first.engine, dqt, *PS_FEEDS)
    sync(routes_first.engine, dqt, "person", *PS_FEEDS)
    sync(routes_first.engine, dqt, "induction")


def test_the_outcome_does_not_depend_on_which_feed_runs_first(
    store: Store, new_store: Callable[[str], Store], dqt: DataverseClient
) -> None:
    other = new_store(store.kind)
    # Given a teacher exempt from induction because trained in Scotland, who holds Scottish recognition (status 68)
    # awarded in 1998
    person, induction = _exempt_person(dqt, SCOTLAND)
    scottish = create_qts(dqt, person, status=SCOTTISH_STATUS, qts_date="1998-08-31T23:00:00Z")

    # When one store syncs the induction first and the other the routes first
    _both_orders(store, other, dqt)

    # Then the Scotland reason left the person for the Scottish route in both, with the same single event
    first = _state(store, person)
    assert first == _state(other, person)
    assert first["reasons"] == ([SCOTLAND_ID], [])
    assert first["routes"] == {SCOTTISH: (True, None)}  # no "qualified before 2000" reason: that column stays null
    assert _moves(store, person) == [(SCOTLAND_ID, "Moved to route", list(routes(store.engine, person)))]
    assert _moves(other, person) == _moves(store, person)
    assert_as_mapped(store.engine, dqt, person)

    # When DQT changes both sides before the next syncs: the reason becomes "qualified before 07 May 1999" and a
    # Northern Irish recognition awarded in 1999 is added
    dqt.update("dfeta_inductions", induction, {"dfeta_inductionexemptionreason": BEFORE_1999})
    create_qts(dqt, person, status=sref.by_value(sref.TEACHER_STATUSES, "69"), qts_date="1999-06-30T23:00:00Z")
    _both_orders(store, other, dqt)

    # Then both QTS routes before 2000-05-07 take the one reason (it leaves the person once), the Scottish and NI
    # routes are not exempt for their own reasons (the person has neither), and the two stores agree
    second = _state(store, person)
    assert second == _state(other, person)
    assert second["reasons"] == ([BEFORE_2000_ID], [])
    assert second["routes"] == {SCOTTISH: (False, True), NI: (False, True)}
    for each in (store, other):  # the reason left the person once, in whichever write saw it go
        moved = [m for m in _moves(each, person) if m[0] == BEFORE_2000_ID]
        assert [kind for _, kind, _ in moved] == ["Moved to route"]
        assert set(moved[0][2]) <= set(routes(each.engine, person))
    # (the induction-first store moved it while only the Scottish route existed, the other onto both routes)
    assert len(next(m for m in _moves(other, person) if m[0] == BEFORE_2000_ID)[2]) == 2
    assert_as_mapped(store.engine, dqt, person)

    # When both registrations are deleted and the reason goes back to Scotland
    for qts in [r["dqt_qts_registration_id"] for r in routes(store.engine, person).values()]:
        dqt.delete(QTS, qts)
    dqt.update("dfeta_inductions", induction, {"dfeta_inductionexemptionreason": SCOTLAND})
    _both_orders(store, other, dqt)

    # Then the person has no route and keeps its reason, in both stores
    third = _state(store, person)
    assert third == _state(other, person)
    assert third["reasons"] == ([SCOTLAND_ID], [SCOTLAND_ID])
    assert third["routes"] == {}
    assert_as_mapped(store.engine, dqt, person)
    assert scottish not in {r["dqt_qts_registration_id"] for r in routes(store.engine, person).values()}


def test_a_route_that_goes_gives_the_reason_back(store: Store, dqt: DataverseClient) -> None:
    # Given an exempt Scottish-trained teacher whose reason sits on the Scottish route
    person, _ = _exempt_person(dqt, SCOTLAND)
    scottish = create_qts(dqt, person, status=SCOTTISH_STATUS, qts_date="2010-08-31T23:00:00Z")
    sync(store.engine, dqt)
    assert exemption_reasons(store.engine, person) == ([SCOTLAND_ID], [])

    # When only the registration is deleted (the induction feed sees nothing)
    dqt.delete(QTS, scottish)
    sync(store.engine, dqt, *PS_FEEDS)

    # Then the reason is back on the person, with an event saying so, and a second sync changes nothing
    assert routes(store.engine, person) == {}
    assert exemption_reasons(store.engine, person) == ([SCOTLAND_ID], [SCOTLAND_ID])
    kinds = [e["payload"]["kind"] for e in events(store.engine) if e["event_name"] == "PersonInductionUpdatedEvent"]
    assert kinds == ["Moved to route", "Moved from route"]
    before = len(events(store.engine))
    sync(store.engine, dqt)
    assert len(events(store.engine)) == before
    assert_as_mapped(store.engine, dqt, person)


def test_a_qtls_route_is_exempt_and_takes_the_qtls_reason(store: Store, dqt: DataverseClient) -> None:
    # Given a QTLS holder (exempt, reason QTLS and SET Membership) and one whose induction DQT never recorded
    holder, _ = _exempt_person(dqt, 389040018)
    dqt.update("contacts", holder, {"dfeta_qtlsdate": "2016-04-01T00:00:00Z", "dfeta_qtlsdatehasbeenset": True})
    no_induction = create_contact(dqt, dfeta_qtlsdate="2017-04-01T00:00:00Z", dfeta_qtlsdatehasbeenset=True)

    # When everything syncs
    sync(store.engine, dqt)

    # Then both QTLS routes are exempt; only the first person had a reason to move
    for person in (holder, no_induction):
        (qtls,) = routes(store.engine, person).values()
        assert qtls["exempt_from_induction"] is True
        assert_as_mapped(store.engine, dqt, person)
    assert exemption_reasons(store.engine, holder) == (["35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db"], [])
    assert exemption_reasons(store.engine, no_induction) == (None, None)
