"""The deployed bridge under test: a scheduler, a worker and the write-back relay as real processes (``trs-bridge
scheduler``, ``worker``, ``relay --follow``) against the simulator over HTTPS, Redis and PostgreSQL, plus the
test's own hands on both sides: DQT users changing records through the Web API, TRS users editing through the
edit service. :class:`BridgeWorld` knows when the processes have caught up with both.
"""

from __future__ import annotations

import collections
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from bridge.edits import EditRejected, EditService
from bridge.feeds import FEEDS
from dataverse_client import DataverseClient
from mappings.reference.trs import LEEDS, MqSpecialism, MqStatus
from tests.integration.bridge.helpers import create_contact, create_mq, create_sanction
from tests.integration.jobs.conftest import Fleet, Proc
from tests.integration.jobs.helpers import sender_actors
from trs_store import outbox
from trs_store.models import metadata
from trs_store.sync_runs import recent_runs

#: Processes the trials kill, and the ``trs-bridge`` command (and arguments) of each.
COMMANDS: dict[str, tuple[str, ...]] = {
    "worker": ("worker", "--threads", "2"),
    "scheduler": ("scheduler",),
    "relay": ("relay", "--follow", "--interval", "0.3", "--lease-seconds", "3"),
}
#: Settings that make a trial's work take seconds (so a kill can land inside it) and recovery quick.
FLEET_SETTINGS = {
    "TRS_BRIDGE_PAGE_SIZE": "10",
    "TRS_BRIDGE_POLL_INTERVAL": "0.5",
    "TRS_BRIDGE_LEASE_TTL": "2",
    "TRS_BRIDGE_JOB_MIN_BACKOFF": "0.2",
    "TRS_BRIDGE_JOB_MAX_BACKOFF": "1",
}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Figures:
    """What a run did, for the closing note and ``docs/reliability.md``."""

    trials: int = 0
    kills: collections.Counter[str] = field(default_factory=collections.Counter)
    kills_mid_work: collections.Counter[str] = field(default_factory=collections.Counter)
    dqt_changes: int = 0
    trs_edits: int = 0
    nudges: int = 0
    recovery_seconds: list[float] = field(default_factory=list)

    def line(self) -> str:
        slowest = max(self.recovery_seconds, default=0.0)
        return (
            f"trials={self.trials} kills={dict(self.kills)} kills_mid_work={dict(self.kills_mid_work)} "
            f"dqt_changes={self.dqt_changes} trs_edits={self.trs_edits} nudges={self.nudges} "
            f"slowest_recovery={slowest:.1f}s"
        )


