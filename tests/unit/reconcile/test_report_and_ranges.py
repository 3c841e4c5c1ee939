"""The parity report's bookkeeping: what counts as clean, the JSON shape, naming entities, and how rows that DQT
and TRS put in different key ranges are matched up instead of being reported missing and extra."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine

from bridge.errors import CommandRejected
from bridge.reconcile import Difference, OpenFailure, ReconcileReport, resolve_entities
from bridge.reconcile.digest import digest
from bridge.reconcile.entities import ENTITIES, Sides
from bridge.reconcile.run import _Tally
from trs_store.models import metadata

COLUMNS = ("a", "b")
P1, P2, P3 = (f"{n}0000000-0000-4000-8000-000000000000" for n in (1, 2, 3))


def _report(**kwargs: object) -> ReconcileReport:
    return ReconcileReport("person", "full", 0, 0, 0, [], 0, 0.0, **kwargs)  # type: ignore[arg-type]


def test_unapplied_records_are_reported_but_do_not_make_a_report_unclean() -> None:
    failure = OpenFailure(7, "contacts", "mapping", "dfeta_ninumber", "contacts x: dfeta_ninumber must be 9 characters")
    report = _report(unapplied=[Difference("person", P1, "missing", ())], failures={P1: failure})
    report.counts["unapplied"] += 1
    assert report.clean
    entry = report.as_json()["unapplied_records"][0]
    assert entry == {
        "dqt_id": P1,
        "kind": "missing",
        "fields": [],
        "failed_record_id": 7,
        "failed_entity_set": "contacts",
        "error_kind": "mapping",
        "error_field": "dfeta_ninumber",
        "reason": failure.message,
    }
    report.differences.append(Difference("person", P2, "differing", ("trn",)))
    assert not report.clean
    assert report.as_json()["differences"] == [{"dqt_id": P2, "kind": "differing", "fields": ["trn"]}]


def test_a_truncated_list_still_counts_every_difference() -> None:
    report = _report()
    report.counts["extra"] = 3
    assert not report.clean


def test_entities_are_named_by_name_feed_or_entity_set_in_dependency_order() -> None:
    assert [e.name for e in resolve_entities(None)] == [e.name for e in ENTITIES]
    assert [e.name for e in resolve_entities(["qts_registration", "contacts", "dfeta_initialteachertrainings"])] == [
        "person",
        "professional_status",
    ]
    with pytest.raises(CommandRejected, match="unknown entity nope"):
        resolve_entities(["person", "nope"])


@pytest.fixture
def connection() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _sides(expected: dict[str, int], actual: dict[str, int], dqt: set[str], looked_up: set[str] = frozenset()) -> Sides:
    sides = Sides()
    for key, value in expected.items():
        sides.expected.add(key, digest({"a": value, "b": key}, COLUMNS))
    for key, value in actual.items():
        sides.actual.add(key, digest({"a": value, "b": key}, COLUMNS))
    sides.dqt_groups |= dqt
    sides.looked_up |= set(looked_up)
    return sides


def test_a_row_each_side_puts_in_another_range_is_compared_not_reported(connection: Connection) -> None:
    tally = _Tally(ENTITIES[0], 100, _report())
    # DQT puts P1 in the first range, TRS in the second: the first range looks it up by id and compares it
    tally.settle(connection, _sides({P1: 1, P2: 1}, {P1: 1, P2: 1}, {P1, P2}, looked_up={P1}))
    # and the second range's read of TRS returns P1 again, beside P3, which DQT has nowhere
    tally.settle(connection, _sides({}, {P1: 1, P3: 1}, set()))
    tally.finish(connection)
    report = tally.report
    assert [(d.dqt_id, d.kind) for d in report.differences] == [(P3, "extra")]
    assert report.compared == 2
    assert report.ranges_examined == 1


def test_a_differing_record_names_its_fields_and_an_unverifiable_one_has_no_fields(connection: Connection) -> None:
    tally = _Tally(ENTITIES[0], 100, _report())
    sides = _sides({P1: 1}, {P1: 2, P2: 1}, {P1, P2})
    sides.unverifiable[P2] = P2  # in DQT, does not map, and has no open failed record here
    tally.settle(connection, sides)
    found = sorted((d.dqt_id, d.kind, d.fields) for d in tally.report.differences)
    assert found == [(P1, "differing", ("a",)), (P2, "differing", ())]
    assert tally.report.top_fields == {"a": 1}


def test_listing_stops_at_the_limit_but_counting_does_not(connection: Connection) -> None:
    tally = _Tally(ENTITIES[0], 1, _report())
    tally.settle(connection, _sides({P1: 1, P2: 1, P3: 1}, {}, {P1, P2, P3}))
    assert len(tally.report.differences) == 1
    assert tally.report.counts["missing"] == 3
    assert tally.report.truncated
