"""Reading collections: paging, $select, $filter, $orderby, $top, $count, single records, annotations."""

from __future__ import annotations

import http.client
import json
import ssl
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sim_helpers import Api, contact

pytestmark = pytest.mark.integration

CONTACTS = 6001


def _ids(pages: list[dict[str, Any]]) -> list[str]:
    return [row["contactid"] for page in pages for row in page["value"]]


def test_pages_are_full_until_the_last_and_next_links_are_absolute(people: Api) -> None:
    pages = people.pages("contacts", prefer="odata.maxpagesize=1000", params={"$select": "firstname"})
    sizes = [len(p["value"]) for p in pages]
    assert sizes == [1000] * 6 + [1]
    for page in pages[:-1]:
        link = page["@odata.nextLink"]
        assert link.startswith(f"{people.handle.base_url}/api/data/v9.2/contacts?")
        assert "$select=firstname" in link
        assert "$skiptoken=" in link
    assert "@odata.nextLink" not in pages[-1]
    ids = _ids(pages)
    assert len(set(ids)) == CONTACTS
    assert ids == sorted(ids), "without $orderby rows come in primary-key order"


def test_page_size_defaults_to_and_is_capped_at_5000(people: Api) -> None:
    first = people.get("contacts", params={"$select": "firstname"}, headers={"Prefer": "odata.maxpagesize=9000"})
    assert first.headers["Preference-Applied"] == "odata.maxpagesize=5000"
    assert len(first.json()["value"]) == 5000
    default = people.get("contacts", params={"$select": "firstname"})
    assert len(default.json()["value"]) == 5000


def test_next_link_survives_airbyte_style_re_encoding(people: Api) -> None:
    prefer = {"Prefer": "odata.maxpagesize=2500"}
    first = people.get("contacts", params={"$select": "lastname"}, headers=prefer).json()
    link = first["@odata.nextLink"]
    params = dict(parse_qsl(urlsplit(link).query))
    assert set(params) == {"$select", "$skiptoken"}
    # requests re-encodes: %24 in names, '+' for spaces
    second = people.get("contacts", params=params, headers=prefer)
    assert "%24skiptoken=" in second.url
    assert "+" in second.url
    verbatim = people.get(link, headers=prefer)
    assert second.json()["value"] == verbatim.json()["value"]
    assert second.json()["value"][0]["contactid"] > first["value"][-1]["contactid"]


def test_select_projects_columns_plus_key_and_etag(people: Api) -> None:
    row = people.get("contacts", params={"$select": "firstname,birthdate", "$top": "1"}).json()["value"][0]
    assert list(row) == ["@odata.etag", "firstname", "birthdate", "contactid"]
    assert row["@odata.etag"].startswith('W/"')


def test_unknown_property_is_a_400(people: Api) -> None:
    for params in (
        {"$select": "firstname,nope"},
        {"$filter": "nope eq 1"},
        {"$orderby": "nope"},
        {"$select": "dfeta_personid"},
    ):
        response = people.get("contacts", params=params)
        assert response.status_code == 400, params
        error = response.json()["error"]
        assert error["code"] == "0x80060888"
        assert "Could not find a property named" in error["message"]
        assert "'Microsoft.Dynamics.CRM.contact'" in error["message"]


@pytest.mark.parametrize(
    "text", ["firstname eq", "(firstname eq 'a'", "firstname eq 'a", "firstname xx 'a'", "gendercode eq 'male'"]
)
def test_malformed_filter_is_a_400(people: Api, text: str) -> None:
    response = people.get("contacts", params={"$filter": text})
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def _filter(api: Api, text: str) -> list[dict[str, Any]]:
    pages = api.pages(
        "contacts",
        prefer="odata.maxpagesize=5000",
        params={"$filter": text, "$select": "firstname,lastname,birthdate,gendercode,dfeta_trn"},
    )
    return [row for page in pages for row in page["value"]]


