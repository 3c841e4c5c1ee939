"""``trs-bridge reconcile``: exit codes, the JSON document, the table and listed differences, ``--fix``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.bridge_ops.helpers import cli, env_for
from tests.integration.reconcile.conftest import Synced
from tests.integration.reconcile.helpers import alerts, delete_row, first_row, persons, plain_persons, set_columns
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration

REPORT_KEYS = {
    "entity",
    "mode",
    "clean",
    "dqt_records",
    "trs_records",
    "compared",
    "missing",
    "extra",
    "differing",
    "unapplied",
    "open_failed",
    "held_by_writeback",
    "ranges",
    "ranges_examined",
    "elapsed_seconds",
    "top_fields",
    "truncated",
    "differences",
    "unapplied_records",
}


def test_reconcile_exits_0_when_clean_1_with_differences_and_fix_makes_it_clean(synced: Synced) -> None:
    engine = synced.store.engine
    env = env_for(synced.dqt, synced.store.url)

    # A clean TRS: exit 0, one JSON report per entity, persons first
    clean = cli(env, "reconcile", "--json")
    assert clean.exit_code == 0, clean.output
    document = json.loads(clean.stdout)
    assert document["clean"] is True
    assert document["fixed"] is None
    assert [e["entity"] for e in document["entities"]] == [
        "person",
        "mandatory_qualification",
        "alert",
        "induction",
        "previous_name",
        "professional_status",
    ]
    for report in document["entities"]:
        assert set(report) == REPORT_KEYS
        assert report["differences"] == []
        assert report["mode"] == "full"
    unapplied = document["entities"][0]["unapplied_records"]
    assert unapplied
    assert set(unapplied[0]) >= {"dqt_id", "kind", "fields", "failed_record_id", "error_kind", "reason"}

    # A sample from the command line: N records per entity
    sampled = cli(env, "reconcile", "--sample", "10", "--seed", "3", "--json")
    assert sampled.exit_code == 0, sampled.output
    sampled_reports = json.loads(sampled.stdout)["entities"]
    assert {r["mode"] for r in sampled_reports} == {"sample"}
    assert sampled_reports[0]["dqt_records"] == 10

    # Planted differences: exit 1; the JSON names ids, kinds and columns only, never values
    (edited,) = plain_persons(engine, 1)
    set_columns(engine, persons, edited, email_address="planted-secret@example.org")
    alert = first_row(engine, alerts)
    delete_row(engine, alerts, alert["alert_id"])
    differing = cli(env, "reconcile", "--entity", "person", "--entity", "alert", "--json")
    assert differing.exit_code == 1, differing.output
    assert "planted-secret" not in differing.stdout
    reports = {e["entity"]: e for e in json.loads(differing.stdout)["entities"]}
    assert reports["person"]["differences"] == [{"dqt_id": edited, "kind": "differing", "fields": ["email_address"]}]
    assert reports["person"]["top_fields"] == {"email_address": 1}
    assert reports["alert"]["differences"] == [{"dqt_id": alert["alert_id"], "kind": "missing", "fields": []}]
    assert (reports["alert"]["missing"], reports["alert"]["clean"]) == (1, False)

    # The table and the listed differences for people
    shown = cli(env, "reconcile", "--entity", "person", "--entity", "alert")
    assert shown.exit_code == 1
    assert "Reconcile (full)" in shown.stdout
    assert f"person: differing {edited} (email_address)" in shown.stdout
    assert f"alert: missing {alert['alert_id']}" in shown.stdout
    assert "because it failed (failed record" in shown.stdout  # the generated contact that never maps
    assert "planted-secret" not in shown.stdout

    # --fix resyncs them (exit 1: differences were found), and the next run is clean
    fixed = cli(env, "reconcile", "--entity", "person", "--entity", "alert", "--fix", "--json")
    assert fixed.exit_code == 1, fixed.output
    assert json.loads(fixed.stdout)["fixed"] == 2
    after = cli(env, "reconcile", "--entity", "person", "--entity", "alert")
    assert after.exit_code == 0, after.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--entity", "nonsense"), "unknown entity nonsense"),
        (("--full", "--sample", "5"), "choose one of --full and --sample N"),
        (("--sample", "0"), "--sample"),
    ],
)
def test_bad_input_exits_2(
    loaded_simulator: SimulatorHandle, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    # rejected before anything is read: the database does not even exist
    result = cli(env_for(loaded_simulator, f"sqlite:///{tmp_path}/absent.db"), "reconcile", *args)
    assert result.exit_code == 2
    assert message in result.output
