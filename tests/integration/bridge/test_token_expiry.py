"""An expired delta token: the feed re-reads DQT fully and removes what DQT deleted while it could not see."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bridge.feeds import PERSON
from dataverse_client import DataverseClient
from dqt_simulator.generate import generate
from mappings import MappingError, map_contact
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import (
    create_contact,
    create_mq,
    create_sanction,
    dqt_record,
    journal_entries,
    open_failures,
    read_jsonl,
    row,
    rows,
    sync,
)
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration

RETENTION_SECONDS = 60


def _deletable_generated_contact(data: Path) -> str:
    """A generated contact that maps cleanly and has no dependants of any kind."""
    referenced = {
        str(r["_dfeta_personid_value"]).lower()
        for name in (
            "dfeta_qualifications",
            "dfeta_sanctions",
            "dfeta_inductions",
            "dfeta_previousnames",
            "dfeta_initialteachertrainings",
            "dfeta_qtsregistrations",
        )
        for r in read_jsonl(data / f"{name}.jsonl")
    }
    for contact in read_jsonl(data / "contacts.jsonl"):
        try:
            map_contact(contact)
        except MappingError:
            continue
        if contact["contactid"].lower() not in referenced:
            return str(contact["contactid"]).lower()
    raise AssertionError("no contact without dependants in the generated data")


def test_expired_token_rereads_and_sweeps_rows_deleted_in_the_gap(
    store: Store,
    tmp_path: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given DQT keeping change-tracking history for 60 s, with generated data and a few records of ours
    data = tmp_path / "dqt"
    generate(data, 80, seed=3)
    handle = fresh_simulator("--change-tracking-retention", str(RETENTION_SECONDS), data_dir=data)
    client = client_for(handle)
    keeper, leaver = create_contact(client, lastname="Keeper"), create_contact(client, lastname="Leaver")
    kept_mq, gone_mq = create_mq(client, keeper), create_mq(client, keeper)
    kept_sanction, gone_sanction = create_sanction(client, keeper), create_sanction(client, keeper)
    generated_leaver = _deletable_generated_contact(data)
    # And a TRS that has synced everything
    sync(store.engine, client, page_size=40)
    assert row(store.engine, "persons", generated_leaver) is not None
    persons_before = set(rows(store.engine, "persons"))
    failures_before = set(open_failures(store.engine))

    # When, in DQT, records are deleted and others changed
    for entity_set, record_id in (
        ("contacts", leaver),
        ("contacts", generated_leaver),
        ("dfeta_qualifications", gone_mq),
        ("dfeta_sanctions", gone_sanction),
    ):
        client.delete(entity_set, record_id)
    client.update("contacts", keeper, {"lastname": "Changed"})
    client.update("dfeta_qualifications", kept_mq, {"dfeta_mq_status": 389040004})
    # And the bridge does not look again until the delta tokens are past DQT's retention
    handle.admin("POST", "clock", {"advance_seconds": RETENTION_SECONDS + 30})
    results = sync(store.engine, client, page_size=40)

    # Then every feed found its token expired and re-read DQT in full
    for result in results.values():
        assert result.expired_tokens >= 1, result.feed
        assert result.full_pass, result.feed
        assert result.outcome == "succeeded"
    # And the rows DQT deleted in the gap were swept, and counted
    assert results["person"].swept == 2
    assert results["mandatory_qualification"].swept == 1
    assert results["alert"].swept == 1
    assert set(rows(store.engine, "persons")) == persons_before - {leaver, generated_leaver}
    assert row(store.engine, "qualifications", gone_mq) is None
    assert row(store.engine, "alerts", gone_sanction) is None
    # And nothing else was lost, and the changed records were updated
    assert row(store.engine, "alerts", kept_sanction) is not None
    assert row(store.engine, "persons", keeper)["last_name"] == "Changed"  # type: ignore[index]
    assert row(store.engine, "qualifications", kept_mq)["mq_status"] is not None  # type: ignore[index]
    current = dqt_record(client, PERSON, keeper)["versionnumber"]
    assert row(store.engine, "persons", keeper)["dqt_version"] == current  # type: ignore[index]
    assert set(open_failures(store.engine)) == failures_before
    # And every feed follows DQT again from a new deltaLink
    entries = journal_entries(store.engine)
    assert all(e.delta_link and not e.next_link and e.full_pass_started_at is None for e in entries.values())

    # And the next sync is an ordinary delta read again
    after = sync(store.engine, client, page_size=40)
    assert not any(r.full_pass or r.expired_tokens for r in after.values())
