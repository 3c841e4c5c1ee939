"""``trs-bridge sync --follow`` as deployed without a fleet: a change in DQT reaches TRS within about one pass."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from dataverse_client import DataverseClient
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import create_contact
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration

TRS_BRIDGE = str(Path(sys.executable).parent / "trs-bridge")


def _last_name(store: Store, person_id: str) -> str | None:
    with store.engine.connect() as connection:
        found = connection.execute(
            text("SELECT last_name FROM persons WHERE person_id = :id"), {"id": person_id}
        ).scalar_one_or_none()
    return None if found is None else str(found)


def test_while_dqt_keeps_changing_follow_carries_each_change_within_a_pass_not_an_interval(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
    tmp_path: Path,
) -> None:
    # Given a DQT with one person, and `sync --follow` running with an 8 s interval
    simulator = fresh_simulator()
    client = client_for(simulator)
    person_id = create_contact(client, lastname="Beforefollow")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DQT_", "TRS_", "REQUESTS_CA", "CURL_CA"))}
    env = {**base, **simulator.env(), "TRS_DATABASE_URL": store.url}
    log_path = tmp_path / "follow.log"
    seen: dict[str, float] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            name = _last_name(store, person_id)
            if name is not None:
                seen.setdefault(name, time.monotonic())
            time.sleep(0.05)

    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [TRS_BRIDGE, "sync", "--follow", "--entity", "person", "--entity", "alert", "--interval", "8"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        made: dict[str, float] = {}
        try:
            deadline = time.monotonic() + 60
            while "Beforefollow" not in seen and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "Beforefollow" in seen, log_path.read_text()[-3000:]

            # When DQT changes the person's last name every 0.3 s for 12 s
            for n in range(40):
                name = f"Change{chr(65 + n // 26)}{chr(65 + n % 26)}"
                client.update("contacts", person_id, {"lastname": name})
                made[name] = time.monotonic()
                time.sleep(0.3)
            final = name
            deadline = time.monotonic() + 20
            while final not in seen and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop.set()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    # Then once the loop has picked the changes up (the first waits up to the interval), each change it shows
    # arrives within a few seconds, never the 8 s interval: a pass that carried changes is followed at once
    picked_up = min(t for name, t in seen.items() if name in made)
    lags = {name: seen[name] - made[name] for name in made if name in seen and made[name] > picked_up}
    assert final in seen, log_path.read_text()[-3000:]
    assert len(lags) >= 10, lags
    assert max(lags.values()) < 4.0, lags
