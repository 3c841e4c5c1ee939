"""How fast the simulator serves pages: the drain ceiling every backfill figure is compared against.

Reads all contacts in pages of 5,000 over TLS, following ``@odata.nextLink``, twice: once with bare
``requests`` + orjson (the ceiling: read and decode only), once through ``DataverseClient.query`` (what the
bridge pays). Both are sequential single clients, as a backfill shard is.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import requests

from bridge.local_simulator import SimulatorHandle
from dataverse_client import DataverseClient

PAGE_SIZE = 5000


def _token(handle: SimulatorHandle) -> str:
    response = requests.post(
        f"{handle.authority}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": handle.client_id,
            "client_secret": handle.client_secret,
            "scope": f"{handle.base_url}/.default",
        },
        verify=handle.ca_bundle,
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def drain_raw(handle: SimulatorHandle, entity_set: str = "contacts") -> dict[str, Any]:
    session = requests.Session()
    session.headers.update(
        {
            "Authorization": f"Bearer {_token(handle)}",
            "Accept": "application/json",
            "OData-Version": "4.0",
            "OData-MaxVersion": "4.0",
            "Prefer": f"odata.maxpagesize={PAGE_SIZE}",
        }
    )
    url: str | None = f"{handle.api_url}{entity_set}"
    rows = pages = nbytes = 0
    started = time.perf_counter()
    while url:
        response = session.get(url, verify=handle.ca_bundle, timeout=120)
        response.raise_for_status()
        nbytes += len(response.content)
        body = orjson.loads(response.content)
        rows += len(body["value"])
        pages += 1
        url = body.get("@odata.nextLink")
    elapsed = time.perf_counter() - started
    return {
        "rows": rows,
        "pages": pages,
        "seconds": round(elapsed, 3),
        "rows_per_s": round(rows / elapsed),
        "mb_per_s": round(nbytes / elapsed / 1e6, 1),
    }


def drain_client(handle: SimulatorHandle, entity_set: str = "contacts") -> dict[str, Any]:
    client = DataverseClient(handle.settings())
    rows = pages = 0
    started = time.perf_counter()
    for page in client.query(entity_set, page_size=PAGE_SIZE):
        rows += len(page.records)
        pages += 1
    elapsed = time.perf_counter() - started
    return {"rows": rows, "pages": pages, "seconds": round(elapsed, 3), "rows_per_s": round(rows / elapsed)}


def run(handle: SimulatorHandle, data_dir: Path) -> dict[str, Any]:
    raw = drain_raw(handle)
    via_client = drain_client(handle)
    return {
        "name": "simulator page serving (contacts, pages of 5,000, TLS, one sequential client)",
        "raw_requests": raw,
        "dataverse_client": via_client,
        "client_over_raw": round(via_client["rows_per_s"] / raw["rows_per_s"], 3),
    }
