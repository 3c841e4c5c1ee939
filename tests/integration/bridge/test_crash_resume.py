"""A sync process killed (SIGKILL) mid-way and resumed loses nothing and doubles nothing.

The page's rows and its journal position commit in one transaction, so the honest test is a real kill at
several points of a multi-page sync (inside a page's transaction, right after a commit, and at a random
moment), then an ordinary sync, compared with a clean single sync into another database.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bridge.feeds import FEEDS
from dataverse_client import DataverseClient, F
from dqt_simulator.generate import generate
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import events, journal_entries, rows, sync, without
from tests.support.simulator import SimulatorHandle
from trs_store.models import metadata

pytestmark = pytest.mark.integration

PAGE_SIZE = 20
REPO_ROOT = Path(__file__).resolve().parents[3]
TABLES = ("persons", "qualifications", "alerts", "previous_names")


def run_killable(handle: SimulatorHandle, store: Store, **knobs: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DQT_", "TRS_", "KILL_"))}
    env |= handle.env() | {"TRS_DATABASE_URL": store.url, "TRS_BRIDGE_PAGE_SIZE": str(PAGE_SIZE)} | knobs
    return subprocess.run(
        [sys.executable, "-m", "tests.integration.bridge.killable_sync"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _state(store: Store) -> dict[str, Any]:
    """Everything a sync leaves behind that must not depend on how often it was interrupted."""
    failed = metadata.tables["failed_records"]
    with store.engine.connect() as connection:
        failures = sorted(
            (r.entity_set, str(r.dqt_id), r.error_kind, r.field, r.status)
            for r in connection.execute(
                select(failed.c.entity_set, failed.c.dqt_id, failed.c.error_kind, failed.c.field, failed.c.status)
            )
        )
    return {
        "rows": {table: {k: without(v) for k, v in rows(store.engine, table).items()} for table in TABLES},
        "events": sorted((e["key"], e["event_name"], str(e["event_id"])) for e in events(store.engine)),
        "failed_records": failures,
    }


def _differences(actual: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``{key: what differs}``: rows only one side has, and for rows both have, ``{column: (actual, expected)}``."""
    out: dict[str, Any] = dict.fromkeys(expected.keys() - actual.keys(), "missing")
    out |= dict.fromkeys(actual.keys() - expected.keys(), "unexpected")
    for key in actual.keys() & expected.keys():
        columns = {c: (v, expected[key][c]) for c, v in actual[key].items() if v != expected[key][c]}
        if columns:
            out[key] = columns
    return out


