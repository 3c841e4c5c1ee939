"""``trs-bridge``: the operator's command line. The only module that imports typer and rich.

Errors an operator can fix (bad configuration, unreachable DQT, bad secret, bad database URL, a rejected
command) print one clear line and exit 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bridge.errors import BridgeError

app = typer.Typer(help="Keeps DQT and the Teaching Record System in step.", no_args_is_help=True)
db_app = typer.Typer(help="The TRS database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console()
#: Errors are one line whatever the terminal width (rich wraps at 80 columns when stderr is not a terminal).
err_console = Console(stderr=True, soft_wrap=True)
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
        err_console.print(f"[red]error:[/red] {escape(' '.join(str(error).split()))}")
        raise typer.Exit(2) from None


@app.callback()
def _root(debug: Annotated[bool, typer.Option(help="Show tracebacks.")] = False) -> None:
    """Keeps DQT and the Teaching Record System in step."""
    from bridge.logging import configure
    from bridge.memory import limit_malloc_arenas

    _state["debug"] = debug
    configure("DEBUG" if debug else "INFO")
    limit_malloc_arenas()  # before any thread starts (ADR 0096)


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
    from bridge.follow import FollowSchedule
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
        # A feed that carried changes is synced again at once, a quiet one after the interval (ADR 0058).
        schedule = FollowSchedule(feeds, interval if interval is not None else settings.poll_interval)
        while True:
            for result in service.sync(schedule.due() if follow else feeds):
                c = result.counts
                schedule.ran(result.feed, carried=c.seen > 0)
                if result.outcome == "paused":
                    console.print(f"{result.feed:<24} paused: skipped (trs-bridge resume --entity {result.feed})")
                    continue
                if follow and not c.seen and result.outcome == "succeeded":
                    continue  # a quiet feed's pass says nothing (it runs every interval)
                console.print(
                    f"{result.feed:<24} pages={c.pages} seen={c.seen} inserted={c.inserted} updated={c.updated} "
                    f"stale={c.stale} deleted={c.deleted} skipped={c.skipped} failed={c.failed}"
                    + (f" expired-token-restarts={result.expired_tokens}" if result.expired_tokens else ""),
                    soft_wrap=True,  # one line per feed, for log collectors too (rich wraps at 80 off a terminal)
                )
            if not follow:
                return
            time.sleep(schedule.wait_seconds())

    _guarded(run)


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Per feed: state, lag, last sync, rows, open failed records, last run, pauses and backfills; then the fleet
    (queues, dead letters, DQT budget, leases, scheduler; from Redis) and the write-back outbox. ``--json`` gives
    ``{"feeds": [...], "fleet": {...} | null, "writeback": {...}}``."""
    from bridge import status as status_module

    def run() -> list[Any]:
        with _trs_store() as engine:
            return status_module.feed_statuses(engine)

    statuses = _guarded(run)
    fleet = _guarded(status_module.fleet_status)
    writeback = _guarded(_writeback_summary)
    if as_json:
        document = {"feeds": status_module.as_json(statuses), "fleet": fleet, "writeback": writeback}
        typer.echo(json.dumps(document, indent=2, default=str))
        return
    table = Table(title="trs-bridge status")
    columns = ("feed", "entity set", "state", "last sync", "lag (s)", "rows", "failed open", "last run", "paused")
    for column in columns:
        table.add_column(column)
    for s in statuses:
        table.add_row(
            s.feed,
            s.entity_set,
            s.state,
            s.last_updated or "-",
            str(s.lag_seconds if s.lag_seconds is not None else "-"),
            f"{s.rows:,}",
            str(s.failed_open),
            s.last_run_outcome or "-",
            ("yes" + (f" ({s.paused_reason})" if s.paused_reason else "")) if s.paused else "-",
        )
    console.print(table)
    for s in statuses:
        if s.backfill:
            console.print(f"backfill of {s.entity_set}: {s.backfill}", soft_wrap=True)
        if s.jobs_gave_up:
            console.print(
                f"jobs given up on for {s.entity_set} (7 days): {s.jobs_gave_up}; last run: {s.last_run_error or '-'}",
                soft_wrap=True,
                markup=False,
            )
    for line in status_module.fleet_lines(fleet):
        console.print(line, soft_wrap=True, markup=False)
    console.print(_outbox_line(writeback), soft_wrap=True)


@app.command()
def demo(
    persons: Annotated[int, typer.Option(help="How many DQT persons to generate for the demo.")] = 20_000,
    work_dir: Annotated[Path, typer.Option(help="Where generated data and certificates go.")] = Path("demo-data"),
) -> None:
    """Run the main job on the embedded default against a local DQT simulator."""
    from bridge.demo import run_demo

    raise typer.Exit(run_demo(work_dir=work_dir, persons=persons))


@app.command()
def worker(
    threads: Annotated[int, typer.Option(min=1, max=64, help="Worker threads in this process.")] = 4,
    queue: Annotated[
        list[str] | None, typer.Option("--queue", help="Consume only this queue (sync, backfill, replay); repeatable.")
    ] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Serve Prometheus metrics on this port.")] = None,
    shutdown_timeout: Annotated[float, typer.Option(help="Seconds to finish in-flight jobs after SIGTERM.")] = 600.0,
) -> None:
    """Run jobs from the queues until SIGTERM (Redis from REDIS_URL; without it, in-process with a scheduler)."""
    from bridge.worker import load_jobs

    def run() -> int:
        return load_jobs().run_worker(
            threads=threads, queues=queue, metrics_port=metrics_port, shutdown_timeout=shutdown_timeout
        )

    raise typer.Exit(_guarded(run))


