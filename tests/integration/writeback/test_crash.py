"""A relay killed (SIGKILL) after DQT accepted its write but before TRS recorded it: the next relay run
recognises the landed write by its ``dfeta_trsevent`` and DQT ends up with exactly one write."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.writeback import DEFAULT_LEASE
from mappings.reference.trs import LEEDS, MqSpecialism, MqStatus
from tests.integration.bridge.conftest import Store
from tests.integration.writeback.conftest import World
from trs_store import outbox

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[3]


def run_killed_relay(world: World, store: Store) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DQT_", "TRS_"))}
    env |= world.sim.env() | {"TRS_DATABASE_URL": store.url}
    return subprocess.run(
        [sys.executable, "-m", "tests.integration.writeback.killable_relay"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def after_lease() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + DEFAULT_LEASE + dt.timedelta(seconds=5)


def test_relay_killed_mid_push_creates_exactly_one_mq_and_one_set_of_previous_names(world: World, store: Store) -> None:
    # Given a new MQ and a name change waiting in the outbox
    person_id = world.person(firstname="Sam", lastname="Hill")
    created = world.edits.create_mq(
        person_id=person_id,
        provider=LEEDS.id,
        specialism=int(MqSpecialism.HEARING),
        start_date=dt.date(2021, 9, 1),
        status=int(MqStatus.IN_PROGRESS),
    )
    renamed = world.edits.change_name(person_id=person_id, first="Samuel", last="Hills")

    # When a relay dies right after DQT accepted the first write, and again after the second
    for _ in range(2):
        killed = run_killed_relay(world, store)
        assert killed.returncode == -9, killed.stderr[-2000:]
    assert len(world.audit("dfeta_qualifications", created.record_id)) == 1
    assert world.dqt_contact(person_id)["firstname"] == "Samuel"

    # And the sync sees both writes before any relay recorded them: no "changed in DQT" event, TRS unchanged
    events_before = sorted(e["key"] for e in world.events())
    world.sync()
    assert sorted(e["key"] for e in world.events()) == events_before
    person = world.trs("persons", person_id)
    assert (person["first_name"], person["last_name"]) == ("Samuel", "Hills")

    # When a healthy relay runs once the dead relay's lease has run out
    result = world.relay(clock=after_lease)

    # Then both messages are delivered ("landed": recognised, not written again)
    assert result.outcomes == {created.message_id: "landed", renamed.message_id: "landed"}
    with world.engine.connect() as connection:
        assert {m.status for m in outbox.list_messages(connection)} == {"sent"}
    # And DQT has exactly one MQ create and one previous-name row per changed part
    audit = world.audit("dfeta_qualifications", created.record_id)
    assert [a["operation"] for a in audit] == ["Create"]
    names = world.dqt_previous_names(person_id)
    assert sorted((r["dfeta_type"], r["dfeta_name"]) for r in names) == [(389040000, "Sam"), (389040002, "Hill")]
    for name in names:
        assert [a["operation"] for a in world.audit("dfeta_previousnames", name["dfeta_previousnameid"])] == ["Create"]
    assert [a["operation"] for a in world.audit("contacts", person_id)] == ["Create", "Update"]
    # And TRS holds DQT's id, version and lookups for the MQ (the sync stored that version first, while the
    # message was undelivered, keeping TRS's values: the relay's record of the landed write replaces them)
    row = world.trs("qualifications", created.record_id)
    dqt_mq = world.dqt_mq(created.record_id)
    assert row["dqt_qualification_id"] == created.record_id
    assert row["dqt_version"] == dqt_mq["versionnumber"]
    assert (row["dqt_mq_establishment_id"], row["dqt_specialism_id"]) == (
        dqt_mq["_dfeta_mq_mqestablishmentid_value"],
        dqt_mq["_dfeta_mq_specialismid_value"],
    )


def test_relay_killed_after_an_update_landed_sends_it_once(world: World, store: Store) -> None:
    _, mq_id = world.person_with_mq()
    update = world.edits.update_mq(mq_id, status=int(MqStatus.DEFERRED))

    assert run_killed_relay(world, store).returncode == -9
    result = world.relay(clock=after_lease)

    assert result.outcomes == {update.message_id: "landed"}
    assert [a["operation"] for a in world.audit("dfeta_qualifications", mq_id)] == ["Create", "Update"]
    assert world.trs("qualifications", mq_id)["dqt_version"] == world.dqt_mq(mq_id)["versionnumber"]
