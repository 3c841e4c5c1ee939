"""2,000 hostile DQT records (600 in the short form; every field kind broken in every way,
``dqt_simulator.hostile``) mixed into generated data: the sync does not crash; every record the mapping refuses
is an open failed record naming the record, the field and the rule; every record it accepts is in TRS exactly as
the mapping functions say; the second holder of a TRN and every orphan are failed records too."""

from __future__ import annotations

import collections
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bridge.sync import SyncService
from dataverse_client import DataverseClient
from dqt_simulator.hostile import MANIFEST, generate_hostile
from mappings import (
    Ignored,
    MappingError,
    Skipped,
    map_contact,
    map_induction,
    map_previous_names,
    map_qualification,
    map_sanction,
)
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import read_jsonl, reference_lookup, rows, without
from tests.reliability.conftest import report, trials
from tests.reliability.parity import duplicate_events
from tests.support.simulator import SimulatorHandle
from trs_store import failed_records
from trs_store.failed_records import FailedRecord

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

#: The long form's figures are the issue's: 2,000 hostile records; the short form mixes in fewer, of every kind.
HOSTILE = trials(600, 2000)
PERSONS = trials(60, 200)
SETS = ("contacts", "dfeta_qualifications", "dfeta_sanctions", "dfeta_inductions", "dfeta_previousnames")
KEYS = {
    "contacts": "contactid",
    "dfeta_qualifications": "dfeta_qualificationid",
    "dfeta_sanctions": "dfeta_sanctionid",
    "dfeta_inductions": "dfeta_inductionid",
    "dfeta_previousnames": "dfeta_previousnameid",
}


class Failures:
    """The open failed records, by DQT id (one open per id, as the store's index promises)."""

    def __init__(self, found: list[FailedRecord]) -> None:
        self.by_id: dict[str | None, FailedRecord] = {f.dqt_id: f for f in found}
        assert len(self.by_id) == len(found), "two open failed records for one DQT id"
        self.named: set[str] = set()

    def naming(self, error: MappingError) -> FailedRecord:
        """The failed record of a record the mapping refused: it names the record, the field and the rule."""
        assert error.record_id is not None
        failure = self.by_id.get(error.record_id)
        assert failure is not None, f"{error.entity} {error.record_id} failed ({error.field} {error.rule}) unrecorded"
        assert (failure.error_kind, failure.field) == ("mapping", error.field), (failure, error)
        for part in (error.record_id, error.field, error.rule):
            assert part in failure.message, (part, failure.message)
        self.named.add(error.record_id)
        return failure

    def of_kind(self, record_id: str, kind: str, *named: str) -> FailedRecord:
        """The failed record of a record the database or the bridge refused (not the mapping): of ``kind``,
        with its field or message naming each of ``named`` (a duplicate key names the column and the rule in its
        message; its ``field`` is NULL, as the database names TRS's column, not DQT's field)."""
        failure = self.by_id.get(record_id)
        assert failure is not None, f"{record_id} ({kind}) has no failed record"
        said = f"{failure.field or ''} {failure.message}"
        assert failure.error_kind == kind, (failure.error_kind, failure.field, failure.message)
        assert all(n in said for n in named), (named, failure.field, failure.message)
        self.named.add(record_id)
        return failure


