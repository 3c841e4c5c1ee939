"""``trs-bridge`` as an operator runs it: a real subprocess, configured only through the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.integration.bridge.conftest import PgServer, Store
from tests.integration.bridge.helpers import journal_entries, read_jsonl, rows
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration

TRS_BRIDGE = str(Path(sys.executable).parent / "trs-bridge")
REPO_ROOT = Path(__file__).resolve().parents[3]


def run_cli(env: Mapping[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``trs-bridge`` with exactly ``env`` on top of a clean environment (no DQT_*/TRS_* leaking in)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DQT_", "TRS_", "REQUESTS_CA", "CURL_CA"))}
    return subprocess.run(
        [TRS_BRIDGE, *args], env={**base, **env}, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new database that has never been migrated, once per engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create()
    yield url
    server.drop(url)


def test_upgrade_sync_and_status_from_the_command_line(
    empty_url: str, tmp_path: Path, dqt_data: Path, loaded_simulator: SimulatorHandle
) -> None:
    # Given DQT's settings and a TRS database URL in the environment, and a database never migrated
    env = {**loaded_simulator.env(), "TRS_DATABASE_URL": empty_url, "TRS_BRIDGE_PAGE_SIZE": "100"}

    # When the operator migrates it, syncs the person feed once, and asks for the status as JSON
    upgraded = run_cli(env, "db", "upgrade", cwd=tmp_path)
    synced = run_cli(env, "sync", "--once", "--entity", "person", cwd=tmp_path)
    status = run_cli(env, "status", "--json", cwd=tmp_path)

    # Then each command succeeded
    for result in (upgraded, synced, status):
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Traceback" not in result.stderr
    assert "newest schema" in upgraded.stdout
    # And the sync reported the person feed only, with every contact seen in pages of 100
    contacts = read_jsonl(dqt_data / "contacts.jsonl")
    (summary,) = [line for line in synced.stdout.splitlines() if line.strip()]
    assert summary.split()[0] == "person"
    assert f"seen={len(contacts)}" in summary
    assert "pages=3" in summary
    # And the status shows the person feed following DQT with its rows, and the others never synced
    feeds = {f["feed"]: f for f in json.loads(status.stdout)["feeds"]}
    from trs_store import make_engine

    engine = make_engine(empty_url)
    try:
        persons = rows(engine, "persons")
        assert journal_entries(engine)["contacts"].delta_link
    finally:
        engine.dispose()
    assert feeds["person"]["state"] == "following"
    assert feeds["person"]["rows"] == len(persons) > 0
    assert feeds["person"]["failed_open"] == len(contacts) - len(persons)
    assert feeds["person"]["last_run_outcome"] == "succeeded"
    assert feeds["person"]["token_age_seconds"] is not None
    assert {f["state"] for name, f in feeds.items() if name != "person"} == {"never-synced"}


def _assert_one_clear_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert line.startswith("error: ")
    for text in expected:
        assert text in line, line
    return line


@pytest.fixture
def cli_env(simulator: SimulatorHandle, new_store: Callable[[str], Store]) -> dict[str, str]:
    """A working configuration (the shared simulator, a migrated SQLite store) for a test to break."""
    return {**simulator.env(), "TRS_DATABASE_URL": new_store("sqlite").url}


def test_missing_client_secret_is_one_clear_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    # Given a configuration without DQT_CLIENT_SECRET
    env = cli_env
    del env["DQT_CLIENT_SECRET"]

    # When the operator syncs
    result = run_cli(env, "sync", "--once", cwd=tmp_path)

    # Then one line names the missing setting, with exit code 2
    _assert_one_clear_line(result, "DQT_CLIENT_SECRET")


def test_wrong_client_secret_is_one_clear_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    # Given a client secret DQT's authority rejects
    env = cli_env
    env["DQT_CLIENT_SECRET"] = "not-the-secret-0123456789"

    # When the operator syncs
    result = run_cli(env, "sync", "--once", "--entity", "person", cwd=tmp_path)

    # Then one line says the credentials were rejected, without echoing the secret, with exit code 2
    _assert_one_clear_line(result, "credentials")
    assert "not-the-secret" not in result.stderr + result.stdout


@pytest.mark.parametrize("command", [("sync", "--once"), ("status",), ("db", "upgrade")])
def test_unreachable_database_is_one_clear_line(
    cli_env: dict[str, str], tmp_path: Path, command: tuple[str, ...]
) -> None:
    # Given a database URL nothing answers at
    env = cli_env
    env["TRS_DATABASE_URL"] = "postgresql://postgres@127.0.0.1:9/trs"

    # When the operator runs a command that needs the database
    result = run_cli(env, *command, cwd=tmp_path)

    # Then one line says the database cannot be reached, with exit code 2
    _assert_one_clear_line(result, "database")
