"""Fixtures for the write-back tests: a TRS store per engine (PostgreSQL and SQLite), a DQT simulator over
HTTPS private to each test module, and :class:`World`, which drives both sides the way the bridge does.

The store fixtures are the sync tests' own (``tests/integration/bridge/conftest.py``), re-exported here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from bridge.edits import Editor, EditService
from bridge.writeback import RelayResult, relay_pending
from dataverse_client import DataverseClient
from tests.integration.bridge.conftest import (  # noqa: F401 - fixtures re-exported for this package
    PgServer,
    Store,
    new_store,
    pg_server,
    pg_template,
    sqlite_template,
    store,
)
from tests.integration.bridge.helpers import create_contact, create_mq, events, row, rows, sync
from tests.support.simulator import SimulatorHandle, start_simulator
from trs_store import outbox
from trs_store.models import metadata

#: A DQT user's Entra object id, for edits made "in the CRM" while TRS edits are on their way.
DQT_USER = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"
OFFICER = Editor(user="officer@example.org", caller_object_id="0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d")


@pytest.fixture(scope="module")
def wb_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    """A simulator for this module's tests (each test makes its own contacts in it)."""
    handle = start_simulator(tmp_path_factory.mktemp("dqt-sim-writeback"))
    yield handle
    handle.stop()


@pytest.fixture
def dqt(wb_simulator: SimulatorHandle) -> Iterator[DataverseClient]:
    client = DataverseClient(wb_simulator.settings())
    yield client
    client.close()
    if wb_simulator.process.poll() is None:
        wb_simulator.admin("POST", "reset")  # faults, limits and clock never leak into the next test


@dataclass
class World:
    """Both stores and the bridge's three moving parts: edits, relay, sync."""

    store: Store
    dqt: DataverseClient
    sim: SimulatorHandle

    @property
    def engine(self) -> Any:
        return self.store.engine

    @property
    def edits(self) -> EditService:
        return EditService(self.store.engine)

    def person(self, **fields: Any) -> str:
        """A contact made in DQT, synced into TRS."""
        person_id = create_contact(self.dqt, **fields)
        self.sync()
        return person_id

    def person_with_mq(self, **mq_fields: Any) -> tuple[str, str]:
        person_id = create_contact(self.dqt)
        mq_id = create_mq(self.dqt, person_id, **mq_fields)
        self.sync()
        return person_id, mq_id

    def sync(self) -> None:
        sync(self.store.engine, self.dqt)

    def relay(self, **kwargs: Any) -> RelayResult:
        return relay_pending(self.store.engine, self.dqt, **kwargs)

    def trs(self, table: str, key: str) -> dict[str, Any]:
        found = row(self.store.engine, table, key)
        assert found is not None, f"{table} {key} is not in TRS"
        return found

    def events(self) -> list[dict[str, Any]]:
        return events(self.store.engine)

    def previous_names(self, person_id: str) -> list[tuple[str, str, str]]:
        return sorted(
            (r["first_name"], r["middle_name"], r["last_name"])
            for r in rows(self.store.engine, "previous_names").values()
            if r["person_id"] == person_id
        )

    def messages(self, status: str | None = None) -> list[outbox.OutboxMessage]:
        with self.store.engine.connect() as connection:
            return outbox.list_messages(connection, status=status)

    def count(self, table: str) -> int:
        with self.store.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(metadata.tables[table])).scalar_one())

    def dqt_mq(self, mq_id: str) -> dict[str, Any]:
        return dict(self.dqt.get("dfeta_qualifications", mq_id))

    def dqt_contact(self, person_id: str) -> dict[str, Any]:
        return dict(self.dqt.get("contacts", person_id))

    def dqt_previous_names(self, person_id: str) -> list[dict[str, Any]]:
        from dataverse_client import F

        return [
            r
            for page in self.dqt.query("dfeta_previousnames", filter=F.lookup("dfeta_personid", person_id))
            for r in page.records
        ]

    def dqt_edit(self, entity_set: str, record_id: str, body: dict[str, Any]) -> None:
        """A DQT user's edit, made in the CRM (impersonated, unconditional)."""
        self.dqt.update(entity_set, record_id, body, caller_object_id=DQT_USER)

    def audit(self, entity_set: str, record_id: str | None = None) -> list[dict[str, Any]]:
        params = f"audit?entity_set={entity_set}" + (f"&id={record_id}" if record_id else "")
        return list(self.sim.admin("GET", params))

    def faults(self, **values: Any) -> None:
        self.sim.admin("POST", "faults", values)


@pytest.fixture
def world(store: Store, dqt: DataverseClient, wb_simulator: SimulatorHandle) -> World:  # noqa: F811
    return World(store, dqt, wb_simulator)


def uk(day: str) -> str:
    """A date as DQT stores a UK-local date-only field."""
    from mappings.writeback import uk_midnight_utc

    return uk_midnight_utc(dt.date.fromisoformat(day))


def new_id() -> str:
    return str(uuid.uuid4())
