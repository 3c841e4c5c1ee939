"""Start a local ``dqt-sim`` process and hand back what a client needs to reach it.

Used by ``make demo``, the benchmarks and the tests. The simulator runs as its own process (as
production DQT is another machine), over real TLS with a CA it generates into ``cert_dir``. Readiness is
signalled by the ``--ready-file`` JSON it writes once it is listening, so callers never sleep-and-hope.
This launches a command; it does not import the simulator, which stays outside the bridge's layers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from dataverse_client import DataverseSettings


@dataclass
class SimulatorHandle:
    """A running simulator: where it listens, the credentials it accepts, and the CA that signs it."""

    base_url: str  # https://127.0.0.1:PORT (no trailing slash); Web API root is base_url + "/api/data/v9.2/"
    authority: str  # https://127.0.0.1:PORT/<tenant_id>
    tenant_id: str
    client_id: str
    client_secret: str
    ca_bundle: str  # path to the PEM of the simulator's CA
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path = field(repr=False, default=Path("/dev/null"))

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/data/v9.2/"

    @property
    def admin_url(self) -> str:
        return f"{self.base_url}/_sim"

    def env(self) -> dict[str, str]:
        """The DQT_* environment a client needs, exactly what ``dqt-sim env`` prints."""
        return {
            "DQT_BASE_URL": self.base_url,
            "DQT_AUTHORITY": self.authority,
            "DQT_TENANT_ID": self.tenant_id,
            "DQT_CLIENT_ID": self.client_id,
            "DQT_CLIENT_SECRET": self.client_secret,
            "DQT_CA_BUNDLE": self.ca_bundle,
        }

    def admin(self, method: str, path: str, json_body: Any = None) -> Any:
        """Call an admin endpoint under ``/_sim/`` (faults, limits, request log, clock, reset)."""
        response = requests.request(
            method, f"{self.admin_url}/{path.lstrip('/')}", json=json_body, verify=self.ca_bundle, timeout=30
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def settings(self) -> DataverseSettings:
        """Settings for the bridge's Dataverse client pointed at this simulator."""
        return DataverseSettings(
            base_url=self.base_url,
            tenant_id=self.tenant_id,
            client_id=self.client_id,
            client_secret=self.client_secret,
            authority=self.authority,
            ca_bundle=self.ca_bundle,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def generate_data(out_dir: Path, persons: int, seed: int) -> bool:
    """Generate ``persons`` DQT persons into ``out_dir`` with ``dqt-sim generate`` unless already there.
    Returns whether it generated (a marker file records a complete run)."""
    marker = out_dir / f".generated-{persons}-{seed}"
    if marker.exists():
        return False
    subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "dqt_simulator.cli",
            "generate",
            "--persons",
            str(persons),
            "--seed",
            str(seed),
            "--out",
            str(out_dir),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    marker.touch()
    return True


def start_simulator(
    work_dir: Path,
    *,
    data_dir: Path | None = None,
    extra_args: tuple[str, ...] = (),
    timeout: float = 120.0,
) -> SimulatorHandle:
    """Start ``dqt-sim serve`` on a free port and wait until it answers."""
    work_dir.mkdir(parents=True, exist_ok=True)
    ready_file = work_dir / "ready.json"
    ready_file.unlink(missing_ok=True)
    log_path = work_dir / "simulator.log"
    args = [
        sys.executable,
        "-m",
        "dqt_simulator.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--cert-dir",
        str(work_dir / "certs"),
        "--ready-file",
        str(ready_file),
    ]
    if data_dir is not None:
        args += ["--data", str(data_dir)]
    args += list(extra_args)
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)  # noqa: S603 - fixed argv
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dqt-sim exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        if ready_file.exists():
            try:
                info = json.loads(ready_file.read_text())
            except json.JSONDecodeError:
                time.sleep(0.05)
                continue
            return SimulatorHandle(
                base_url=info["base_url"],
                authority=info["authority"],
                tenant_id=info["tenant_id"],
                client_id=info["client_id"],
                client_secret=info["client_secret"],
                ca_bundle=info["ca_bundle"],
                process=process,
                log_path=log_path,
            )
        time.sleep(0.05)
    process.kill()
    raise TimeoutError(f"dqt-sim did not become ready in {timeout}s:\n{log_path.read_text()[-4000:]}")
