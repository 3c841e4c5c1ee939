"""$batch over the wire: change sets with Content-ID references, atomic rollback, continue-on-error."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sim_helpers import Api

pytestmark = pytest.mark.integration

CRLF = "\r\n"


def _part(method: str, url: str, body: dict[str, object] | None = None, content_id: str | None = None) -> str:
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id:
        lines.append(f"Content-ID: {content_id}")
    lines += ["", f"{method} {url} HTTP/1.1"]
    if body is not None:
        lines += ["Content-Type: application/json; type=entry", "", json.dumps(body)]
    else:
        lines += [""]
    return CRLF.join(lines) + CRLF


def _batch(items: list[str | list[str]]) -> tuple[str, bytes]:
    boundary = f"batch_{uuid.uuid4()}"
    chunks = []
    for item in items:
        if isinstance(item, list):
            cs = f"changeset_{uuid.uuid4()}"
            inner = "".join(f"--{cs}{CRLF}{p}" for p in item) + f"--{cs}--{CRLF}"
            chunks.append(f'--{boundary}{CRLF}Content-Type: multipart/mixed; boundary="{cs}"{CRLF}{CRLF}{inner}')
        else:
            chunks.append(f"--{boundary}{CRLF}{item}")
    return boundary, ("".join(chunks) + f"--{boundary}--{CRLF}").encode()


def _send(api: Api, items: list[str | list[str]], prefer: str | None = None) -> tuple[int, str, list[tuple[int, str]]]:
    boundary, body = _batch(items)
    headers = {"Content-Type": f"multipart/mixed; boundary={boundary}"}
    if prefer:
        headers["Prefer"] = prefer
    response = api.post("$batch", data=body, headers=headers)
    content_type = response.headers["Content-Type"]
    assert content_type.startswith("multipart/mixed; boundary=batchresponse_")
    statuses = [(int(m.group(1)), m.group(0)) for m in re.finditer(r"HTTP/1\.1 (\d{3})[^\r\n]*", response.text)]
    return response.status_code, response.text, statuses


def test_change_set_with_content_id_reference(api: Api) -> None:
    person = str(uuid.uuid4())
    absolute = f"{api.handle.base_url}/api/data/v9.2/dfeta_qualifications"
    status, text, statuses = _send(
        api,
        [
            _part("GET", "dfeta_specialisms?$select=dfeta_name&$top=2"),
            [
                _part("POST", "/api/data/v9.2/contacts", {"contactid": person, "firstname": "Batch"}, "1"),
                _part("POST", absolute, {"dfeta_PersonId@odata.bind": "$1", "dfeta_type": 389040002}, "2"),
                _part("PATCH", "$1", {"lastname": "Ref"}, "3"),
            ],
        ],
    )
    assert status == 200
    assert [s for s, _ in statuses] == [200, 204, 204, 204]
    assert "changesetresponse_" in text
    assert re.search(r"Content-ID: 2\r\n", text)
    assert api.get(f"contacts({person})").json()["lastname"] == "Ref"
    quals = api.get("dfeta_qualifications", params={"$filter": f"_dfeta_personid_value eq {person}"}).json()["value"]
    assert len(quals) == 1


def test_failed_change_set_rolls_back_every_part(api: Api) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    status, text, statuses = _send(
        api,
        [
            [
                _part("POST", "contacts", {"contactid": first, "firstname": "Kept?"}, "1"),
                _part("PATCH", f"contacts({first})", {"lastname": "Changed"}, "2"),
                _part("POST", "contacts", {"contactid": second, "dfeta_trn": "much too long"}, "3"),
            ],
            _part("GET", "WhoAmI"),
        ],
    )
    assert status == 400
    assert [s for s, _ in statuses] == [400]
    assert "0x80044331" in text
    assert api.get(f"contacts({first})").status_code == 404
    audit = api.handle.admin("GET", f"audit?entity_set=contacts&id={first}")
    assert audit == []


def test_continue_on_error(api: Api) -> None:
    good = str(uuid.uuid4())
    status, text, statuses = _send(
        api,
        [
            _part("DELETE", f"contacts({uuid.uuid4()})"),
            [_part("POST", "contacts", {"contactid": good, "firstname": "After"}, "1")],
            _part("GET", f"contacts({good})?$select=firstname"),
        ],
        prefer="odata.continue-on-error",
    )
    assert status == 200
    assert [s for s, _ in statuses] == [404, 204, 200]
    assert '"firstname":"After"' in text


def test_stop_at_first_failure_without_continue_on_error(api: Api) -> None:
    never = str(uuid.uuid4())
    status, _, statuses = _send(
        api,
        [
            _part("DELETE", f"contacts({uuid.uuid4()})"),
            [_part("POST", "contacts", {"contactid": never, "firstname": "Never"}, "1")],
        ],
    )
    assert status == 404
    assert [s for s, _ in statuses] == [404]
    assert api.get(f"contacts({never})").status_code == 404


def test_malformed_batch_is_a_400(api: Api) -> None:
    response = api.post("$batch", data=b"garbage", headers={"Content-Type": "multipart/mixed; boundary=x"})
    assert response.status_code == 400
    assert api.post("$batch", data=b"x", headers={"Content-Type": "application/json"}).status_code == 400