@dataclass
class Users:
    """People on both sides: DQT users (through the Web API) and TRS users (through the edit service)."""

    engine: Engine
    dqt: DataverseClient
    rng: random.Random
    figures: Figures = field(default_factory=Figures)
    dqt_pool: list[str] = field(default_factory=list)  # contacts only DQT users change
    trs_pool: list[str] = field(default_factory=list)  # persons only TRS users edit
    created: list[tuple[str, str, str]] = field(default_factory=list)  # (contact, mq, sanction) made in DQT
    trs_mqs: list[str] = field(default_factory=list)  # MQs created in TRS

    def dqt_changes(self) -> int:
        """DQT users at work: renames, new people with an MQ and a sanction, an MQ status, a deletion."""
        rng, made = self.rng, 0
        for contact in rng.sample(self.dqt_pool, k=min(len(self.dqt_pool), rng.randint(8, 20))):
            self.dqt.update("contacts", contact, {"lastname": f"Changed{rng.randrange(10**6)}"})
            made += 1
        for _ in range(rng.randint(1, 3)):
            contact = create_contact(self.dqt, lastname=f"New{rng.randrange(10**6)}")
            self.created.append((contact, create_mq(self.dqt, contact), create_sanction(self.dqt, contact)))
            made += 3
        if self.created and rng.random() < 0.7:
            _, mq, _ = rng.choice(self.created)
            self.dqt.update("dfeta_qualifications", mq, {"dfeta_mq_status": rng.choice([389040000, 389040004])})
            made += 1
        if len(self.created) > 2 and rng.random() < 0.5:
            contact, mq, sanction = self.created.pop(rng.randrange(len(self.created)))
            self.dqt.delete("dfeta_qualifications", mq)
            self.dqt.delete("dfeta_sanctions", sanction)
            self.dqt.delete("contacts", contact)
            made += 3
        self.figures.dqt_changes += made
        return made

    def trs_edits(self) -> int:
        """TRS users at work: name changes, a new MQ, an update of an MQ made in TRS earlier."""
        rng, edits, made = self.rng, EditService(self.engine), 0
        for person in rng.sample(self.trs_pool, k=min(len(self.trs_pool), rng.randint(1, 3))):
            edits.change_name(
                person_id=person, first=f"First{rng.randrange(10**6)}", last=f"Last{rng.randrange(10**6)}"
            )
            made += 1
        created = edits.create_mq(
            person_id=rng.choice(self.trs_pool),
            provider=LEEDS.id,
            specialism=int(rng.choice([MqSpecialism.HEARING, MqSpecialism.VISUAL])),
            start_date=dt.date(2020, 9, 1) + dt.timedelta(days=rng.randrange(700)),
            status=int(MqStatus.IN_PROGRESS),
        )
        self.trs_mqs.append(created.record_id)
        made += 1
        if len(self.trs_mqs) > 1:
            mq = rng.choice(self.trs_mqs[:-1])
            end = dt.date(2023, 7, 1) + dt.timedelta(rng.randrange(300))
            try:
                if rng.random() < 0.5:
                    edits.update_mq(mq, status=int(MqStatus.DEFERRED))
                else:  # (a pass needs its end date)
                    edits.update_mq(mq, status=int(MqStatus.PASSED), end_date=end)
                made += 1
            except EditRejected:  # the MQ already holds those values: the edit service refuses a no-op
                pass
        self.figures.trs_edits += made
        return made

    def choose_pools(self) -> None:
        """Split the synced, valid, active persons between DQT users and TRS users (never both on one record,
        so no trial makes a write-back conflict an operator would have to resolve)."""
        persons = metadata.tables["persons"]
        with self.engine.connect() as connection:
            found = sorted(
                str(r.person_id)
                for r in connection.execute(
                    select(persons.c.person_id).where(
                        persons.c.status == 0,
                        persons.c.trn.is_not(None),
                        persons.c.first_name == persons.c.dqt_first_name,
                        persons.c.last_name == persons.c.dqt_last_name,
                    )
                )
            )
        self.rng.shuffle(found)
        half = len(found) // 2
        self.dqt_pool, self.trs_pool = found[:half], found[half:]
        assert len(self.trs_pool) >= 10, "too few clean persons to edit"


