"""The CLI contract that needs no running server: ``dqt-sim env``."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from dqt_simulator.cli import build_parser
from dqt_simulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID


def test_env_prints_eval_able_exports(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dqt_simulator.cli", "env", "--port", "8443", "--cert-dir", str(tmp_path / "my certs")],
        capture_output=True,
        text=True,
        check=True,
    )
    env = {}
    for line in result.stdout.strip().splitlines():
        assert line.startswith("export ")
        name, _, value = line[len("export ") :].partition("=")
        env[name] = shlex.split(value)[0]
    assert env == {
        "DQT_BASE_URL": "https://127.0.0.1:8443",
        "DQT_AUTHORITY": f"https://127.0.0.1:8443/{DEFAULT_TENANT_ID}",
        "DQT_TENANT_ID": DEFAULT_TENANT_ID,
        "DQT_CLIENT_ID": DEFAULT_CLIENT_ID,
        "DQT_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        "DQT_CA_BUNDLE": str((tmp_path / "my certs" / "ca.pem").resolve()),
    }


def test_serve_flags_parse() -> None:
    args = build_parser().parse_args(
        [
            "serve",
            "--cert-dir",
            "c",
            "--fault-429",
            "0.1",
            "--retry-after",
            "2",
            "--requests-per-window",
            "10",
            "--disable-change-tracking",
            "contacts",
        ]
    )
    assert (args.fault_429, args.retry_after, args.requests_per_window, args.window_seconds) == (0.1, 2, 10, 300)
    assert args.concurrency_limit == 52
    assert args.disable_change_tracking == ["contacts"]
