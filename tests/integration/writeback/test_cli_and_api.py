"""Write-back as operators and the TRS console use it: ``trs-bridge edit|outbox|conflicts|status`` as real
subprocesses, and the bearer-token JSON HTTP API."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bridge.api import Api, make_server
from bridge.errors import BridgeError
from dataverse_client import DataverseClient
from mappings.reference.trs import PLYMOUTH
from tests.integration.bridge.conftest import Store
from tests.integration.writeback.conftest import World

pytestmark = pytest.mark.integration

TRS_BRIDGE = str(Path(sys.executable).parent / "trs-bridge")
TOKEN = "test-token-0123456789abcdef"


def cli(world: World, store: Store, *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DQT_", "TRS_", "REQUESTS_CA", "CURL_CA"))}
    env = {**base, **world.sim.env(), "TRS_DATABASE_URL": store.url}
    return subprocess.run(
        [TRS_BRIDGE, *args], env=env, capture_output=True, text=True, timeout=120, check=False, cwd=Path.cwd()
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return result.stdout


def test_cli_edits_list_and_status(world: World, store: Store) -> None:
    person_id, mq_id = world.person_with_mq()
    trn = world.trs("persons", person_id)["trn"]

    # An MQ edit from the command line, sent at once, as a named user
    out = ok(cli(world, store, "edit", "mq", "update", mq_id, "--status", "passed", "--end-date", "2021-07-01",
                 "--provider", PLYMOUTH.name, "--user", "ops@example.org", "--send"))  # fmt: skip
    assert "mq_update queued for DQT" in out
    assert "relay: sent" in out
    assert world.dqt_mq(mq_id)["dfeta_mq_status"] == 389040004
    # A name edit, queued for the relay
    out = ok(cli(world, store, "edit", "name", "--trn", trn, "--first", "Nia", "--middle", "Rose"))
    assert "name_change queued for DQT" in out
    # An invalid edit: one clear line, exit 2, nothing stored
    rejected = cli(world, store, "edit", "name", "--trn", trn, "--last", "   ")
    assert rejected.returncode == 2
    assert "last must not be empty" in rejected.stderr
    assert "Traceback" not in rejected.stderr
    rejected = cli(world, store, "edit", "mq", "create", "--trn", trn, "--provider", "Bristol Polytechnic",
                   "--specialism", "visual", "--start-date", "2020-01-01", "--status", "in-progress")  # fmt: skip
    assert rejected.returncode == 2
    assert "provider is not a current MQ provider" in rejected.stderr
    assert len(world.messages()) == 2

    # The outbox, as a table, as JSON and filtered; the status line
    listed = json.loads(ok(cli(world, store, "outbox", "list", "--json")))
    assert [(m["kind"], m["status"]) for m in listed] == [("name_change", "pending"), ("mq_update", "sent")]
    assert listed[1]["raised_by"] == "ops@example.org"
    assert [
        m["kind"] for m in json.loads(ok(cli(world, store, "outbox", "list", "--status", "pending", "--json")))
    ] == ["name_change"]
    assert listed[0]["message_id"][:8] in ok(cli(world, store, "outbox", "list"))
    summary = json.loads(ok(cli(world, store, "outbox", "status", "--json")))
    assert (summary["pending"], summary["sent"], summary["failed"], summary["conflicts_open"]) == (1, 1, 0, 0)
    assert summary["oldest_pending_age_seconds"] >= 0
    assert "write-back outbox: pending=1" in ok(cli(world, store, "status"))
    # The relay command sends the rest
    assert "sent=1" in ok(cli(world, store, "relay"))
    assert world.dqt_contact(person_id)["middlename"] == "Rose"


def test_cli_conflicts_list_show_and_resolve(world: World, store: Store) -> None:
    _, mq_id = world.person_with_mq()
    world.edits.update_mq(mq_id, status=5)
    world.dqt_edit("dfeta_qualifications", mq_id, {"dfeta_mq_status": 389040001})
    world.relay()

    (listed,) = json.loads(ok(cli(world, store, "conflicts", "list", "--json")))
    assert listed["fields"][0] == "mq_status"
    assert listed["record_id"] == mq_id
    assert listed["conflict_id"][:8] in ok(cli(world, store, "conflicts", "list"))
    shown = json.loads(ok(cli(world, store, "conflicts", "show", listed["conflict_id"][:8])))
    assert shown["dqt_record"]["dfeta_mq_status"] == 389040001
    assert (shown["base"]["mq_status"], shown["trs"]["mq_status"], shown["dqt"]["mq_status"]) == (0, 5, 2)
    summary = json.loads(ok(cli(world, store, "outbox", "status", "--json")))
    assert summary["conflicts_open"] == 1

    bad = cli(world, store, "conflicts", "resolve", listed["conflict_id"], "--keep", "both")
    assert bad.returncode == 2
    out = ok(cli(world, store, "conflicts", "resolve", listed["conflict_id"], "--keep", "trs", "--user", "ops"))
    assert "kept trs" in out
    assert "relay: sent" in out
    assert world.dqt_mq(mq_id)["dfeta_mq_status"] == 389040005
    again = cli(world, store, "conflicts", "resolve", listed["conflict_id"], "--keep", "dqt")
    assert again.returncode == 2
    assert "already resolved" in again.stderr


@pytest.fixture
def api_url(world: World) -> Iterator[str]:
    clients: list[DataverseClient] = []

    def factory() -> DataverseClient:
        client = DataverseClient(world.sim.settings())
        clients.append(client)
        return client

    server = make_server(Api(world.engine, TOKEN, client_factory=factory), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()
    for client in clients:
        client.close()


def call(url: str, method: str, path: str, body: Any = None, token: str | None = TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, url + path, json=body, headers=headers, timeout=30)


def test_http_api_requires_the_bearer_token(world: World, api_url: str) -> None:
    assert call(api_url, "GET", "/health", token=None).json() == {"status": "ok"}
    assert call(api_url, "GET", "/v1/outbox", token=None).status_code == 401
    assert call(api_url, "GET", "/v1/outbox", token="wrong-token-0123456789").status_code == 401
    assert call(api_url, "GET", "/v1/outbox").json() == []
    assert call(api_url, "GET", "/v1/nothing").status_code == 404
    assert call(api_url, "PUT", "/v1/outbox").status_code in (404, 501)
    with pytest.raises(BridgeError, match="at least 16"):
        Api(world.engine, "short")


def test_http_api_edits_round_trip(world: World, api_url: str) -> None:
    person_id, mq_id = world.person_with_mq()
    trn = world.trs("persons", person_id)["trn"]
    user = {"user": "console-user", "caller_object_id": "11111111-2222-4333-8444-555555555555"}

    renamed = call(api_url, "POST", f"/v1/persons/{trn}/name", {"last": "Okafor", **user})
    assert renamed.status_code == 202, renamed.text
    assert renamed.json()["kind"] == "name_change"
    created = call(
        api_url,
        "POST",
        f"/v1/persons/{trn}/mqs",
        {"provider": PLYMOUTH.id, "specialism": "visual", "start_date": "2023-01-09", "status": "in-progress", **user},
    )
    assert created.status_code == 202, created.text
    updated = call(api_url, "PATCH", f"/v1/mqs/{mq_id}", {"status": "passed", "end_date": "2022-06-30", **user})
    assert updated.status_code == 202, updated.text
    deleted = call(api_url, "DELETE", f"/v1/mqs/{created.json()['record_id']}", user)
    assert deleted.status_code == 202, deleted.text

    # Rejected edits: 400 naming the field, 404 for what does not exist; nothing stored
    invalid = call(api_url, "PATCH", f"/v1/mqs/{mq_id}", {"status": "deferred", "end_date": "2022-06-30"})
    assert invalid.status_code == 400
    assert invalid.json()["field"] == "end_date"
    assert call(api_url, "POST", f"/v1/persons/{trn}/name", {"first": ""}).json()["field"] == "first"
    assert call(api_url, "POST", f"/v1/persons/{trn}/name", {"nickname": "x"}).json()["field"] == "nickname"
    assert call(api_url, "POST", "/v1/persons/0000000/name", {"first": "A"}).status_code == 404
    assert call(api_url, "PATCH", f"/v1/mqs/{person_id}", {"status": "failed"}).status_code == 404
    assert call(api_url, "POST", f"/v1/persons/{trn}/name", [1, 2]).status_code == 400

    messages = call(api_url, "GET", "/v1/outbox?status=pending").json()
    assert [m["kind"] for m in messages] == ["mq_delete", "mq_update", "mq_create", "name_change"]
    assert {m["raised_by"] for m in messages} == {"console-user"}
    assert world.relay().sent == 4
    assert world.dqt_contact(person_id)["lastname"] == "Okafor"
    assert world.dqt_contact(person_id)["_modifiedby_value"] == user["caller_object_id"]
    assert world.dqt_mq(created.json()["record_id"])["statecode"] == 1
    one = call(api_url, "GET", f"/v1/outbox/{messages[0]['message_id']}").json()
    assert one["status"] == "sent"


def test_http_api_conflicts(world: World, api_url: str) -> None:
    _, mq_id = world.person_with_mq()
    world.edits.update_mq(mq_id, start_date=dt.date(2019, 9, 2))
    world.dqt_edit("dfeta_qualifications", mq_id, {"dfeta_mqstartdate": "2019-10-01T00:00:00Z"})
    world.relay()

    (conflict,) = call(api_url, "GET", "/v1/conflicts").json()
    assert call(api_url, "GET", f"/v1/conflicts/{conflict['conflict_id']}").json()["fields"] == ["start_date"]
    assert call(api_url, "POST", f"/v1/conflicts/{conflict['conflict_id']}/resolve", {"keep": "x"}).status_code == 400
    resolved = call(api_url, "POST", f"/v1/conflicts/{conflict['conflict_id']}/resolve", {"keep": "dqt", "user": "u"})
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolution"] == "dqt"
    assert str(world.trs("qualifications", mq_id)["start_date"]) == "2019-10-01"
    assert call(api_url, "GET", "/v1/conflicts").json() == []
    assert len(call(api_url, "GET", "/v1/conflicts?all=1").json()) == 1
