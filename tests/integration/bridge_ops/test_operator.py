"""The operator commands: failed list/show/replay/discard, resync, pause/resume, status; invalid ones change nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bridge.backfill import Backfill
from bridge.feeds import PERSON
from bridge.sync import SyncService
from dataverse_client import DataverseClient
from tests.integration.bridge_ops.conftest import Store
from tests.integration.bridge_ops.helpers import (
    cli,
    cli_process,
    create_contact,
    env_for,
    every_table_count,
    failure,
    failures,
    open_failure_for,
    row,
    rows,
)
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration

BAD_NI = "AB12"  # not 9 characters: the person mapping refuses it
GOOD_NI = "AB123456C"


@pytest.fixture
def dqt(fresh_simulator: Callable[..., SimulatorHandle]) -> SimulatorHandle:
    """A private, empty DQT the test writes to through the Web API."""
    return fresh_simulator()


def _sync(store: Store, client: DataverseClient) -> None:
    SyncService(store.engine, client).sync([PERSON])


def _snapshot(store: Store) -> dict[str, Any]:
    return {
        "counts": every_table_count(store.engine),
        "failures": sorted((f.failed_record_id, f.status, f.attempts, f.last_seen) for f in failures(store.engine)),
        "persons": rows(store.engine, "persons"),
    }


def test_a_record_fixed_in_dqt_is_replayed(
    store: Store, dqt: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given a contact whose NI number DQT holds wrongly, synced, so it is an open failed record
    client = client_for(dqt)
    bad = create_contact(client, firstname="Replayfirst", dfeta_ninumber=BAD_NI, emailaddress1="r@example.org")
    _sync(store, client)
    failed = open_failure_for(store.engine, bad)
    assert failed.field == "dfeta_ninumber"
    env = env_for(dqt, store.url)

    # When the operator lists and shows it
    listed = cli(env, "failed", "list", "--entity", "person", "--json")
    shown = cli(env, "failed", "show", str(failed.failed_record_id), "--json")
    revealed = cli(env, "failed", "show", str(failed.failed_record_id), "--json", "--reveal")

    # Then it is listed, and shown with its personal data masked unless revealed
    assert listed.exit_code == 0, listed.output
    assert [f["id"] for f in json.loads(listed.stdout)] == [failed.failed_record_id]
    payload = json.loads(shown.stdout)["raw_payload"]
    assert payload["contactid"] == bad
    assert payload["firstname"] == "<masked: 11 chars>"
    assert payload["lastname"].startswith("<masked")
    assert payload["birthdate"].startswith("<masked")
    assert payload["emailaddress1"].startswith("<masked")
    assert payload["dfeta_ninumber"] == "<masked: 4 chars>"
    assert "Replayfirst" not in shown.stdout
    assert json.loads(revealed.stdout)["raw_payload"]["firstname"] == "Replayfirst"

    # When it is replayed before DQT is fixed, it fails again: attempts go up, it stays open (exit 1)
    again = cli(env, "failed", "replay", str(failed.failed_record_id))
    assert again.exit_code == 1, again.output
    assert "failed-again" in again.stdout
    assert failure(store.engine, failed.failed_record_id).attempts == failed.attempts + 1
    assert failure(store.engine, failed.failed_record_id).status == "open"
    assert row(store.engine, "persons", bad) is None

    # When DQT is fixed through the Web API and the record replayed
    client.update("contacts", bad, {"dfeta_ninumber": GOOD_NI})
    replayed = cli(env, "failed", "replay", str(failed.failed_record_id), "--json")

    # Then it is replayed: the failed record is closed and the person is in TRS with the fixed value
    assert replayed.exit_code == 0, replayed.output
    assert json.loads(replayed.stdout)["outcomes"] == {str(failed.failed_record_id): "replayed"}
    assert failure(store.engine, failed.failed_record_id).status == "replayed"
    person = row(store.engine, "persons", bad)
    assert person is not None
    assert person["national_insurance_number"] == GOOD_NI


def test_replay_all_of_one_entity_and_kind(
    store: Store, dqt: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given three bad contacts, two of them fixed in DQT since, and one deleted from DQT
    client = client_for(dqt)
    bad = [create_contact(client, dfeta_ninumber=BAD_NI) for _ in range(4)]
    _sync(store, client)
    for contact in bad[:2]:
        client.update("contacts", contact, {"dfeta_ninumber": GOOD_NI})
    client.delete("contacts", bad[3])
    env = env_for(dqt, store.url)

    # When every open mapping failure of the person feed is replayed
    result = cli(env, "failed", "replay", "--all", "--entity", "contacts", "--kind", "mapping", "--json")

    # Then the fixed ones are replayed, the deleted one discarded, the still-bad one failed again (exit 1)
    assert result.exit_code == 1, result.output
    outcomes = json.loads(result.stdout)["outcomes"]
    by_contact = {f.dqt_id: outcomes[str(f.failed_record_id)] for f in failures(store.engine)}
    assert by_contact == {bad[0]: "replayed", bad[1]: "replayed", bad[2]: "failed-again", bad[3]: "discarded"}
    assert set(rows(store.engine, "persons")) == set(bad[:2])


def test_discard_closes_with_the_reason(
    store: Store, dqt: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given an open failed record
    client = client_for(dqt)
    bad = create_contact(client, dfeta_ninumber=BAD_NI)
    _sync(store, client)
    failed = open_failure_for(store.engine, bad)
    env = env_for(dqt, store.url)

    # When the operator discards it with a reason
    result = cli(env, "failed", "discard", str(failed.failed_record_id), "--reason", "test record, never a teacher")

    # Then it is closed as discarded, with the reason kept
    assert result.exit_code == 0, result.output
    closed = failure(store.engine, failed.failed_record_id)
    assert (closed.status, closed.resolution) == ("discarded", "test record, never a teacher")
    listed = cli(env, "failed", "list", "--status", "discarded", "--json")
    assert [f["id"] for f in json.loads(listed.stdout)] == [failed.failed_record_id]

    # And discarding or replaying it again is refused, changing nothing
    before = _snapshot(store)
    assert cli(env, "failed", "discard", str(failed.failed_record_id), "--reason", "again").exit_code == 2
    assert cli(env, "failed", "replay", str(failed.failed_record_id)).exit_code == 2
    assert _snapshot(store) == before


def test_invalid_operator_commands_change_nothing(
    store: Store, dqt: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given a synced DQT with one open failed record, and a backfill that finished
    client = client_for(dqt)
    good = create_contact(client)
    bad = create_contact(client, dfeta_ninumber=BAD_NI)
    _sync(store, client)
    failed = open_failure_for(store.engine, bad)
    client.update("contacts", bad, {"dfeta_ninumber": GOOD_NI})  # replaying it now WOULD succeed
    env = env_for(dqt, store.url)
    before = _snapshot(store)
    fid = str(failed.failed_record_id)

    # When the operator gives commands that are wrong
    attempts = {
        "unknown id": ("failed", "replay", "999999"),
        "a known and an unknown id": ("failed", "replay", fid, "999999"),
        "ids and --all": ("failed", "replay", fid, "--all"),
        "nothing to replay": ("failed", "replay"),
        "--entity without --all": ("failed", "replay", fid, "--entity", "person"),
        "unknown entity": ("failed", "replay", "--all", "--entity", "teachers"),
        "show unknown id": ("failed", "show", "999999"),
        "discard unknown id": ("failed", "discard", "999999", "--reason", "x"),
        "discard without reason": ("failed", "discard", fid, "--reason", "  "),
        "bad --since": ("failed", "list", "--since", "yesterday"),
        "bad --status": ("failed", "list", "--status", "closed"),
        "short TRN": ("resync", "--entity", "person", "--trn", "12345"),
        "TRN with letters": ("resync", "--entity", "person", "--trn", "12345AB"),
        "id and TRN": ("resync", "--entity", "person", "--id", good, "--trn", "1234567"),
        "neither id nor TRN": ("resync", "--entity", "person"),
        "bad GUID": ("resync", "--entity", "person", "--id", "not-a-guid"),
        "unknown TRN": ("resync", "--entity", "person", "--trn", "9999999"),
        "resync unknown entity": ("resync", "--entity", "teachers", "--id", good),
        "pause unknown entity": ("pause", "--entity", "teachers"),
        "resume unknown entity": ("resume", "--entity", "teachers"),
        "backfill nothing": ("backfill",),
        "backfill unknown entity": ("backfill", "--entity", "teachers"),
        "backfill unknown run": ("backfill", "--resume", "6f9619ff-8b86-d011-b42d-00c04fc964ff"),
        "backfill run id not a GUID": ("backfill", "--resume", "last-week"),
        "dry run resumed": ("backfill", "--resume", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "--dry-run"),
        "too many shards": ("backfill", "--entity", "person", "--shards", "1000"),
        "wait without distributed": ("backfill", "--entity", "person", "--wait"),
        "distributed without Redis": ("backfill", "--entity", "person", "--distributed"),
    }
    results = {name: cli(env, *args) for name, args in attempts.items()}

    # Then each is refused with exit code 2 and a message, and nothing changed in TRS
    for name, result in results.items():
        assert result.exit_code == 2, (name, result.output)
        assert "error" in result.output.lower() or "usage" in result.output.lower(), (name, result.output)
    assert "no such failed record" in results["a known and an unknown id"].output
    assert "7 digits" in results["short TRN"].output
    assert _snapshot(store) == before


def test_resync_by_id_and_by_trn(
    store: Store, dqt: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given three synced contacts, then edited (two) and deleted (one) in DQT, not synced since
    client = client_for(dqt)
    trn = "7654321"
    by_id, by_trn, gone = create_contact(client), create_contact(client, dfeta_trn=trn), create_contact(client)
    _sync(store, client)
    client.update("contacts", by_id, {"lastname": "Resyncedbyid"})
    client.update("contacts", by_trn, {"lastname": "Resyncedbytrn"})
    client.delete("contacts", gone)
    env = env_for(dqt, store.url)

    # When the operator resyncs them one by one
    first = cli(env, "resync", "--entity", "person", "--id", by_id)
    second = cli(env, "resync", "--entity", "contacts", "--trn", trn)
    third = cli(env, "resync", "--entity", "person", "--id", gone.upper())

    # Then each is applied now: updated, updated, removed
    for result in (first, second, third):
        assert result.exit_code == 0, result.output
    assert "updated=1" in first.stdout
    assert rows(store.engine, "persons")[by_id]["last_name"] == "Resyncedbyid"
    assert rows(store.engine, "persons")[by_trn]["last_name"] == "Resyncedbytrn"
    assert row(store.engine, "persons", gone) is None
    assert "gone from DQT" in third.stdout
    # And resyncing what is already current changes nothing
    assert "unchanged=1" in cli(env, "resync", "--entity", "person", "--id", by_id).stdout


def test_resync_a_persons_alerts_by_trn(
    store: Store, dqt: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    from tests.integration.bridge.helpers import create_sanction

    # Given a synced person, then given a sanction in DQT
    client = client_for(dqt)
    trn = "7654322"
    person = create_contact(client, dfeta_trn=trn)
    SyncService(store.engine, client).sync()
    sanction = create_sanction(client, person)

    # When the operator resyncs the person's alerts by TRN
    result = cli(env_for(dqt, store.url), "resync", "--entity", "alert", "--trn", trn)

    # Then the alert is in TRS
    assert result.exit_code == 0, result.output
    assert row(store.engine, "alerts", sanction) is not None


def test_a_paused_feed_is_skipped_by_sync_until_resumed(
    store: Store, dqt: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient], tmp_path: Path
) -> None:
    # Given a synced contact, edited in DQT since
    client = client_for(dqt)
    contact = create_contact(client)
    _sync(store, client)
    client.update("contacts", contact, {"lastname": "Afterpause"})
    env = env_for(dqt, store.url)

    # When the person feed is paused and a sync runs
    paused = cli(env, "pause", "--entity", "person", "--reason", "cut-over rehearsal")
    again = cli(env, "pause", "--entity", "contacts")
    synced = cli_process(env, "sync", "--once", "--entity", "person", cwd=tmp_path)
    status = cli(env, "status", "--json")

    # Then the sync skipped it, the edit is not applied, and status shows the pause
    assert paused.exit_code == again.exit_code == synced.returncode == status.exit_code == 0
    assert "already paused" in again.stdout
    assert "paused" in synced.stdout
    assert rows(store.engine, "persons")[contact]["last_name"] != "Afterpause"
    feeds = {f["feed"]: f for f in json.loads(status.stdout)["feeds"]}
    assert feeds["person"]["paused"] is True
    assert feeds["person"]["paused_reason"] == "cut-over rehearsal"
    assert feeds["alert"]["paused"] is False
    assert feeds["person"]["lag_seconds"] is not None

    # When it is resumed and synced again, the edit arrives
    assert cli(env, "resume", "--entity", "person").exit_code == 0
    assert cli_process(env, "sync", "--once", "--entity", "person", cwd=tmp_path).returncode == 0
    assert rows(store.engine, "persons")[contact]["last_name"] == "Afterpause"
    assert "was not paused" in cli(env, "resume", "--entity", "person").stdout


def test_status_shows_the_latest_backfill(
    store: Store, dqt: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    client = client_for(dqt)
    create_contact(client)
    service = Backfill(store.engine, client)
    run, _ = service.start(PERSON, 2)
    service.run_shard(run.run_id, 0)
    env = env_for(dqt, store.url)

    feeds = {f["feed"]: f for f in json.loads(cli(env, "status", "--json").stdout)["feeds"]}
    assert feeds["person"]["backfill"] == f"running 1/2 shards (run {run.run_id})"
    service.run(run)
    feeds = {f["feed"]: f for f in json.loads(cli(env, "status", "--json").stdout)["feeds"]}
    assert feeds["person"]["backfill"] == "succeeded"


def test_a_backfill_does_not_resurrect_a_record_live_sync_deleted(
    store: Store, dqt: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given two contacts, read by a backfill page, then both deleted in DQT and one deletion synced
    client = client_for(dqt)
    deleted, other = create_contact(client), create_contact(client)
    _sync(store, client)
    read_at = dt.datetime.now(dt.UTC)
    page = [dict(client.get("contacts", c, select=list(PERSON.select))) for c in (deleted, other)]
    client.delete("contacts", deleted)
    _sync(store, client)
    assert row(store.engine, "persons", deleted) is None
    with store.engine.begin() as connection:  # TRS lost the other one meanwhile (so the page must insert it)
        from trs_store import delete_rows

        delete_rows(connection, "persons", [other])

    # When the backfill commits the page it read before the deletion
    service = Backfill(store.engine, client)
    with store.engine.begin() as connection:
        counts = service._apply(connection, PERSON, page, read_at, dt.datetime.now(dt.UTC))

    # Then the deleted record is dropped from the page (the log wins), the other one applied
    assert row(store.engine, "persons", deleted) is None
    assert row(store.engine, "persons", other) is not None
    assert (counts.seen, counts.inserted, counts.skipped) == (2, 1, 1)