def test_two_thousand_hostile_records_fail_alone_and_everything_valid_maps_exactly(
    seed: int,
    tmp_path: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    new_store: Callable[[str], Store],
) -> None:
    # Given generated DQT data with 2,000 hostile records mixed in, served as a dirty DQT would serve them
    data = tmp_path / "dqt"
    counts = generate_hostile(data, PERSONS, HOSTILE, seed)
    manifest = read_jsonl(data / MANIFEST)
    sim = fresh_simulator(data_dir=data)
    store = new_store("postgresql")

    # When every feed syncs
    with DataverseClient(sim.settings()) as client:
        results = SyncService(store.engine, client, page_size=500).sync()
        # (the records exactly as DQT serves them, versionnumber included, are what the mapping is given)
        records = {s: [r for page in client.query(s) for r in page.records] for s in SETS}

    # Then nothing crashed: every feed's run succeeded and saw every record
    assert all(r.outcome == "succeeded" for r in results), [(r.feed, r.outcome) for r in results]
    seen = {r.entity_set: r.counts.seen for r in results}
    assert all(seen[s] == len(records[s]) for s in SETS), (seen, {s: len(v) for s, v in records.items()})
    with store.engine.connect() as connection:
        failures = Failures(failed_records.list_failed(connection))
    reference = reference_lookup()

    # And every contact is the person map_contact makes, or a failed record naming record, field and rule
    persons = rows(store.engine, "persons")
    valid: dict[str, dict[str, Any]] = {}
    for contact in records["contacts"]:
        try:
            valid[contact["contactid"]] = dict(map_contact(contact))
        except MappingError as error:
            failures.naming(error)
    assert not set(persons) - set(valid)
    # (of contacts sharing a TRN, one is stored and the others are duplicate_key failures)
    by_trn: dict[str | None, list[str]] = collections.defaultdict(list)
    for contact_id, row in valid.items():
        by_trn[row["trn"]].append(contact_id)
    duplicates = 0
    for trn, holders in by_trn.items():
        if trn is None or len(holders) == 1:
            continue
        stored = [h for h in holders if h in persons]
        assert len(stored) == 1, (trn, holders)
        for loser in set(holders) - set(stored):
            failures.of_kind(loser, "duplicate_key", "trn", "unique")
            del valid[loser]
            duplicates += 1
    assert duplicates >= 3
    for contact_id, expected in valid.items():
        assert contact_id in persons, f"contact {contact_id} maps but is not in TRS"
        assert {k: persons[contact_id][k] for k in expected} == expected, contact_id

    # And every MQ and sanction is the row its mapping makes, skipped, or failed (orphans: missing parent)
    for entity_set, table, mapper in (
        ("dfeta_qualifications", "qualifications", lambda r: map_qualification(r, reference)),
        ("dfeta_sanctions", "alerts", lambda r: map_sanction(r, reference)),
    ):
        stored_rows = rows(store.engine, table)
        for record in records[entity_set]:
            record_id = record[KEYS[entity_set]]
            try:
                outcome = mapper(record)
            except MappingError as error:
                failures.naming(error)
                assert record_id not in stored_rows
                continue
            if isinstance(outcome, Ignored | Skipped):
                assert record_id not in stored_rows
            elif outcome["person_id"] not in valid:  # an orphan, or the child of a contact that failed
                failures.of_kind(record_id, "missing_parent", "person_id", outcome["person_id"])
                assert record_id not in stored_rows
            else:
                assert {k: stored_rows[record_id][k] for k in outcome} == dict(outcome), record_id

    # And inductions and previous names, mapped per person, are what map_induction / map_previous_names make
    contacts = {c["contactid"]: c for c in records["contacts"]}
    previous_names = {k: without(v) for k, v in rows(store.engine, "previous_names").items()}
    unrecorded_orphans: collections.Counter[str] = collections.Counter()
    for entity_set in ("dfeta_inductions", "dfeta_previousnames"):
        per_person: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        for record in records[entity_set]:
            per_person[str(record["_dfeta_personid_value"]).lower()].append(record)
        for person_id, children in per_person.items():
            if person_id not in contacts:  # orphans: each one a failed record
                for child in children:
                    if child[KEYS[entity_set]] not in failures.by_id:
                        unrecorded_orphans[entity_set] += 1
                        continue
                    failures.of_kind(child[KEYS[entity_set]], "missing_parent", "person", person_id)
                continue
            if person_id not in valid:  # the person failed: nothing of theirs is in TRS (checked above), and
                for child in children:  # the rebuild's failed record, if any, says the person could not be synced
                    if child[KEYS[entity_set]] in failures.by_id:
                        failures.of_kind(child[KEYS[entity_set]], "missing_parent", "person", person_id)
                continue
            try:
                if entity_set == "dfeta_inductions":
                    update = dict(map_induction(contacts[person_id], children))
                    # (exemption reasons a route of the person accounts for move to that route: not map_induction's)
                    update.pop("induction_exemption_reason_ids", None)
                    assert {k: persons[person_id][k] for k in update} == update, person_id
                else:
                    for name in map_previous_names(contacts[person_id], children):
                        assert {k: previous_names[name["previous_name_id"]][k] for k in name} == dict(name)
            except MappingError as error:
                failures.naming(error)

    assert not unrecorded_orphans, f"orphans without a failed record: {dict(unrecorded_orphans)}"
    # And the hostile records the mapping refuses are refused for the field they were broken in
    refused = [m for m in manifest if m["id"] in failures.named and m["kind"] not in ("duplicate_trn", "orphan")]
    wrong_field = [(m, failures.by_id[m["id"]].field) for m in refused if failures.by_id[m["id"]].field != m["field"]]
    assert not wrong_field, wrong_field[:5]
    # And no failed record is left unexplained (beyond professional status, which this test does not cover)
    unexplained = [f for f in failures.by_id.values() if f.dqt_id not in failures.named and f.entity_set in SETS]
    assert not unexplained, [(f.entity_set, f.dqt_id, f.error_kind, f.field, f.message) for f in unexplained[:5]]
    assert duplicate_events(store.engine) == {}

    kinds = collections.Counter(m["kind"] for m in manifest)
    accepted = sum(1 for m in manifest if m["id"] not in failures.named)
    report(
        f"hostile records (seed {seed}): {len(manifest)} hostile among {sum(counts[s] for s in SETS)} records; "
        f"by kind {dict(kinds)}; failed records {len(failures.named)}; accepted as valid {accepted}; "
        f"duplicate TRNs {duplicates}; crashes 0"
    )
