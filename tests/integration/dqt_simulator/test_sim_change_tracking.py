"""Change tracking: the initial read, delta reads, deletes, snapshots, refused options and expiry."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from sim_helpers import Api, contact, write_jsonl

pytestmark = pytest.mark.integration

TRACK = "odata.track-changes"


def _initial(api: Api, prefer: str = TRACK, select: str = "firstname,lastname") -> list[dict[str, Any]]:
    return api.pages("contacts", prefer=prefer, params={"$select": select})


def _rows(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for page in pages for row in page["value"]]


@pytest.fixture
def tracked(fresh_api: Callable[..., Api], tmp_path: Path) -> Api:
    write_jsonl(tmp_path / "data", "contacts", [contact(i) for i in range(25)])
    return fresh_api(data_dir=tmp_path / "data")


def test_initial_read_returns_everything_with_a_delta_link_on_the_last_page(tracked: Api) -> None:
    first = tracked.get(
        "contacts", params={"$select": "firstname"}, headers={"Prefer": f"{TRACK},odata.maxpagesize=10"}
    )
    assert first.headers["Preference-Applied"].split(",")[0] == TRACK
    pages = _initial(tracked, f"{TRACK},odata.maxpagesize=10")
    assert [len(p["value"]) for p in pages] == [10, 10, 5]
    assert all("@odata.deltaLink" not in p for p in pages[:-1])
    delta_link = pages[-1]["@odata.deltaLink"]
    assert delta_link.startswith(f"{tracked.handle.base_url}/api/data/v9.2/contacts?")
    query = dict(parse_qsl(urlsplit(delta_link).query))
    assert query["$select"] == "firstname,lastname"
    assert re.fullmatch(r"\d+!\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", query["$deltatoken"])
    assert "%21" in delta_link, "the token is URL-encoded in the link"


def test_delta_reports_current_state_then_deletes(tracked: Api) -> None:
    delta_link = _initial(tracked)[-1]["@odata.deltaLink"]
    created = tracked.post("contacts", json={"firstname": "New", "lastname": "Person"})
    new_id = created.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")
    ids = [contact(i)["contactid"] for i in range(5)]
    changed = tracked.patch(f"contacts({ids[0]})", json={"firstname": "Changed"}, headers={"If-Match": "*"})
    assert changed.status_code == 204
    assert tracked.patch(f"contacts({ids[1]})", json={"lastname": "Once"}).status_code == 204
    assert tracked.patch(f"contacts({ids[0]})", json={"firstname": "Twice"}).status_code == 204
    assert tracked.delete(f"contacts({ids[2]})").status_code == 204
    temp = tracked.post("contacts", json={"firstname": "Temp"}).headers["OData-EntityId"]
    temp_id = temp.rsplit("(", 1)[1].rstrip(")")
    assert tracked.delete(temp).status_code == 204
    assert tracked.patch(f"contacts({ids[3]})", json={"lastname": "AfterDelete"}).status_code == 204

    response = tracked.get(delta_link)
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"].endswith("$metadata#contacts(firstname,lastname,contactid)/$delta")
    rows = body["value"]
    upserts = [r for r in rows if "reason" not in r]
    deletes = [r for r in rows if r.get("reason") == "deleted"]
    assert rows == upserts + deletes, "new/updated rows first, then deletes"
    assert [r["contactid"] for r in upserts] == [new_id, ids[1], ids[0], ids[3]]
    versions = [int(r["@odata.etag"][3:-1]) for r in upserts]
    assert versions == sorted(versions)
    assert upserts[2]["firstname"] == "Twice", "one entry per record, its current state"
    assert list(upserts[0]) == ["@odata.etag", "firstname", "lastname", "contactid"]
    assert {d["id"] for d in deletes} == {ids[2], temp_id}
    for deleted in deletes:
        assert deleted["@odata.context"] == f"{tracked.handle.base_url}/api/data/v9.2/$metadata#contacts/$deletedEntity"
        assert set(deleted) == {"@odata.context", "id", "reason"}
    assert "@odata.deltaLink" in body
    assert body["@odata.deltaLink"] != delta_link

    empty = tracked.get(body["@odata.deltaLink"], headers={"Prefer": TRACK})
    assert empty.status_code == 200
    assert empty.json()["value"] == []
    assert empty.json()["@odata.deltaLink"]


def test_changes_made_while_paging_land_in_the_next_delta(tracked: Api) -> None:
    prefer = f"{TRACK},odata.maxpagesize=10"
    first = tracked.get("contacts", params={"$select": "firstname"}, headers={"Prefer": prefer}).json()
    seen = {r["contactid"] for r in first["value"]}
    early_id = contact(0)["contactid"]  # already served on page 1
    assert tracked.patch(f"contacts({early_id})", json={"firstname": "DuringPaging"}).status_code == 204
    link = first["@odata.nextLink"]
    while link:
        page = tracked.get(link, headers={"Prefer": prefer}).json()
        seen |= {r["contactid"] for r in page["value"]}
        link = page.get("@odata.nextLink")
        delta_link = page.get("@odata.deltaLink")
    assert len(seen) == 25
    delta = tracked.get(delta_link).json()["value"]
    assert [(r["contactid"], r["firstname"]) for r in delta] == [(early_id, "DuringPaging")]


def test_large_delta_pages_and_next_links_carry_every_parameter(tracked: Api) -> None:
    delta_link = _initial(tracked)[-1]["@odata.deltaLink"]
    targets = [{"contactid": contact(i)["contactid"], "lastname": f"Bulk{i}"} for i in range(25)]
    assert tracked.post("contacts/Microsoft.Dynamics.CRM.UpdateMultiple", json={"Targets": targets}).status_code == 204
    for i in range(20, 25):
        tracked.delete(f"contacts({contact(i)['contactid']})")
    prefer = {"Prefer": f"{TRACK},odata.maxpagesize=10"}
    response = tracked.get(delta_link, headers=prefer).json()
    rows = list(response["value"])
    while "@odata.nextLink" in response:
        link = response["@odata.nextLink"]
        params = dict(parse_qsl(urlsplit(link).query))
        assert {"$deltatoken", "$skiptoken", "$select"} <= set(params)
        response = tracked.get("contacts", params=params, headers=prefer).json()  # Airbyte: query string only
        rows += response["value"]
    assert len(rows) == 25
    assert [r.get("reason") for r in rows[-5:]] == ["deleted"] * 5
    assert {r["lastname"] for r in rows[:20]} == {f"Bulk{i}" for i in range(20)}
    assert "@odata.deltaLink" in response


@pytest.mark.parametrize("option", ["$filter", "$orderby", "$top", "$expand"])
def test_query_options_refused_with_track_changes(tracked: Api, option: str) -> None:
    value = {"$filter": "firstname eq 'a'", "$orderby": "firstname", "$top": "5", "$expand": "dfeta_MergedWith"}[option]
    response = tracked.get("contacts", params={option: value}, headers={"Prefer": TRACK})
    assert response.status_code == 400
    message = f'The "{option}" query parameter isn\'t supported when Change Tracking is enabled.'
    assert response.json()["error"]["message"] == message


def test_expired_and_garbled_tokens(fresh_api: Callable[..., Api]) -> None:
    api = fresh_api("--change-tracking-retention", "3600")
    delta_link = _initial(api)[-1]["@odata.deltaLink"]
    assert api.get(delta_link).status_code == 200
    api.handle.admin("POST", "clock", {"advance_seconds": 3601})
    api.token = api.fetch_token()
    expired = api.get(delta_link)
    assert expired.status_code == 400
    message = "Version stamp associated with the client has expired. Please perform a full sync."
    assert expired.json() == {"error": {"code": "0x80044352", "message": message}}
    for token in ("None", "12!garbage", "abc", "99999999!01/01/2024 00:00:00"):
        response = api.get("contacts", params={"$deltatoken": token}, headers={"Prefer": TRACK})
        assert response.status_code == 400, token


def test_default_retention_is_seven_days(tracked: Api) -> None:
    delta_link = _initial(tracked)[-1]["@odata.deltaLink"]
    tracked.handle.admin("POST", "clock", {"advance_seconds": 6 * 86400})
    tracked.token = tracked.fetch_token()
    assert tracked.get(delta_link).status_code == 200
    tracked.handle.admin("POST", "clock", {"advance_seconds": 2 * 86400})
    tracked.token = tracked.fetch_token()
    assert tracked.get(delta_link).json()["error"]["code"] == "0x80044352"


def test_table_without_change_tracking(fresh_api: Callable[..., Api]) -> None:
    api = fresh_api("--disable-change-tracking", "dfeta_trsevents")
    response = api.get("dfeta_trsevents", headers={"Prefer": TRACK})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "0x80072491",
        "message": "Entity dfeta_trsevent isn't enabled for change tracking.",
    }
    definition = api.get("EntityDefinitions(LogicalName='dfeta_trsevent')").json()
    assert definition["ChangeTrackingEnabled"] is False
    assert api.get("contacts", headers={"Prefer": TRACK}).status_code == 200


def test_delta_token_in_link_decodes_to_dataverse_format(tracked: Api) -> None:
    link = _initial(tracked)[-1]["@odata.deltaLink"]
    raw = link.split("$deltatoken=", 1)[1]
    version, stamp = unquote(raw).split("!")
    assert int(version) >= 25
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", stamp)
