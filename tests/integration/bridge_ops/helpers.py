"""Helpers for the operator commands' tests: run ``trs-bridge``, write DQT through the Web API, read TRS back."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from unittest.mock import patch

import structlog
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from bridge.cli import app
from dataverse_client import DataverseClient
from tests.support.simulator import SimulatorHandle
from trs_store import failed_records
from trs_store.failed_records import FailedRecord
from trs_store.models import metadata

TRS_BRIDGE = str(Path(sys.executable).parent / "trs-bridge")

#: The tables a sync or a backfill fills (compared between the two).
DATA_TABLES = ("persons", "qualifications", "alerts", "previous_names")
#: Columns stamped with the time of the write (they differ between two loads of the same data).
STAMPS = frozenset({"dqt_first_sync", "dqt_last_sync", "dqt_induction_last_sync"})

_TRNS = iter(range(8_100_000, 8_999_999, 13))


def env_for(handle: SimulatorHandle, database_url: str, **extra: str) -> dict[str, str]:
    return {**handle.env(), "TRS_DATABASE_URL": database_url, **extra}


def clean_environ(env: Mapping[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DQT_", "TRS_", "REQUESTS_CA", "CURL_CA"))}
    base.pop("REDIS_URL", None)
    return {**base, **env}


def cli(env: Mapping[str, str], *args: str) -> Any:
    """Run ``trs-bridge`` in this process (typer's runner) with exactly ``env`` for DQT_*/TRS_*.

    The command's own logging set-up is skipped (it would bind structlog to the runner's temporary stderr,
    closed afterwards); while it runs, logs go to the process's real stderr, so ``result.stdout`` holds only
    what the command printed."""
    previous = structlog.get_config()
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.dev.ConsoleRenderer(colors=False)],
        logger_factory=structlog.PrintLoggerFactory(file=sys.__stderr__),
        cache_logger_on_first_use=False,
    )
    try:
        with patch("bridge.logging.configure"):
            return CliRunner().invoke(app, list(args), env=clean_environ(env), catch_exceptions=False)
    finally:
        structlog.configure(**previous)


def cli_process(
    env: Mapping[str, str], *args: str, cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``trs-bridge`` as the operator does: a real process."""
    return subprocess.run(
        [TRS_BRIDGE, *args],
        env=clean_environ(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def new_trn() -> str:
    return f"{next(_TRNS):07d}"


def create_contact(client: DataverseClient, **fields: Any) -> str:
    contact_id = str(uuid.uuid4())
    body = {"firstname": "Opsfirst", "lastname": "Opslast", "dfeta_trn": new_trn(), "birthdate": "1979-03-02", **fields}
    client.create("contacts", body, id=contact_id)
    return contact_id


def _is_stamp(column: str) -> bool:
    return column in STAMPS or column.endswith(("_first_sync", "_last_sync"))


def rows(engine: Engine, table: str, *, drop: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
    """Every row of ``table`` by primary key, without the write-time stamps (and the ``drop`` columns)."""
    target = metadata.tables[table]
    key = target.primary_key.columns.keys()[0]
    dropped = set(drop) | {c.name for c in target.c if _is_stamp(c.name)}
    with engine.connect() as connection:
        return {
            str(r[key]): {k: v for k, v in r.items() if k not in dropped}
            for r in connection.execute(select(target)).mappings()
        }


def row(engine: Engine, table: str, key: str) -> dict[str, Any] | None:
    return rows(engine, table).get(key)


def counts(engine: Engine, *tables: str) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t: int(connection.execute(select(func.count()).select_from(metadata.tables[t])).scalar_one())
            for t in tables
        }


def every_table_count(engine: Engine) -> dict[str, int]:
    return counts(engine, *metadata.tables)


def failures(engine: Engine, *, status: str | None = None) -> list[FailedRecord]:
    with engine.connect() as connection:
        return failed_records.list_failed(connection, status=status)  # type: ignore[arg-type]


def failure(engine: Engine, failed_id: int) -> FailedRecord:
    with engine.connect() as connection:
        found = failed_records.get(connection, failed_id)
    assert found is not None
    return found


def open_failure_for(engine: Engine, dqt_id: str) -> FailedRecord:
    (found,) = [f for f in failures(engine, status="open") if f.dqt_id == dqt_id]
    return found


def event_keys(engine: Engine) -> list[str]:
    table = metadata.tables["events"]
    with engine.connect() as connection:
        return sorted(str(k) for k in connection.execute(select(table.c.key)).scalars())
