"""``make demo``: the main job on the embedded default, against a local DQT simulator.

It generates about 20,000 DQT persons (with real dirt), starts the simulator with them over HTTPS, migrates
the TRS store (``TRS_DATABASE_URL``, or the SQLite file ``./trs.db``), BACKFILLS every feed in key-range
shards with a progress bar, makes edits in DQT through the Web API, lets live sync catch up and prints the
status, so a newcomer sees the whole pull path work with one command, in well under two minutes.

Each backfill takes a change-tracking token before it reads (DBLog-style, ADR 0052), so the catch-up sync
carries only what changed since the backfill began instead of re-reading every row as stale.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text

from bridge.backfill import Backfill, BackfillResult
from bridge.feeds import FEEDS
from bridge.local_simulator import start_simulator
from bridge.logging import configure
from bridge.progress import listener_for
from bridge.status import feed_statuses
from bridge.sync import FeedResult, SyncService
from dataverse_client import DataverseClient, F
from trs_store import make_engine
from trs_store.engine import database_url as database_url_from_env
from trs_store.migrate import upgrade


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
    """Make a few edits in DQT through the Web API, as its users would, so live sync has something to carry."""
    pages = client.query("contacts", select=["contactid", "dfeta_trn"], filter=F.eq("statecode", 0), top=2)
    renamed, deactivated = [record for page in pages for record in page.records]
    client.update("contacts", renamed["contactid"], {"lastname": "Renamedindqt"})
    client.update("contacts", deactivated["contactid"], {"statecode": 1, "statuscode": 2})
    with engine.connect() as connection:  # a sanction TRS holds as an alert (some codes have no alert type)
        alert_id = connection.execute(text("SELECT alert_id FROM alerts ORDER BY alert_id LIMIT 1")).scalar_one()
    client.delete("dfeta_sanctions", str(alert_id))
    new_id = client.create("contacts", {"firstname": "Demo", "lastname": "Newteacher", "dfeta_trn": "9876543"})
    console.print(
        f"In DQT: renamed TRN {renamed.get('dfeta_trn')}, deactivated TRN {deactivated.get('dfeta_trn')}, "
        f"deleted one sanction and created contact {new_id} (TRN 9876543).",
        soft_wrap=True,
    )


def _backfill_table(console: Console, results: list[BackfillResult]) -> None:
    table = Table(title="Backfill: DQT → TRS in key-range shards")
    columns = ("feed", "shards", "pages", "read", "inserted", "updated", "skipped", "failed", "seconds", "rows/s")
    for column in columns:
        table.add_column(column, justify="left" if column == "feed" else "right")
    for r in results:
        c = r.counts
        table.add_row(
            r.feed,
            str(len(r.shards)),
            *(f"{v:,}" for v in (c.pages, c.seen, c.inserted, c.updated, c.skipped, c.failed)),
            f"{r.seconds:.1f}",
            f"{r.rows_per_second:,.0f}",
        )
    console.print(table)


def _status_table(console: Console, engine: Engine) -> None:
    table = Table(title="trs-bridge status")
    for column in ("feed", "state", "lag (s)", "rows", "failed open", "last run", "backfill"):
        table.add_column(column, justify="right" if column in ("lag (s)", "rows", "failed open") else "left")
    for s in feed_statuses(engine):
        table.add_row(
            s.feed,
            s.state + (" (paused)" if s.paused else ""),
            "-" if s.lag_seconds is None else f"{s.lag_seconds:.0f}",
            f"{s.rows:,}",
            f"{s.failed_open:,}",
            s.last_run_outcome or "-",
            s.backfill or "-",
        )
    console.print(table)


def backfill_everything(
    engine: Engine, client: DataverseClient, console: Console, *, shards: int = 4
) -> list[BackfillResult]:
    """Backfill every feed, persons first, with a progress bar per feed."""
    service = Backfill(engine, client, listener=listener_for(console))
    threads = 1 if engine.dialect.name == "sqlite" else 2
    results = []
    for feed in FEEDS:
        run, resumed = service.start(feed, shards)
        results.append(service.run(run, threads=threads, resumed=resumed))
        if results[-1].status != "succeeded":
            break  # its dependants would only fetch the missing persons one by one
    return results


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
    engine = make_engine(database_url)
    try:
        console.print(f"DQT simulator at {handle.base_url}")
        client = DataverseClient(handle.settings())
        started = time.perf_counter()
        results = backfill_everything(engine, client, console)
        _backfill_table(console, results)
        console.print(f"Backfill took {time.perf_counter() - started:.1f} s")
        if any(r.status != "succeeded" for r in results):
            console.print("[red]A backfill did not finish; see the log.[/red]")
            return 1
        _change_dqt(client, engine, console)
        started = time.perf_counter()
        service = SyncService(engine, client)
        _print_results(
            console, "Live sync: only what changed since the backfill began (change tracking)", service.sync()
        )
        console.print(f"Live sync caught up in {time.perf_counter() - started:.1f} s")
        _status_table(console, engine)
    finally:
        handle.stop()
        engine.dispose()
    console.print(
        "[green]Demo finished.[/green] Try: .venv/bin/trs-bridge status | failed list | failed show ID | "
        "backfill --entity person --dry-run (with the simulator's DQT_* settings for commands that read DQT)",
        soft_wrap=True,
    )
    return 0


def main() -> None:
    raise SystemExit(run_demo(Path("demo-data"), persons=20_000))


if __name__ == "__main__":
    main()
