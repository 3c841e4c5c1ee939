"""``make demo``: the main job on the embedded default, against a local DQT simulator.

Until the sync lands, the demo shows the foundation working end to end: it generates DQT-shaped data,
starts the simulator with it over HTTPS, reads every entity set back through the Dataverse client page by
page, and makes one change-tracking round trip (initial read → update in DQT → delta with that change).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bridge.local_simulator import SimulatorHandle, start_simulator
from dataverse_client import DataverseClient, DataverseSettings

#: Entity sets the demo reads, in the sync's dependency order (reference data first).
DEMO_ENTITY_SETS = (
    "dfeta_mqestablishments",
    "dfeta_specialisms",
    "dfeta_sanctioncodes",
    "contacts",
    "dfeta_qualifications",
    "dfeta_sanctions",
    "dfeta_inductions",
    "dfeta_previousnames",
)


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


def _read_all(client: DataverseClient, console: Console) -> None:
    table = Table(title="Read from DQT through the Dataverse client (pages of 500)")
    for column in ("entity set", "rows", "pages", "seconds", "rows/s"):
        table.add_column(column, justify="right" if column != "entity set" else "left")
    for entity_set in DEMO_ENTITY_SETS:
        started = time.perf_counter()
        rows = pages = 0
        for page in client.query(entity_set, page_size=500):
            rows += len(page.records)
            pages += 1
        elapsed = time.perf_counter() - started
        table.add_row(entity_set, f"{rows:,}", str(pages), f"{elapsed:.2f}", f"{rows / elapsed:,.0f}")
    console.print(table)


def _change_tracking_round_trip(client: DataverseClient, console: Console) -> None:
    select = ["dfeta_trn", "statecode"]
    delta_link = None
    initial = 0
    for page in client.changes("contacts", select=select, page_size=5000):
        initial += len(page.records)
        delta_link = page.delta_link or delta_link
    console.print(f"Change tracking: initial read returned {initial:,} contacts and a deltaLink.")
    first = next(iter(client.query("contacts", select=["contactid", "dfeta_trn"], top=1))).records[0]
    client.update("contacts", first["contactid"], {"statecode": 1, "statuscode": 2})
    changed = [r for page in client.changes("contacts", select=select, delta_link=delta_link) for r in page.records]
    console.print(
        f"Deactivated TRN {first.get('dfeta_trn')} in DQT; the delta returned {len(changed)} change(s): "
        + ", ".join(f"TRN {r.get('dfeta_trn')} statecode={r.get('statecode')}" for r in changed)
    )


def run_demo(work_dir: Path, persons: int) -> int:
    console = Console()
    data_dir = work_dir / "dqt"
    _generate(data_dir, persons, console)
    console.print("Starting the DQT simulator (HTTPS, Entra authority + Dataverse Web API) …")
    handle = start_simulator(work_dir / "sim", data_dir=data_dir)
    try:
        console.print(f"DQT simulator at {handle.base_url}, CA {handle.ca_bundle}")
        client = DataverseClient(settings_for(handle))
        _read_all(client, console)
        _change_tracking_round_trip(client, console)
    finally:
        handle.stop()
    console.print("[green]Demo finished.[/green]")
    return 0


def main() -> None:
    raise SystemExit(run_demo(Path("demo-data"), persons=2000))


if __name__ == "__main__":
    main()
