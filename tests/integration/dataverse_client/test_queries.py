"""Queries against the simulator: paging a few hundred rows, injection attempts, single-record reads."""

from __future__ import annotations

import uuid

import pytest

from dataverse_client import BadRequest, DataverseClient, F, NotFound, odata
from tests.support.simulator import SimulatorHandle

from .conftest import api_log, now

pytestmark = pytest.mark.integration


def create_contacts(client: DataverseClient, marker: str, count: int) -> set[str]:
    ids: set[str] = set()
    for start in range(0, count, 100):
        batch = [{"lastname": marker, "firstname": f"P{i:04d}"} for i in range(start, min(count, start + 100))]
        ids.update(client.create_multiple("contacts", batch))
    assert len(ids) == count
    return ids


def test_paging_a_few_hundred_rows_gives_full_pages_but_the_last(
    simulator: SimulatorHandle, client: DataverseClient, marker: str
) -> None:
    # Given 230 contacts with this test's surname
    created = create_contacts(client, marker, 230)
    since = now()
    # When queried 50 per page
    pages = list(
        client.query("contacts", select=["contactid", "firstname"], filter=F.eq("lastname", marker), page_size=50)
    )
    # Then every page is full but the last, each row arrives once, and nextLinks are distinct
    assert [len(p.records) for p in pages] == [50, 50, 50, 50, 30]
    assert {r["contactid"] for p in pages for r in p.records} == created
    links = [p.next_link for p in pages]
    assert links[-1] is None
    assert len(set(links[:-1])) == 4
    # And one request per page went out, the later ones to the nextLinks verbatim
    log = api_log(simulator, since)
    assert [e["method"] for e in log] == ["GET"] * 5


def test_top_and_orderby(client: DataverseClient, marker: str) -> None:
    create_contacts(client, marker, 7)
    (page,) = client.query(
        "contacts", select=["firstname"], filter=F.eq("lastname", marker), orderby=["firstname desc"], top=3
    )
    assert [r["firstname"] for r in page.records] == ["P0006", "P0005", "P0004"]


@pytest.mark.parametrize(
    "attack",
    [
        "' or 'a' eq 'a",
        "x' or 1 eq 1 or 'a' eq 'a",
        "') or (lastname ne '",
        "' or contains(lastname,'",
        "%27%20or%201%20eq%201",
        "' or lastname ne null or lastname eq '",
    ],
)
def test_filter_injection_attempts_return_no_extra_rows(client: DataverseClient, marker: str, attack: str) -> None:
    # Given rows that an injected "or true" would expose
    create_contacts(client, marker, 3)
    # When the hostile text is used as a value (appended to our marker or alone)
    for value in (attack, marker + attack):
        rows = [
            r for p in client.query("contacts", select=["contactid"], filter=F.eq("lastname", value)) for r in p.records
        ]
        # Then it matched literally: nothing
        assert rows == []
    hits = [
        r
        for p in client.query("contacts", select=["contactid"], filter=F.contains("lastname", attack))
        for r in p.records
    ]
    assert hits == []


def test_quotes_in_values_match_literally(client: DataverseClient, marker: str) -> None:
    surname = f"O'Brien-{marker}"
    record_id = client.create("contacts", {"lastname": surname})
    rows = [
        r
        for p in client.query("contacts", select=["contactid", "lastname"], filter=F.eq("lastname", surname))
        for r in p.records
    ]
    assert [(r["contactid"], r["lastname"]) for r in rows] == [(record_id, surname)]


def test_lookup_and_in_filters(client: DataverseClient, marker: str) -> None:
    person = client.create("contacts", {"lastname": marker})
    other = client.create("contacts", {"lastname": marker, "firstname": "other"})
    name = odata.name("dfeta_PersonId")
    q1 = client.create("dfeta_qualifications", {f"{name}@odata.bind": f"/contacts({person})", "dfeta_name": marker})
    client.create("dfeta_qualifications", {f"{name}@odata.bind": f"/contacts({other})", "dfeta_name": marker})
    rows = [
        r
        for p in client.query(
            "dfeta_qualifications",
            select=["dfeta_qualificationid", "_dfeta_personid_value"],
            filter=F.lookup("dfeta_personid", person) & F.in_("dfeta_name", [marker, "nope"]),
        )
        for r in p.records
    ]
    assert [(r["dfeta_qualificationid"], r["_dfeta_personid_value"]) for r in rows] == [(q1, person)]


def test_get_raises_not_found_and_find_returns_none(client: DataverseClient, marker: str) -> None:
    record_id = client.create("contacts", {"lastname": marker, "dfeta_trn": marker[-7:]})
    row = client.get("contacts", record_id, select=["lastname"])
    assert row["lastname"] == marker
    assert row["@odata.etag"].startswith('W/"')
    # The simulator defines no alternate keys (DQT's contact has none on dfeta_trn): a typed 400
    with pytest.raises(BadRequest) as undefined:
        client.find("contacts", {"dfeta_trn": marker[-7:]})
    assert undefined.value.code == "0x80060890"
    missing = str(uuid.uuid4())
    with pytest.raises(NotFound) as info:
        client.get("contacts", missing)
    assert info.value.status == 404
    assert info.value.code == "0x80040217"
    assert info.value.request_id
    assert client.find("contacts", missing) is None


def test_annotations_are_returned_on_request(client: DataverseClient, marker: str) -> None:
    record_id = client.create("contacts", {"lastname": marker, "gendercode": 1})
    row = client.get("contacts", record_id, select=["gendercode"], include_annotations=True)
    assert "gendercode@OData.Community.Display.V1.FormattedValue" in row
