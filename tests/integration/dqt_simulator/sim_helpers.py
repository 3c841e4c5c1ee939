"""Helpers for the simulator's own integration tests (imported by their conftest and modules): an
authenticated ``requests`` client that always verifies TLS against the simulator's CA, and small data sets
written as JSON Lines."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import orjson
import requests

from tests.support.simulator import SimulatorHandle

API = "/api/data/v9.2/"


class Api:
    """Talks to one simulator as its application user (fresh token per client)."""

    def __init__(self, handle: SimulatorHandle) -> None:
        self.handle = handle
        self.session = requests.Session()
        self.token = self.fetch_token()

    def fetch_token(self) -> str:
        response = requests.post(
            f"{self.handle.authority}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.handle.client_id,
                "client_secret": self.handle.client_secret,
                "scope": f"{self.handle.base_url}/.default",
            },
            verify=self.handle.ca_bundle,
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def url(self, path: str) -> str:
        if path.startswith("https://"):
            return path
        return f"{self.handle.base_url}{API}{path.lstrip('/')}"

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, auth: bool = True, **kwargs: Any
    ) -> requests.Response:
        merged = {"Accept": "application/json", "OData-Version": "4.0", "OData-MaxVersion": "4.0"}
        if auth:
            merged["Authorization"] = f"Bearer {self.token}"
        merged.update(headers or {})
        return self.session.request(
            method, self.url(path), headers=merged, verify=self.handle.ca_bundle, timeout=60, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def pages(self, path: str, *, prefer: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every page of a collection read, following nextLinks verbatim."""
        pages = []
        response = self.get(path, params=params, headers={"Prefer": prefer})
        while True:
            assert response.status_code == 200, response.text
            body = response.json()
            pages.append(body)
            link = body.get("@odata.nextLink")
            if not link:
                return pages
            response = self.get(link, headers={"Prefer": prefer})


def contact(index: int, **extra: Any) -> dict[str, Any]:
    record = {
        "contactid": str(uuid.UUID(int=index + 1)),
        "firstname": f"First{index:05d}",
        "lastname": ["Smith", "Jones", "Brown", "Taylor"][index % 4],
        "fullname": f"First{index:05d} {['Smith', 'Jones', 'Brown', 'Taylor'][index % 4]}",
        "birthdate": f"19{60 + index % 40}-0{1 + index % 9}-1{index % 10}",
        "gendercode": [1, 2, 389040000][index % 3],
        "dfeta_trn": f"{1000000 + index}",
        "statecode": 0,
        "statuscode": 1,
        "modifiedon": "2024-01-01T00:00:00Z",
    }
    record.update(extra)
    return record


def write_jsonl(directory: Path, entity_set: str, rows: list[dict[str, Any]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{entity_set}.jsonl").open("wb") as handle:
        for row in rows:
            handle.write(orjson.dumps(row) + b"\n")