def test_filters_match_python_semantics(people: Api) -> None:
    everyone = [contact(i) for i in range(CONTACTS)]
    cases = {
        "lastname eq 'SMITH'": lambda c: c["lastname"] == "Smith",
        "lastname ne 'Smith' and gendercode eq 2": lambda c: c["lastname"] != "Smith" and c["gendercode"] == 2,
        "startswith(firstname,'First0001') or endswith(firstname, '99')": lambda c: (
            c["firstname"].startswith("First0001") or c["firstname"].endswith("99")
        ),
        "contains(firstname,'123')": lambda c: "123" in c["firstname"],
        "birthdate ge 1990-01-01 and birthdate lt 1991-01-01": lambda c: "1990-01-01" <= c["birthdate"] < "1991-01-01",
        "not (gendercode eq 1) and dfeta_trn le '1000100'": lambda c: (
            c["gendercode"] != 1 and c["dfeta_trn"] <= "1000100"
        ),
        "Microsoft.Dynamics.CRM.In(PropertyName='dfeta_trn',PropertyValues=['1000001','1000002','9'])": lambda c: (
            c["dfeta_trn"] in ("1000001", "1000002")
        ),
        "contactid eq 00000000-0000-0000-0000-000000000005": lambda c: c["contactid"].endswith("0005"),
        "middlename eq null and firstname eq 'First00042'": lambda c: c["firstname"] == "First00042",
        "(lastname eq 'Brown' or lastname eq 'Jones') and gendercode gt 1": lambda c: (
            c["lastname"] in ("Brown", "Jones") and c["gendercode"] > 1
        ),
    }
    for text, expected in cases.items():
        got = sorted(row["firstname"] for row in _filter(people, text))
        want = sorted(c["firstname"] for c in everyone if expected(c))
        assert got == want, text


def test_orderby_with_several_keys_pages_consistently(people: Api) -> None:
    pages = people.pages(
        "contacts",
        prefer="odata.maxpagesize=700",
        params={
            "$select": "lastname,birthdate",
            "$orderby": "lastname desc,birthdate asc",
            "$filter": "gendercode eq 2",
        },
    )
    rows = [row for page in pages for row in page["value"]]
    assert all(len(p["value"]) == 700 for p in pages[:-1])
    expected = sorted(
        (c for c in (contact(i) for i in range(CONTACTS)) if c["gendercode"] == 2), key=lambda c: c["contactid"]
    )
    expected.sort(key=lambda c: c["birthdate"])
    expected.sort(key=lambda c: c["lastname"], reverse=True)
    assert [r["contactid"] for r in rows] == [c["contactid"] for c in expected]


def test_top_limits_rows_across_pages(people: Api) -> None:
    pages = people.pages("contacts", prefer="odata.maxpagesize=40", params={"$top": "100", "$select": "firstname"})
    assert [len(p["value"]) for p in pages] == [40, 40, 20]
    small = people.get("contacts", params={"$top": "3"}).json()
    assert len(small["value"]) == 3
    assert "@odata.nextLink" not in small


def test_count(people: Api) -> None:
    filtered = people.get(
        "contacts",
        params={"$count": "true", "$filter": "lastname eq 'Smith'", "$select": "lastname"},
        headers={"Prefer": "odata.maxpagesize=10"},
    ).json()
    assert filtered["@odata.count"] == 1501
    assert filtered["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"] is False
    capped = people.get(
        "contacts", params={"$count": "true", "$select": "lastname"}, headers={"Prefer": "odata.maxpagesize=10"}
    ).json()
    assert capped["@odata.count"] == 5000
    assert capped["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"] is True
    plain = people.get("contacts/$count", params={"$filter": "lastname eq 'Smith'"})
    assert plain.headers["Content-Type"].startswith("text/plain")
    assert plain.text == "1501"


def test_skip_is_not_supported(people: Api) -> None:
    assert people.get("contacts", params={"$skip": "10"}).status_code == 400