@app.command()
def scheduler(
    interval: Annotated[
        float | None, typer.Option(help="Seconds between ticks (default TRS_BRIDGE_POLL_INTERVAL).")
    ] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Serve Prometheus metrics on this port.")] = None,
) -> None:
    """Enqueue a sync of every feed that is not paused, every interval; safe to run several (one leads)."""
    from bridge.worker import load_jobs

    def run() -> int:
        return load_jobs().run_scheduler(interval=interval, metrics_port=metrics_port)

    raise typer.Exit(_guarded(run))


# ---------------------------------------------------------------------------------------------------------
# backfill, failed records, resync, pause/resume (the operator commands of issue 5)
# ---------------------------------------------------------------------------------------------------------

_COUNT_NAMES = ("pages", "seen", "inserted", "updated", "stale", "deleted", "skipped", "failed")


@contextmanager
def _trs_store() -> Iterator[Any]:
    """The TRS engine from the environment, disposed when the command is done."""
    from bridge.config import BridgeSettings, open_engine

    engine = open_engine(BridgeSettings.from_env().database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _reject(message: str) -> typer.Exit:
    """Print an invalid-command error (nothing was changed) and return the exit to raise."""
    err_console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(2)


def _backfill_table(results: list[Any], *, dry_run: bool) -> Table:
    if dry_run:
        title = "Backfill dry run: what a backfill would do (nothing was written)"
        labels = ("read", "would insert", "would update", "unchanged", "would skip", "would fail")
    else:
        title = "Backfill"
        labels = ("read", "inserted", "updated", "stale", "skipped", "failed")
    table = Table(title=title)
    columns = ("feed", "run", "status", "pages", *labels, "seconds", "rows/s")
    for column in columns:
        table.add_column(column, justify="left" if column in ("feed", "run", "status") else "right")
    for r in results:
        c = r.counts
        table.add_row(
            r.feed,
            (r.run_id or "-")[:8],
            r.status + (" (continued)" if r.resumed else ""),
            *(f"{v:,}" for v in (c.pages, c.seen, c.inserted, c.updated, c.stale, c.skipped, c.failed)),
            f"{r.seconds:.1f}",
            f"{r.rows_per_second:,.0f}",
        )
    return table


def _backfill_json(result: Any) -> dict[str, Any]:
    return {
        "feed": result.feed,
        "entity_set": result.entity_set,
        "run_id": result.run_id,
        "status": result.status,
        "resumed": result.resumed,
        "seconds": round(result.seconds, 2),
        "rows_per_second": round(result.rows_per_second),
        "counts": {name: getattr(result.counts, name) for name in _COUNT_NAMES},
        "run_totals": {name: getattr(result.totals, name) for name in _COUNT_NAMES},
        "journal_primed": result.journal_primed,
        "failure_reasons": result.failure_reasons,
    }


@app.command()
def backfill(
    *,
    entity: Annotated[
        str | None, typer.Option("--entity", help="Feed or entity set, or 'all' (every feed, persons first).")
    ] = None,
    shards: Annotated[int, typer.Option(min=1, max=256, help="Key-range shards of a new run.")] = 8,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Map and validate, write nothing; print counts.")] = False,
    resume: Annotated[str | None, typer.Option("--resume", metavar="RUN_ID", help="Continue this run.")] = None,
    distributed: Annotated[
        bool, typer.Option("--distributed", help="Send one job per shard to the workers (needs REDIS_URL).")
    ] = False,
    wait: Annotated[bool, typer.Option("--wait", help="With --distributed: follow the run until it ends.")] = False,
    threads: Annotated[
        int | None, typer.Option(min=1, max=32, help="Shards at a time in this process (default 1 on SQLite, 2).")
    ] = None,
    processes: Annotated[
        int,
        typer.Option(
            min=1, max=32, help="Processes working the shards on this machine, each with --threads (PostgreSQL only)."
        ),
    ] = 1,
    page_size: Annotated[int, typer.Option(min=1, max=5000, help="Rows per DQT page.")] = 2500,
    fresh: Annotated[bool, typer.Option("--fresh", help="Abandon an unfinished run and start a new one.")] = False,
    prime_journal: Annotated[
        bool,
        typer.Option(
            "--prime-journal/--no-prime-journal",
            help="Take a change-tracking token first, so live sync continues from before the backfill.",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary, no progress bar.")] = False,
) -> None:
    """Load whole entity sets from DQT in resumable key-range shards (same newer-wins apply as the sync)."""
    from bridge.backfill import Backfill, feeds_for
    from bridge.config import BridgeSettings, open_client
    from bridge.progress import listener_for

    if (entity is None) == (resume is None):
        raise _reject("give --entity (or --entity all) for a new run, or --resume RUN_ID")
    if dry_run and (resume or distributed):
        raise _reject(
            "--dry-run reads and rolls back in this process; it cannot be combined with --resume or --distributed"
        )
    if wait and not distributed:
        raise _reject("--wait only applies to --distributed")

    def run() -> list[Any]:
        if console.is_terminal and not as_json and not _state["debug"]:
            from bridge.logging import configure

            configure("ERROR")  # the bar shows progress and failures; each failed record is in `failed list`
        settings = BridgeSettings.from_env()
        if distributed and not settings.redis_url:
            raise BridgeError("--distributed needs REDIS_URL (the workers' queue); without it run the backfill here")
        feeds = feeds_for(entity) if entity else []
        with _trs_store() as engine, open_client() as client:
            # Two shard threads: on PostgreSQL a third and fourth gained ~5 % and cost ~45 MB each (ADR 0057).
            width = threads or (1 if engine.dialect.name == "sqlite" else min(shards, 2))
            if processes > 1 and engine.dialect.name == "sqlite":
                raise _reject("--processes needs PostgreSQL: SQLite has one writer at a time")
            service = Backfill(engine, client, page_size=page_size, listener=listener_for(console, quiet=as_json))
            return _backfill_runs(service, feeds, width)

    def _backfill_runs(service: Any, feeds: list[Any], width: int) -> list[Any]:
        results: list[Any] = []
        if resume is not None:
            results.append(service.run(service.run_for(resume), threads=width, processes=processes, resumed=True))
            return results
        for feed in feeds:
            if dry_run:
                results.append(service.dry_run(feed, shards, threads=width))
                continue
            backfill_run, resumed = service.start(
                feed, shards, distributed=distributed, fresh=fresh, prime_journal=prime_journal
            )
            if resumed and not as_json:
                console.print(f"Continuing unfinished backfill {backfill_run.run_id} of {feed.entity_set}.")
            if distributed:
                from bridge.worker import load_jobs

                sent = service.enqueue(backfill_run, load_jobs().backfill_shard.send)  # type: ignore[attr-defined]
                if not as_json:
                    console.print(f"{feed.name}: run {backfill_run.run_id}, {len(sent)} shard jobs sent to the workers")
                if wait:
                    results.append(service.watch(backfill_run.run_id))
                continue
            result = service.run(backfill_run, threads=width, processes=processes, resumed=resumed)
            results.append(result)
            if result.status != "succeeded":
                break
        return results

    _report_backfill(_guarded(run), dry_run=dry_run, as_json=as_json)


def _report_backfill(results: list[Any], *, dry_run: bool, as_json: bool) -> None:
    """Print the backfill summary; exit 1 when a run did not finish (with how to continue it)."""
    if as_json:
        typer.echo(json.dumps([_backfill_json(r) for r in results], indent=2))
    elif results:
        console.print(_backfill_table(results, dry_run=dry_run))
        for r in results:
            if r.failure_reasons:
                reasons = ", ".join(f"{k}={v:,}" for k, v in list(r.failure_reasons.items())[:8])
                console.print(f"{r.feed}: would fail by kind:field: {reasons}", soft_wrap=True)
            if r.journal_primed:
                console.print(f"{r.feed}: live sync will continue from the change token taken before the backfill")
            if r.counts.failed and not dry_run:
                console.print(
                    f"{r.feed}: {r.counts.failed:,} records failed; see trs-bridge failed list --entity {r.feed}"
                )
    unfinished = [r for r in results if r.status not in ("succeeded", "dry-run")]
    for r in unfinished:
        err_console.print(
            f"backfill {r.run_id} is {r.status}; continue it with: trs-bridge backfill --resume {r.run_id}"
        )
    if unfinished:
        raise typer.Exit(1)


failed_app = typer.Typer(help="Failed records: list, show, replay, discard.", no_args_is_help=True)
app.add_typer(failed_app, name="failed")


@failed_app.command("list")
def failed_list(
    *,
    entity: Annotated[str | None, typer.Option("--entity", help="Feed or entity set.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Error kind (mapping, missing_parent …).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Seen since: 30m, 24h, 7d or an ISO date.")] = None,
    status: Annotated[str, typer.Option("--status", help="open, replayed, discarded or all.")] = "open",
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: all).")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Failed records, most recently seen first (messages never contain personal data)."""
    from bridge import operator

    def run() -> list[Any]:
        with _trs_store() as engine:
            return operator.list_failures(
                engine, entity=entity, kind=kind, since=since, status=status, limit=limit or None
            )

    found = _guarded(run)
    if as_json:
        rows = [operator.failure_as_dict(f) for f in found]
        for row in rows:
            row.pop("raw_payload")
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Failed records ({status})")
    for column in ("id", "entity set", "DQT id", "kind", "field", "attempts", "last seen", "status", "message"):
        table.add_column(column, justify="right" if column in ("id", "attempts") else "left")
    for f in found:
        table.add_row(
            str(f.failed_record_id),
            f.entity_set,
            f.dqt_id or "-",
            f.error_kind,
            f.field or "-",
            str(f.attempts),
            f.last_seen.strftime("%Y-%m-%d %H:%M:%S"),
            f.status,
            escape(f.message if len(f.message) <= 100 else f.message[:99] + "…"),
        )
    console.print(table)
    if limit and len(found) == limit:
        console.print(f"showing the first {limit}; use --limit 0 for all")


@failed_app.command("show")
def failed_show(
    failed_id: Annotated[int, typer.Argument(metavar="ID", help="The failed record's id.")],
    reveal: Annotated[bool, typer.Option("--reveal", help="Show personal data in the payload unmasked.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """One failed record with its raw DQT payload (names, birthdate, e-mails, NI numbers masked unless --reveal)."""
    from bridge import operator

    def run() -> dict[str, Any]:
        with _trs_store() as engine:
            return operator.failure_as_dict(operator.get_failure(engine, failed_id), reveal=reveal)

    shown = _guarded(run)
    if as_json:
        typer.echo(json.dumps(shown, indent=2, default=str))
        return
    table = Table(title=f"Failed record {failed_id}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in shown.items():
        if key not in ("raw_payload", "masked"):
            table.add_row(key, escape("-" if value is None else str(value)))
    console.print(table)
    note = "personal data masked; --reveal shows it" if shown["masked"] else "UNMASKED: contains personal data"
    console.print(f"raw payload ({note}):")
    console.print_json(json.dumps(shown["raw_payload"], default=str))


@failed_app.command("replay")
def failed_replay(
    ids: Annotated[list[int] | None, typer.Argument(metavar="ID...", help="Failed record ids.")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Every open failed record (with --entity/--kind).")] = False,
    entity: Annotated[str | None, typer.Option("--entity", help="With --all: only this feed.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="With --all: only this error kind.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Re-read the records' CURRENT state from DQT and apply it; replayed when it now applies."""
    from bridge import replay as replay_module
    from bridge.config import open_client
    from bridge.operator import entity_set_of

    if bool(ids) == replay_all:
        raise _reject("name failed record ids, or use --all (not both)")
    if (entity or kind) and not replay_all:
        raise _reject("--entity and --kind select records for --all; with ids, name the ids only")

    def run() -> Any:
        with _trs_store() as engine:
            if replay_all:
                targets = replay_module.select_open(engine, entity_set=entity_set_of(entity), kind=kind)
            else:
                targets = replay_module.select_by_ids(engine, ids or [])
            if not targets:
                return replay_module.ReplayReport()
            with open_client() as client:
                return replay_module.replay(engine, client, targets)

    report = _guarded(run)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    elif not report.outcomes:
        console.print("no open failed records matched; nothing replayed")
    else:
        table = Table(title="Replay")
        table.add_column("id", justify="right")
        table.add_column("outcome")
        for failed_id, outcome in sorted(report.outcomes.items()):
            table.add_row(
                str(failed_id), outcome + (f": {report.errors[failed_id]}" if failed_id in report.errors else "")
            )
        console.print(table)
        console.print(", ".join(f"{k}={v}" for k, v in report.tally().items()))
    if not report.all_resolved:
        raise typer.Exit(1)


@failed_app.command("discard")
def failed_discard(
    failed_id: Annotated[int, typer.Argument(metavar="ID", help="The failed record's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it needs no replay (kept with the record).")],
) -> None:
    """Close an open failed record as discarded, with the reason."""
    from bridge import operator

    def run() -> Any:
        with _trs_store() as engine:
            return operator.discard_failure(engine, failed_id, reason)

    record = _guarded(run)
    console.print(f"failed record {record.failed_record_id} discarded")


@app.command()
def resync(
    entity: Annotated[str, typer.Option("--entity", help="Feed or entity set.")],
    record_id: Annotated[str | None, typer.Option("--id", metavar="GUID", help="The DQT record's id.")] = None,
    trn: Annotated[str | None, typer.Option("--trn", help="The person's TRN (7 digits).")] = None,
) -> None:
    """Fetch one record (or a person's records, by TRN) from DQT now and apply it as the sync would."""
    from bridge import operator
    from bridge.config import open_client
    from bridge.feeds import resolve_feeds

    if (record_id is None) == (trn is None):
        raise _reject("give exactly one of --id and --trn")

    def run() -> Any:
        resolve_feeds([entity])  # reject an unknown entity before connecting
        if trn is not None:
            operator.validate_trn(trn)
        else:
            operator.validate_guid(record_id or "")
        with _trs_store() as engine, open_client() as client:
            return operator.resync(engine, client, entity, record_id=record_id, trn=trn)

    result = _guarded(run)
    c = result.counts
    gone = f" gone from DQT: {len(result.deleted)} (removed from TRS: {c.deleted})" if result.deleted else ""
    console.print(
        f"{result.feed}: read {result.found} from DQT; inserted={c.inserted} updated={c.updated} "
        f"unchanged={c.stale} deleted={c.deleted} skipped={c.skipped} failed={c.failed}{gone}",
        soft_wrap=True,
    )


@app.command()
def reconcile(
    *,
    entity: Annotated[
        list[str] | None,
        typer.Option("--entity", help="Entity, feed or entity set; repeatable (default: every entity)."),
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Compare every record (the default).")] = False,
    sample: Annotated[
        int | None, typer.Option("--sample", min=1, metavar="N", help="Compare N random DQT records per entity.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of --sample: the same seed, the same records.")
    ] = None,
    fix: Annotated[
        bool, typer.Option("--fix", help="Then resync every difference from DQT (not failed ones).")
    ] = False,
    show: Annotated[int, typer.Option("--show", min=0, help="List at most this many differences per entity.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Prove DQT and TRS agree, record by record on every mapped field; exit 1 when they differ.

    Differences are listed by id and column name, never with values. Records with an open failed record are
    listed apart with their failure and do not make the report unclean. With --fix each difference is resynced
    through the sync's apply; run reconcile again to confirm."""
    from bridge import reconcile as parity
    from bridge.config import open_client

    if full and sample is not None:
        raise _reject("choose one of --full and --sample N")

    def run() -> tuple[list[Any], int | None]:
        chosen = [e.name for e in parity.resolve_entities(entity)]  # an unknown entity is rejected before connecting
        with _trs_store() as engine, open_client() as client:
            reports = parity.reconcile_all(client, engine, chosen, sample=sample, seed=seed)
            return reports, parity.fix(client, engine, reports) if fix else None

    reports, fixed = _guarded(run)
    clean = all(r.clean for r in reports)
    if as_json:
        document = {"clean": clean, "entities": [r.as_json() for r in reports], "fixed": fixed}
        typer.echo(json.dumps(document, indent=2))
    else:
        console.print(_reconcile_table(reports))
        for report in reports:
            for line in _reconcile_lines(report, show):
                console.print(line, soft_wrap=True, markup=False)
        if fixed is not None:
            console.print(
                f"resynced {fixed} records from DQT; run trs-bridge reconcile again to confirm", soft_wrap=True
            )
    raise typer.Exit(0 if clean else 1)


def _reconcile_table(reports: list[Any]) -> Table:
    mode = reports[0].mode if reports else "full"
    table = Table(title=f"Reconcile ({mode}): DQT through the sync's mapping vs TRS")
    columns = ("entity", "DQT", "TRS", "compared", "missing", "extra", "differing", "failed", "open failed", "seconds")
    for column in (*columns, "top differing fields"):
        table.add_column(column, justify="left" if column in ("entity", "top differing fields") else "right")
    for r in reports:
        counts = (r.dqt_records, r.trs_records, r.compared, *(r.counts[k] for k in ("missing", "extra", "differing")))
        fields = ", ".join(f"{name} ({n:,})" for name, n in r.top_fields.most_common(3))
        table.add_row(
            r.entity + ("" if r.clean else " ✗"),
            *(f"{v:,}" for v in counts),
            f"{r.counts['unapplied']:,}",
            f"{r.open_failed:,}",
            f"{r.elapsed_seconds:.1f}",
            fields or "-",
        )
    return table


def _reconcile_lines(report: Any, show: int) -> list[str]:
    """The listed differences of one report: ids, kinds and column names (never values), and failures' reasons."""
    lines: list[str] = []
    for difference in report.differences[:show]:
        fields = f" ({', '.join(difference.fields)})" if difference.fields else ""
        person = report.persons.get(difference.dqt_id)
        of = f" of person {person}" if person and person != difference.dqt_id else ""
        lines.append(f"{report.entity}: {difference.kind} {difference.dqt_id}{of}{fields}")
    for difference in report.unapplied[: max(0, show - len(lines))]:
        failure = report.failures[difference.dqt_id]
        lines.append(
            f"{report.entity}: {difference.kind} {difference.dqt_id} because it failed (failed record "
            f"{failure.failed_record_id}, {failure.error_kind}): {failure.message}"
        )
    listed = len(report.differences) + len(report.unapplied)
    if listed > len(lines) or report.truncated:
        total = sum(report.counts[k] for k in ("missing", "extra", "differing", "unapplied"))
        lines.append(f"{report.entity}: {total - len(lines):,} more not listed (--show N, or --json)")
    return lines


@app.command()
def pause(
    entity: Annotated[str, typer.Option("--entity", help="Feed or entity set.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Shown by trs-bridge status.")] = None,
) -> None:
    """Pause a feed: sync, scheduler and workers skip it until it is resumed (backfills are not paused)."""
    from bridge import pauses

    def run() -> tuple[str, bool]:
        feed = pauses.feed_of(entity)
        with _trs_store() as engine:
            return feed.name, pauses.pause(engine, entity, reason=reason)

    name, changed = _guarded(run)
    console.print(f"{name} paused" if changed else f"{name} was already paused; nothing changed")


@app.command()
def resume(entity: Annotated[str, typer.Option("--entity", help="Feed or entity set.")]) -> None:
    """Resume a paused feed."""
    from bridge import pauses

    def run() -> tuple[str, bool]:
        feed = pauses.feed_of(entity)
        with _trs_store() as engine:
            return feed.name, pauses.resume(engine, entity)

    name, changed = _guarded(run)
    console.print(f"{name} resumed" if changed else f"{name} was not paused; nothing changed")


# ---------------------------------------------------------------------------------------------------------
# write-back: edits, the outbox, the relay, conflicts, the HTTP API (issue 6)
# ---------------------------------------------------------------------------------------------------------

edit_app = typer.Typer(help="Edit TRS records; each edit is also queued for DQT (the outbox).", no_args_is_help=True)
edit_mq_app = typer.Typer(help="Mandatory qualifications.", no_args_is_help=True)
outbox_app = typer.Typer(help="The write-back outbox: TRS edits on their way to DQT.", no_args_is_help=True)
conflicts_app = typer.Typer(help="Write-back conflicts waiting for an operator.", no_args_is_help=True)
app.add_typer(edit_app, name="edit")
edit_app.add_typer(edit_mq_app, name="mq")
app.add_typer(outbox_app, name="outbox")
app.add_typer(conflicts_app, name="conflicts")

_User = Annotated[str | None, typer.Option("--user", help="The TRS user making the edit (shown as RaisedBy).")]
_Caller = Annotated[
    str | None, typer.Option("--caller-object-id", help="The user's Entra object id: DQT writes act as them.")
]
_Send = Annotated[bool, typer.Option("--send", help="Relay the outbox to DQT right away (else the relay job does).")]
_Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _edit(action: Callable[[Any], Any], *, send: bool) -> None:
    """Run an edit with the edit service; print what was queued (and, with ``--send``, relay it now)."""
    from bridge.config import BridgeSettings, open_client, open_engine
    from bridge.edits import EditService

    def run() -> tuple[Any, Any]:
        engine = open_engine(BridgeSettings.from_env().database_url)
        result = action(EditService(engine))
        relayed = None
        if send:
            from bridge.writeback import relay_pending

            relayed = relay_pending(engine, open_client())
        return result, relayed

    result, relayed = _guarded(run)
    console.print(
        f"{result.kind} queued for DQT: message {result.message_id} record {result.record_id} "
        f"changed {', '.join(result.changed)}",
        soft_wrap=True,
    )
    if relayed is not None:
        outcome = relayed.outcomes.get(result.message_id, "not sent yet")
        console.print(f"relay: {outcome} ({_relay_line(relayed)})", soft_wrap=True)


def _relay_line(result: Any) -> str:
    return " ".join(f"{k}={v}" for k, v in result.as_json().items())


def _editor(user: str | None, caller: str | None) -> Any:
    from bridge.edits import Editor

    return _guarded(lambda: Editor(user=user, caller_object_id=caller, origin="cli"))


@edit_mq_app.command("create")
def edit_mq_create(
    *,
    trn: Annotated[str, typer.Option("--trn", help="The person's TRN.")],
    provider: Annotated[str, typer.Option("--provider", help="A current provider's TRS id or exact name.")],
    specialism: Annotated[str, typer.Option("--specialism", help="hearing, multi-sensory or visual.")],
    start_date: Annotated[str, typer.Option("--start-date", help="YYYY-MM-DD.")],
    status: Annotated[str, typer.Option("--status", help="in-progress, passed, deferred, extended, failed…")],
    end_date: Annotated[str | None, typer.Option("--end-date", help="YYYY-MM-DD; Passed only.")] = None,
    user: _User = None,
    caller_object_id: _Caller = None,
    send: _Send = False,
) -> None:
    """Add a mandatory qualification to a person."""
    from bridge.edits import parse_day, parse_provider, parse_specialism, parse_status

    editor = _editor(user, caller_object_id)
    _edit(
        lambda service: service.create_mq(
            trn=trn,
            provider=parse_provider(provider),
            specialism=parse_specialism(specialism),
            start_date=parse_day(start_date, "start_date"),
            status=parse_status(status),
            end_date=parse_day(end_date, "end_date"),
            editor=editor,
        ),
        send=send,
    )


@edit_mq_app.command("update")
def edit_mq_update(
    qualification_id: Annotated[str, typer.Argument(help="The MQ's id.")],
    *,
    provider: Annotated[str | None, typer.Option("--provider", help="A current provider's id or name.")] = None,
    specialism: Annotated[str | None, typer.Option("--specialism", help="hearing, multi-sensory, visual.")] = None,
    start_date: Annotated[str | None, typer.Option("--start-date", help="YYYY-MM-DD.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="in-progress, passed, deferred…")] = None,
    end_date: Annotated[str | None, typer.Option("--end-date", help="YYYY-MM-DD; Passed only.")] = None,
    user: _User = None,
    caller_object_id: _Caller = None,
    send: _Send = False,
) -> None:
    """Change a mandatory qualification's provider, specialism, start date, status and/or end date."""
    from bridge.edits import parse_day, parse_provider, parse_specialism, parse_status

    editor = _editor(user, caller_object_id)
    _edit(
        lambda service: service.update_mq(
            qualification_id,
            provider=parse_provider(provider),
            specialism=parse_specialism(specialism),
            start_date=parse_day(start_date, "start_date"),
            status=parse_status(status),
            end_date=parse_day(end_date, "end_date"),
            editor=editor,
        ),
        send=send,
    )


@edit_mq_app.command("delete")
def edit_mq_delete(
    qualification_id: Annotated[str, typer.Argument(help="The MQ's id.")],
    user: _User = None,
    caller_object_id: _Caller = None,
    send: _Send = False,
) -> None:
    """Delete a mandatory qualification (DQT's record is deactivated)."""
    editor = _editor(user, caller_object_id)
    _edit(lambda service: service.delete_mq(qualification_id, editor=editor), send=send)


@edit_app.command("name")
def edit_name(
    *,
    trn: Annotated[str, typer.Option("--trn", help="The person's TRN.")],
    first: Annotated[str | None, typer.Option("--first", help="New first name.")] = None,
    middle: Annotated[str | None, typer.Option("--middle", help='New middle name ("" for none).')] = None,
    last: Annotated[str | None, typer.Option("--last", help="New last name.")] = None,
    user: _User = None,
    caller_object_id: _Caller = None,
    send: _Send = False,
) -> None:
    """Change a person's name; parts not given keep the name TRS shows. Old parts become previous names."""
    editor = _editor(user, caller_object_id)
    _edit(lambda service: service.change_name(trn=trn, first=first, middle=middle, last=last, editor=editor), send=send)


@outbox_app.command("list")
def outbox_list(
    status_filter: Annotated[
        str | None, typer.Option("--status", help="pending, sent, conflict, failed or superseded.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many, newest first.")] = 50,
    as_json: _Json = False,
) -> None:
    """Outbox messages, newest first."""
    from bridge.api import message_json
    from bridge.config import BridgeSettings, open_engine
    from trs_store import outbox
    from trs_store.models.writeback import OUTBOX_STATUSES

    if status_filter is not None and status_filter not in OUTBOX_STATUSES:
        raise _reject(f"--status must be one of {', '.join(OUTBOX_STATUSES)}")

    def run() -> list[Any]:
        engine = open_engine(BridgeSettings.from_env().database_url)
        with engine.connect() as connection:
            return outbox.list_messages(connection, status=status_filter, limit=limit)

    messages = _guarded(run)
    if as_json:
        typer.echo(json.dumps([message_json(m) for m in messages], indent=2, default=str))
        return
    table = Table(title="write-back outbox")
    for column in ("message", "kind", "status", "record", "created", "attempts", "dqt version", "error"):
        ids = column in ("message", "record")  # an 8-character prefix is what the other commands accept
        table.add_column(column, no_wrap=ids, min_width=8 if ids else None)
    for m in messages:
        table.add_row(
            m.message_id[:8],
            m.kind,
            m.status + (" (merged)" if m.merged else ""),
            m.record_id[:8],
            m.created_at.isoformat(timespec="seconds"),
            str(m.attempts),
            str(m.dqt_version_after or "-"),
            escape((m.last_error or "-")[:80]),
        )
    console.print(table)


@outbox_app.command("status")
def outbox_status(as_json: _Json = False) -> None:
    """Pending (and the oldest's age), sent, failed, conflicts open."""
    from bridge.config import BridgeSettings, open_engine
    from bridge.writeback import outbox_summary

    summary = _guarded(lambda: outbox_summary(open_engine(BridgeSettings.from_env().database_url)))
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    console.print(_outbox_line(summary), soft_wrap=True)


def _outbox_line(summary: dict[str, Any]) -> str:
    age = summary["oldest_pending_age_seconds"]
    return (
        f"write-back outbox: pending={summary['pending']} oldest pending age (s)={age if age is not None else '-'} "
        f"sent={summary['sent']} failed={summary['failed']} conflicts open={summary['conflicts_open']}"
    )


@outbox_app.command("retry")
def outbox_retry(message_id: Annotated[str, typer.Argument(help="A failed message's id (or unique prefix).")]) -> None:
    """Queue a failed message again (after fixing what DQT refused)."""
    from bridge.config import BridgeSettings, open_engine
    from trs_store import outbox

    def run() -> str:
        engine = open_engine(BridgeSettings.from_env().database_url)
        with engine.begin() as connection:
            found = outbox.find(connection, message_id)
            if found is None:
                raise BridgeError(f"no outbox message {message_id!r} (give its id or a unique prefix)")
            if found.status != "failed":
                raise BridgeError(f"message {found.message_id} is {found.status}, not failed; nothing changed")
            outbox.requeue(connection, found.message_id)
            return found.message_id

    console.print(f"message {_guarded(run)} is pending again")


@app.command()
def relay(
    limit: Annotated[int, typer.Option(min=1, help="At most this many messages per pass.")] = 500,
    follow: Annotated[bool, typer.Option("--follow", help="Keep relaying every --interval seconds.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds an idle relay waits before looking again.")] = 0.5,
    lease_seconds: Annotated[
        float, typer.Option(min=1, help="How long a message being sent is held from other relays (a crashed one's).")
    ] = 300.0,
) -> None:
    """Send the outbox's pending TRS edits to DQT (in order per record, records in parallel)."""
    import datetime as dt

    from bridge.config import BridgeSettings, open_client, open_engine
    from bridge.writeback import Relay

    def run() -> None:
        engine = open_engine(BridgeSettings.from_env().database_url)
        service = Relay(engine, open_client(), lease=dt.timedelta(seconds=lease_seconds))
        while True:
            result = service.run(limit=limit)
            if result.processed or not follow:
                console.print(f"relay: {_relay_line(result)}", soft_wrap=True)
            if not follow:
                return
            if not result.processed:  # after a busy pass look again at once: edits wait for idle polls only
                time.sleep(interval)

    _guarded(run)


@conflicts_app.command("list")
def conflicts_list(
    include_resolved: Annotated[bool, typer.Option("--all", help="Resolved ones too.")] = False,
    as_json: _Json = False,
) -> None:
    """Open write-back conflicts, newest first."""
    from bridge import conflicts
    from bridge.config import BridgeSettings, open_engine

    views = _guarded(
        lambda: conflicts.list_conflicts(
            open_engine(BridgeSettings.from_env().database_url), include_resolved=include_resolved
        )
    )
    if as_json:
        typer.echo(json.dumps([v.as_json() for v in views], indent=2, default=str))
        return
    table = Table(title="write-back conflicts")
    for column in ("conflict", "status", "kind", "record", "fields", "base → dqt version", "created"):
        ids = column in ("conflict", "record")
        table.add_column(column, no_wrap=ids, min_width=8 if ids else None)
    for v in views:
        c = v.conflict
        table.add_row(
            c.conflict_id[:8],
            c.status + (f" ({c.resolution})" if c.resolution else ""),
            v.message.kind if v.message else "-",
            c.record_id[:8],
            ", ".join(c.fields),
            f"{c.base_version} → {c.dqt_version}",
            c.created_at.isoformat(timespec="seconds"),
        )
    console.print(table)


@conflicts_app.command("show")
def conflicts_show(conflict_id: Annotated[str, typer.Argument(help="Its id or a unique prefix.")]) -> None:
    """One conflict: the base, TRS's edit and DQT's current record (JSON)."""
    from bridge import conflicts
    from bridge.config import BridgeSettings, open_engine

    view = _guarded(lambda: conflicts.show(open_engine(BridgeSettings.from_env().database_url), conflict_id))
    typer.echo(json.dumps(view.as_json(), indent=2, default=str))


@conflicts_app.command("resolve")
def conflicts_resolve(
    conflict_id: Annotated[str, typer.Argument(help="Its id or a unique prefix.")],
    keep: Annotated[str, typer.Option("--keep", help="trs: send the TRS edit; dqt: take DQT's values into TRS.")],
    user: _User = None,
) -> None:
    """Resolve a conflict by keeping TRS's edit (sent now, on DQT's version) or DQT's values."""
    from bridge import conflicts
    from bridge.config import BridgeSettings, open_client, open_engine
    from bridge.writeback import relay_pending

    if keep not in ("trs", "dqt"):
        raise _reject("--keep must be trs or dqt")

    def run() -> tuple[Any, Any]:
        engine = open_engine(BridgeSettings.from_env().database_url)
        client = open_client()
        view = conflicts.resolve(engine, client, conflict_id, keep=keep, by=user)
        return view, relay_pending(engine, client) if keep == "trs" else None

    view, relayed = _guarded(run)
    console.print(f"conflict {view.conflict.conflict_id} resolved: kept {keep}", soft_wrap=True)
    if relayed is not None:
        outcome = relayed.outcomes.get(view.conflict.message_id, "not sent yet")
        console.print(f"relay: {outcome} ({_relay_line(relayed)})", soft_wrap=True)


@app.command()
def api(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8080,
) -> None:
    """Serve the write-back JSON HTTP API for the TRS console (bearer token from TRS_BRIDGE_API_TOKEN)."""
    import os

    from bridge.api import Api, make_server
    from bridge.config import BridgeSettings, open_client, open_engine
    from bridge.errors import ConfigError

    def run() -> Any:
        token = os.environ.get("TRS_BRIDGE_API_TOKEN", "")
        if not token:
            raise ConfigError("set TRS_BRIDGE_API_TOKEN (at least 16 characters) to serve the API")
        engine = open_engine(BridgeSettings.from_env().database_url)
        return make_server(Api(engine, token, client_factory=lambda: open_client(check=False)), host, port)

    server = _guarded(run)
    bound_host, bound_port = server.server_address[:2]
    console.print(f"trs-bridge api listening on http://{bound_host}:{bound_port}", soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    finally:
        server.server_close()


routes_app = typer.Typer(help="Routes to professional status.", no_args_is_help=True)
app.add_typer(routes_app, name="routes")


@routes_app.command("report")
def routes_report(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Routes by type and status, and professional-status outcomes by reason (not migrated, failed), from TRS."""
    from bridge.route_report import route_report

    def run() -> Any:
        with _trs_store() as engine:
            return route_report(engine)

    report = _guarded(run)
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
        return
    routes = Table(title=f"Routes: {report.total_routes} for {report.persons_with_routes} persons")
    for column in ("route type", "status", "count"):
        routes.add_column(column, justify="right" if column == "count" else "left")
    for route in report.routes:
        routes.add_row(escape(route.route_type), route.status, str(route.count))
    console.print(routes)
    outcomes = Table(title="Not migrated or failed, by reason")
    for column in ("scope", "reason", "count"):
        outcomes.add_column(column, justify="right" if column == "count" else "left")
    for outcome in report.outcomes:
        outcomes.add_row(outcome.scope, escape(outcome.reason), str(outcome.count))
    console.print(outcomes)


def _writeback_summary() -> dict[str, Any]:
    from bridge.writeback import outbox_summary

    with _trs_store() as engine:
        return outbox_summary(engine)


if __name__ == "__main__":  # pragma: no cover
    app()