def test_killed_sync_resumes_to_the_same_result_as_a_clean_sync(
    store: Store,
    new_store: Callable[[str], Store],
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a generated DQT that takes about thirty pages of twenty to sync, and kill points drawn at random
    seed = int(os.environ.get("KILL_SEED") or random.randrange(1_000_000))  # KILL_SEED=n replays a failure
    rng = random.Random(seed)
    kills = [
        {"KILL_AFTER_PAGES": str(rng.randint(2, 12)), "KILL_WHEN": "before-commit"},  # inside the person feed
        {"KILL_AFTER_PAGES": str(rng.randint(1, 10)), "KILL_WHEN": "after-commit"},
        {"KILL_AFTER_PAGES": str(rng.randint(1, 6)), "KILL_WHEN": "before-commit"},
        {"KILL_AFTER_SECONDS": f"{rng.uniform(0.8, 1.6):.2f}"},  # wherever it is by then
    ]

    # When the sync runs in a child process that is SIGKILLed at each point in turn
    killed = killed_in_a_page = 0
    for knobs in kills:
        child = run_killable(loaded_simulator, store, **knobs)
        assert child.returncode in (-9, 0), f"seed {seed}, {knobs}: {child.stderr[-3000:]}"
        killed += child.returncode == -9
        killed_in_a_page += child.returncode == -9 and "KILL_AFTER_PAGES" in knobs
        if child.returncode == 0:
            assert "completed" in child.stdout
            break
    assert killed >= 3, f"seed {seed}: the kills should have landed"
    # And an ordinary sync resumes where the journal says
    resumed = sync(store.engine, client_for(loaded_simulator), page_size=PAGE_SIZE)

    # Then the journal of every feed ends on a deltaLink with no page left
    entries = journal_entries(store.engine)
    assert set(entries) == {f.entity_set for f in FEEDS}
    assert all(e.delta_link and e.next_link is None and e.full_pass_started_at is None for e in entries.values())
    assert all(r.outcome == "succeeded" for r in resumed.values())
    # And the killed runs are recorded as interrupted, never as succeeded
    runs = metadata.tables["sync_runs"]
    with store.engine.connect() as connection:
        outcomes = [r.outcome for r in connection.execute(select(runs.c.outcome))]
    assert killed_in_a_page <= outcomes.count("interrupted") <= killed, f"seed {seed}"
    assert None not in outcomes

    # And TRS holds exactly what a clean, uninterrupted sync into another database holds
    clean = new_store(store.kind)
    sync(clean.engine, client_for(loaded_simulator), page_size=PAGE_SIZE)
    expected, actual = _state(clean), _state(store)
    for table in TABLES:
        assert _differences(actual["rows"][table], expected["rows"][table]) == {}, f"seed {seed}: {table} differs"
    # And no event is missing or doubled, and the failed records are the same
    assert len({key for key, _, _ in actual["events"]}) == len(actual["events"])
    assert actual["events"] == expected["events"], f"seed {seed}"
    assert actual["failed_records"] == expected["failed_records"], f"seed {seed}"


def test_killed_delta_pass_resumes_from_its_next_link(
    store: Store,
    new_store: Callable[[str], Store],
    tmp_path: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a TRS in step with DQT
    data = tmp_path / "dqt"
    generate(data, 120, seed=11)
    handle = fresh_simulator(data_dir=data)
    client = client_for(handle)
    sync(store.engine, client, page_size=PAGE_SIZE)
    persons = rows(store.engine, "persons")
    # And then many changes in DQT: 70 contacts changed, 5 deleted (a delta of four pages of twenty)
    changed, deleted = sorted(persons)[:70], sorted(persons)[-5:]
    # (renames too: previous names are rebuilt from the contact's current name, so they must follow)
    client.update_multiple(
        "contacts",
        [
            {"contactid": p, "emailaddress1": f"new{p[:8]}@example.org", "lastname": f"Renamed{i}"}
            for i, p in enumerate(changed)
        ],
    )
    for person in deleted:
        client.delete("contacts", person)
        for entity_set in ("dfeta_qualifications", "dfeta_sanctions", "dfeta_inductions", "dfeta_previousnames"):
            for page in client.query(
                entity_set, select=[f"{entity_set[:-1]}id"], filter=F.lookup("dfeta_personid", person)
            ):
                for record in page.records:
                    client.delete(entity_set, record[f"{entity_set[:-1]}id"])
    events_before = {e["key"] for e in events(store.engine)}

    # When the delta pass is SIGKILLed inside its second page's transaction, then right after a commit
    first = run_killable(handle, store, KILL_AFTER_PAGES="2", KILL_WHEN="before-commit")
    assert first.returncode == -9, first.stderr[-3000:]
    in_progress = journal_entries(store.engine)["contacts"]
    assert in_progress.next_link  # mid-way through a delta pass
    assert in_progress.full_pass_started_at is None
    second = run_killable(handle, store, KILL_AFTER_PAGES="1", KILL_WHEN="after-commit")
    assert second.returncode == -9, second.stderr[-3000:]
    # And an ordinary sync finishes it
    resumed = sync(store.engine, client, page_size=PAGE_SIZE)

    # Then the resumed pass stayed a delta pass and TRS equals a clean sync of DQT as it is now
    assert not resumed["person"].full_pass
    clean = new_store(store.kind)
    sync(clean.engine, client, page_size=PAGE_SIZE)
    expected, actual = _state(clean), _state(store)
    for table in TABLES:
        assert _differences(actual["rows"][table], expected["rows"][table]) == {}, f"{table} differs"
    assert not set(deleted) & set(rows(store.engine, "persons"))
    # And each change left exactly one new event
    new_events = [e for e in events(store.engine) if e["key"] not in events_before]
    changed_stored = set(changed) & set(rows(store.engine, "persons"))
    person_changes = ("PersonDqtUpdatedEvent", "PersonDqtDeactivatedEvent")  # (an inactive contact stays inactive)
    changed_events = [e["payload"]["dqt_id"] for e in new_events if e["event_name"] in person_changes]
    assert sorted(changed_events) == sorted(changed_stored)
    assert {e["key"] for e in new_events if e["event_name"] == "PersonDqtDeletedEvent"} == {
        f"{p}-Deleted" for p in deleted
    }
    assert all(e.delta_link and not e.next_link for e in journal_entries(store.engine).values())