@dataclass
class BridgeWorld(Users):
    """:class:`Users` plus the bridge's processes (``fleet`` must be given)."""

    fleet: Fleet | None = None
    procs: dict[str, Proc] = field(default_factory=dict)

    @property
    def the_fleet(self) -> Fleet:
        assert self.fleet is not None
        return self.fleet

    # -- processes ---------------------------------------------------------------------------------------

    def start(self, name: str) -> Proc:
        proc = self.the_fleet.start(*COMMANDS[name])
        self.procs[name] = proc
        return proc

    def start_all(self) -> None:
        for name in COMMANDS:
            self.start(name)

    def kill(self, name: str) -> bool:
        """SIGKILL ``name``; returns whether it was in the middle of work (a sync run open, a message leased)."""
        proc = self.procs[name]
        assert proc.process.poll() is None, f"{name} died on its own: {proc.log_path.read_text()[-3000:]}"
        proc.kill()
        assert proc.process.returncode == -9
        self.figures.kills[name] += 1
        busy = self._busy(name)
        self.figures.kills_mid_work[name] += busy
        return busy

    def _busy(self, name: str) -> bool:
        if name == "worker":
            with self.engine.connect() as connection:
                return any(r.ended_at is None for r in recent_runs(connection, limit=50))
        if name == "relay":
            table = metadata.tables["outbox_messages"]
            with self.engine.connect() as connection:
                leased = connection.execute(
                    select(table.c.message_id).where(table.c.locked_until > utc_now(), table.c.status == "pending")
                ).first()
            return leased is not None
        return bool(self.procs[name].events("scheduler_leading"))

    def wait_working(self, timeout: float = 60.0) -> None:
        """Until the first sync run has started (the processes are up and at work)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.alive()
            with self.engine.connect() as connection:
                if recent_runs(connection, limit=1):
                    return
            time.sleep(0.1)
        raise AssertionError("no sync started")

    def alive(self) -> None:
        for name, proc in self.procs.items():
            assert proc.process.poll() is None, f"{name} exited: {proc.log_path.read_text()[-3000:]}"

    # -- catching up -------------------------------------------------------------------------------------

    def caught_up_since(self, since: dt.datetime) -> bool:
        """Every outbox message delivered, and every feed synced by a run that started after the end of a
        succeeded run that started after ``since`` and after the last delivery.

        One run is not enough: a run that resumes a pass interrupted earlier (a killed worker's, or one whose
        database connection died) finishes that pass, whose delta snapshot predates ``since``; the run after it
        starts from a delta link and reads everything up to its own start."""
        with self.engine.connect() as connection:
            messages = outbox.list_messages(connection)
            runs = recent_runs(connection, limit=1000)
        if any(m.status not in ("sent", "superseded") for m in messages):
            return False
        last_sent = max((m.sent_at for m in messages if m.sent_at is not None), default=since)
        after = max(since, last_sent)
        first_end: dict[str, dt.datetime] = {}
        for run in sorted(runs, key=lambda r: r.started_at):
            if run.outcome == "succeeded" and run.started_at > after and run.ended_at is not None:
                first_end.setdefault(run.entity_set, run.ended_at)
        done = {
            r.entity_set
            for r in runs
            if r.outcome == "succeeded" and r.entity_set in first_end and r.started_at > first_end[r.entity_set]
        }
        return done >= {f.entity_set for f in FEEDS}

    def wait_caught_up(self, since: dt.datetime, *, patience: float = 3.0, timeout: float = 150.0) -> float:
        """Wait until :meth:`caught_up_since`; returns the seconds it took. After ``patience`` seconds, one sync of
        every feed is sent straight to the queue (a *nudge*, counted): a killed worker's prefetched messages come
        back only after dramatiq's heartbeat timeout (60 s) and hold the scheduler's coalescing marker till then."""
        started = time.monotonic()
        nudged = False
        while time.monotonic() - started < timeout:
            self.alive()
            if self.caught_up_since(since):
                took = time.monotonic() - started
                self.figures.recovery_seconds.append(took)
                return took
            if not nudged and time.monotonic() - started > patience:
                actors = sender_actors(self.the_fleet.space.url, self.the_fleet.space.prefix)
                for feed in FEEDS:
                    actors.sync_entity.send(feed.entity_set)
                actors.sync_entity.broker.close()
                nudged = True
                self.figures.nudges += 1
            time.sleep(0.25)
        raise AssertionError(f"not caught up after {timeout}s: {self.describe_lag(since)}")

    def describe_lag(self, since: dt.datetime) -> dict[str, Any]:
        with self.engine.connect() as connection:
            messages = outbox.list_messages(connection)
            runs = recent_runs(connection, limit=100)
        return {
            "outbox": collections.Counter(m.status for m in messages),
            "last_errors": [m.last_error for m in messages if m.status != "sent"][:3],
            "runs": [(r.entity_set, r.outcome, r.started_at.isoformat(), (r.error or "")[:120]) for r in runs[:14]],
        }

    def scheduler_ticks(self) -> collections.Counter[tuple[str, int]]:
        ticks: collections.Counter[tuple[str, int]] = collections.Counter()
        for proc in self.the_fleet.procs:
            if proc.name.startswith("scheduler"):
                ticks.update((e["entity_set"], e["slot"]) for e in proc.events("tick_enqueued"))
        return ticks
