"""The metrics expose write-back: outbox messages by state, the oldest pending age and open conflicts."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from prometheus_client import CollectorRegistry

from bridge import metrics
from trs_store import make_engine, outbox
from trs_store.migrate import upgrade


def test_outbox_gauges_follow_the_store(tmp_path: Path) -> None:
    # Given a migrated store with one pending message enqueued ten minutes ago
    url = f"sqlite:///{tmp_path / 'trs.db'}"
    upgrade(url)
    engine = make_engine(url)
    ten_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    with engine.begin() as connection:
        outbox.enqueue(
            connection,
            kind="mq_update",
            entity_set="dfeta_qualifications",
            record_id=str(uuid.uuid4()),
            person_id=str(uuid.uuid4()),
            base_version=1,
            old_state=None,
            new_state={"mq_status": 1},
            origin="test",
            raised_by=None,
            caller_object_id=None,
            now=ten_minutes_ago,
        )
    # When the fleet collector is scraped
    registry = CollectorRegistry()
    registry.register(metrics.FleetCollector(engine=lambda: engine))
    # Then the outbox shows one pending message about ten minutes old and no open conflicts
    assert registry.get_sample_value("trs_bridge_outbox_messages", {"state": "pending"}) == 1.0
    assert registry.get_sample_value("trs_bridge_outbox_messages", {"state": "sent"}) == 0.0
    assert 590 <= registry.get_sample_value("trs_bridge_outbox_oldest_pending_seconds") <= 900
    assert registry.get_sample_value("trs_bridge_conflicts_open") == 0.0
    engine.dispose()
