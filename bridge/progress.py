"""A terminal progress bar for backfills (rich): rows, rows/s, estimated total, ETA and failures.

Used by ``trs-bridge backfill`` and ``make demo`` when stdout is a terminal; elsewhere the backfill logs
``backfill_progress`` lines instead (:class:`bridge.backfill.LogProgress`).
"""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from bridge.backfill import BackfillProgress, LogProgress, NoProgress, ProgressListener


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


class RichProgress:
    """One bar per backfill run. Its total is the estimated row count (rows read ÷ share of the key space read),
    refined on every page; rows/s and the ETA count only rows read by this process."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TextColumn("{task.fields[rows]} rows"),
            TextColumn("{task.fields[rate]}/s"),
            TextColumn("ETA {task.fields[eta]}"),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            refresh_per_second=8,
        )
        self._task: TaskID | None = None
        self._lock = threading.Lock()

    def on_start(self, progress: BackfillProgress) -> None:
        with self._lock:
            self._progress.start()
            self._task = self._progress.add_task(progress.label, total=1000, **self._fields(progress))
        self.on_page(progress)

    def on_page(self, progress: BackfillProgress) -> None:
        with self._lock:
            if self._task is None:
                return
            self._progress.update(self._task, completed=round(1000 * progress.fraction), **self._fields(progress))

    def on_finish(self, progress: BackfillProgress) -> None:
        self.on_page(progress)
        with self._lock:
            self._progress.stop()
            self._task = None

    @staticmethod
    def _fields(progress: BackfillProgress) -> dict[str, Any]:
        counts = progress.counts
        total = progress.estimated_total
        rows = f"{counts.seen:,}" + (f"/~{total:,}" if total and not progress.finished else "")
        return {
            "rows": rows,
            "rate": f"{progress.rate:,.0f}",
            "eta": "done" if progress.finished else _duration(progress.eta_seconds),
            "failed": f"{counts.failed:,}",
        }


def listener_for(console: Console, *, quiet: bool = False) -> ProgressListener:
    """A rich bar on a terminal, structured log lines otherwise, nothing when ``quiet``."""
    if quiet:
        return NoProgress()
    return RichProgress(console) if console.is_terminal else LogProgress()
