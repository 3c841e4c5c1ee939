"""``trs-bridge``: the operator's command line. The only module that imports typer and rich.

Errors an operator can fix (bad configuration, unreachable DQT, bad secret, bad database URL, a rejected
command) print one clear line and exit 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from bridge.errors import BridgeError

app = typer.Typer(help="Keeps DQT and the Teaching Record System in step.", no_args_is_help=True)
db_app = typer.Typer(help="The TRS database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console()
err_console = Console(stderr=True)
_state: dict[str, bool] = {"debug": False}

T = TypeVar("T")


def _guarded(action: Callable[[], T]) -> T:
    """Run ``action``; turn the errors an operator can act on into one line and exit code 2."""
    from dataverse_client import DataverseError
    from trs_store.errors import StoreError

    try:
        return action()
    except (BridgeError, DataverseError, StoreError) as error:
        if _state["debug"]:
            raise
        err_console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None


@app.callback()
def _root(debug: Annotated[bool, typer.Option(help="Show tracebacks.")] = False) -> None:
    """Keeps DQT and the Teaching Record System in step."""
    from bridge.logging import configure

    _state["debug"] = debug
    configure("DEBUG" if debug else "INFO")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the TRS store's migrations (PostgreSQL or SQLite, from TRS_DATABASE_URL)."""
    from bridge.config import BridgeSettings
    from trs_store.migrate import upgrade

    def run() -> None:
        settings = BridgeSettings.from_env()
        upgrade(settings.database_url)
        console.print("database is at the newest schema")

    _guarded(run)


@app.command()
def sync(
    once: Annotated[bool, typer.Option("--once", help="Drain every feed once and exit (default).")] = False,
    follow: Annotated[bool, typer.Option("--follow", help="Keep syncing every --interval seconds.")] = False,
    entity: Annotated[list[str] | None, typer.Option("--entity", help="Feed or entity set; repeatable.")] = None,
    interval: Annotated[float | None, typer.Option(help="Seconds between passes with --follow.")] = None,
) -> None:
    """Pull DQT changes into TRS with change tracking, one committed page at a time."""
    from bridge.config import BridgeSettings, open_client, open_engine
    from bridge.feeds import resolve_feeds
    from bridge.sync import SyncService

    if once and follow:
        err_console.print("[red]error:[/red] choose one of --once and --follow")
        raise typer.Exit(2)

    def run() -> None:
        settings = BridgeSettings.from_env()
        feeds = resolve_feeds(entity)
        engine = open_engine(settings.database_url)
        client = open_client()
        service = SyncService(engine, client, page_size=settings.page_size)
        while True:
            for result in service.sync(feeds):
                c = result.counts
                console.print(
                    f"{result.feed:<24} pages={c.pages} seen={c.seen} inserted={c.inserted} updated={c.updated} "
                    f"stale={c.stale} deleted={c.deleted} skipped={c.skipped} failed={c.failed}"
                    + (f" expired-token-restarts={result.expired_tokens}" if result.expired_tokens else "")
                )
            if not follow:
                return
            time.sleep(interval if interval is not None else settings.poll_interval)

    _guarded(run)


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Per feed: state, last sync, token age, rows, open failed records, last run."""
    from bridge import status as status_module
    from bridge.config import BridgeSettings, open_engine

    def run() -> list[Any]:
        engine = open_engine(BridgeSettings.from_env().database_url)
        return status_module.feed_statuses(engine)

    statuses = _guarded(run)
    if as_json:
        typer.echo(json.dumps(status_module.as_json(statuses), indent=2))
        return
    table = Table(title="trs-bridge status")
    for column in ("feed", "entity set", "state", "last sync", "token age (s)", "rows", "failed open", "last run"):
        table.add_column(column)
    for s in statuses:
        table.add_row(
            s.feed,
            s.entity_set,
            s.state,
            s.last_updated or "-",
            str(s.token_age_seconds or "-"),
            f"{s.rows:,}",
            str(s.failed_open),
            s.last_run_outcome or "-",
        )
    console.print(table)


@app.command()
def demo(
    persons: Annotated[int, typer.Option(help="How many DQT persons to generate for the demo.")] = 2000,
    work_dir: Annotated[Path, typer.Option(help="Where generated data and certificates go.")] = Path("demo-data"),
) -> None:
    """Run the main job on the embedded default against a local DQT simulator."""
    from bridge.demo import run_demo

    raise typer.Exit(run_demo(work_dir=work_dir, persons=persons))


if __name__ == "__main__":  # pragma: no cover
    app()