def test_single_record_and_404(people: Api) -> None:
    wanted = contact(7)
    row = people.get(f"contacts({wanted['contactid']})", params={"$select": "firstname"})
    assert row.status_code == 200
    assert row.json()["firstname"] == wanted["firstname"]
    assert row.json()["@odata.context"].endswith("$metadata#contacts(firstname,contactid)/$entity")
    missing = "9d7c1a4e-0000-4000-8000-000000000000"
    response = people.get(f"contacts({missing})")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "0x80040217", "message": f"contact With Id = {missing} Does Not Exist"}


def test_annotations_only_when_asked(people: Api) -> None:
    params = {"$select": "gendercode,birthdate", "$top": "1"}
    plain = people.get("contacts", params=params).json()["value"][0]
    assert not [k for k in plain if "@OData.Community" in k]
    annotated = people.get("contacts", params=params, headers={"Prefer": 'odata.include-annotations="*"'})
    assert annotated.headers["Preference-Applied"] == 'odata.include-annotations="*"'
    row = annotated.json()["value"][0]
    assert row["gendercode@OData.Community.Display.V1.FormattedValue"] == "Male"
    keys = list(row)
    assert keys.index("gendercode@OData.Community.Display.V1.FormattedValue") < keys.index("gendercode")
    only_lookups = people.get(
        "contacts", params=params, headers={"Prefer": 'odata.include-annotations="Microsoft.Dynamics.CRM.*"'}
    )
    assert not [k for k in only_lookups.json()["value"][0] if "FormattedValue" in k]


def test_prefer_as_separate_headers_and_percent_encoded_names(people: Api) -> None:
    split = urlsplit(people.handle.base_url)
    context = ssl.create_default_context(cafile=people.handle.ca_bundle)
    connection = http.client.HTTPSConnection(split.hostname or "", split.port, context=context, timeout=30)
    connection.putrequest(
        "GET", "/api/data/v9.2/contacts?%24select=firstname,gendercode&%24filter=lastname+eq+%27Jones%27"
    )
    connection.putheader("Authorization", f"Bearer {people.token}")
    connection.putheader("Prefer", "odata.maxpagesize=2")
    connection.putheader("Prefer", 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"')
    connection.endheaders()
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 200
    assert len(body["value"]) == 2
    assert all(r["firstname"] for r in body["value"])
    assert "gendercode@OData.Community.Display.V1.FormattedValue" in body["value"][0]
    applied = response.getheader("Preference-Applied") or ""
    assert "odata.maxpagesize=2" in applied
    assert "odata.include-annotations" in applied


def test_expand_single_valued_navigation(api: Api) -> None:
    person = str(uuid.uuid4())
    api.post("contacts", json={"contactid": person, "firstname": "Exp", "lastname": "Anded"})
    qualification = str(uuid.uuid4())
    api.post(
        "dfeta_qualifications",
        json={"dfeta_qualificationid": qualification, "dfeta_PersonId@odata.bind": f"/contacts({person})"},
    )
    row = api.get(
        f"dfeta_qualifications({qualification})",
        params={"$select": "dfeta_type", "$expand": "dfeta_PersonId($select=fullname)"},
    ).json()
    assert row["dfeta_PersonId"]["fullname"] == "Exp Anded"
    assert row["dfeta_PersonId"]["contactid"] == person
    expand = "dfeta_PersonId($select=lastname),dfeta_MQ_SpecialismId"
    listed = api.get(
        "dfeta_qualifications", params={"$filter": f"_dfeta_personid_value eq {person}", "$expand": expand}
    )
    value = listed.json()["value"][0]
    assert value["dfeta_PersonId"]["lastname"] == "Anded"
    assert value["dfeta_MQ_SpecialismId"] is None
    wrong_case = api.get("dfeta_qualifications", params={"$expand": "dfeta_personid"})
    assert wrong_case.status_code == 400
    assert "dfeta_personid" in wrong_case.json()["error"]["message"]
