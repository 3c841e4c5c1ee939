"""``make demo``: the main job on the embedded default, against a local DQT simulator.

It generates DQT-shaped data (with real dirt), starts the simulator with it over HTTPS, migrates the TRS
store (``TRS_DATABASE_URL``, or the SQLite file ``./trs.db``), syncs every feed, makes a few edits in DQT and
syncs again, so a newcomer sees the whole pull path work with one command.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text

from bridge.local_simulator import SimulatorHandle, start_simulator
from bridge.logging import configure
from bridge.status import feed_statuses
from bridge.sync import FeedResult, SyncService
from dataverse_client import DataverseClient, DataverseSettings
from trs_store import make_engine
from trs_store.engine import database_url as database_url_from_env
from trs_store.migrate import upgrade


def settings_for(handle: SimulatorHandle) -> DataverseSettings:
    return DataverseSettings(
        base_url=handle.base_url,
        tenant_id=handle.tenant_id,
        client_id=handle.client_id,
        client_secret=handle.client_secret,
        authority=handle.authority,
        ca_bundle=handle.ca_bundle,
    )


def _generate(data_dir: Path, persons: int, console: Console) -> None:
    marker = data_dir / f".generated-{persons}"
    if marker.exists():
        return
    console.print(f"Generating {persons:,} DQT persons into {data_dir} …")
    subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "dqt_simulator.cli",
            "generate",
            "--persons",
            str(persons),
            "--seed",
            "1",
            "--out",
            str(data_dir),
        ],
        check=True,
    )
    marker.touch()


def _print_results(console: Console, title: str, results: list[FeedResult]) -> None:
    table = Table(title=title)
    for column in (
        "feed",
        "entity set",
        "pages",
        "seen",
        "inserted",
        "updated",
        "stale",
        "deleted",
        "skipped",
        "failed",
    ):
        table.add_column(column, justify="left" if column in ("feed", "entity set") else "right")
    for r in results:
        c = r.counts
        table.add_row(
            r.feed,
            r.entity_set,
            *(f"{v:,}" for v in (c.pages, c.seen, c.inserted, c.updated, c.stale, c.deleted, c.skipped, c.failed)),
        )
    console.print(table)


def _change_dqt(client: DataverseClient, engine: Engine, console: Console) -> None:
    """Make a few edits in DQT, as its users would, so the next sync has something to carry."""
    contact = next(iter(client.query("contacts", select=["contactid", "dfeta_trn"], top=1))).records[0]
    client.update("contacts", contact["contactid"], {"statecode": 1, "statuscode": 2})
    with engine.connect() as connection:  # a sanction TRS holds as an alert (some codes have no alert type)
        alert_id = connection.execute(text("SELECT alert_id FROM alerts ORDER BY alert_id LIMIT 1")).scalar_one()
    client.delete("dfeta_sanctions", str(alert_id))
    console.print(f"In DQT: deactivated the contact with TRN {contact.get('dfeta_trn')} and deleted one sanction.")


def _fresh_store(work_dir: Path, database_url: str, console: Console) -> None:
    """The demo's simulator starts from its files every run, so a store the demo itself filled last time
    is removed first (only the default SQLite file, and only when the demo created it)."""
    marker = work_dir / ".trs-db-created-by-demo"
    default_file = Path("trs.db")
    if database_url == "sqlite:///./trs.db":
        if marker.exists() and default_file.exists():
            console.print("Removing ./trs.db left by the previous demo run.")
            default_file.unlink()
        if not default_file.exists():
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()


def run_demo(work_dir: Path, persons: int) -> int:
    console = Console(width=max(Console().width, 110))
    configure("ERROR")
    data_dir = work_dir / "dqt"
    _generate(data_dir, persons, console)
    database_url = database_url_from_env()
    _fresh_store(work_dir, database_url, console)
    console.print(f"TRS store: {database_url} (migrating to the newest schema)")
    upgrade(database_url)
    console.print("Starting the DQT simulator (HTTPS, Entra authority + Dataverse Web API) …")
    handle = start_simulator(work_dir / "sim", data_dir=data_dir)
    try:
        console.print(f"DQT simulator at {handle.base_url}")
        client = DataverseClient(settings_for(handle))
        service = SyncService(make_engine(database_url), client)
        started = time.perf_counter()
        _print_results(console, "Sync 1: DQT → TRS (full pass per feed)", service.sync())
        console.print(f"took {time.perf_counter() - started:.1f} s")
        _change_dqt(client, service.engine, console)
        _print_results(console, "Sync 2: only what changed (change tracking deltas)", service.sync())
        statuses = feed_statuses(make_engine(database_url))
        console.print(
            "Open failed records (each with its reason, see trs-bridge status): "
            + ", ".join(f"{s.entity_set}={s.failed_open}" for s in statuses)
        )
    finally:
        handle.stop()
    console.print("[green]Demo finished.[/green] Inspect it with: .venv/bin/trs-bridge status")
    return 0


def main() -> None:
    raise SystemExit(run_demo(Path("demo-data"), persons=2000))


if __name__ == "__main__":
    main()
