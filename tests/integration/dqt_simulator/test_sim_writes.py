"""Writes: create/update/upsert/delete semantics, validation, lookups, bulk actions, audit, versions."""

from __future__ import annotations

import uuid

import pytest
from sim_helpers import Api

pytestmark = pytest.mark.integration

MQ_ESTABLISHMENT = "dfeta_mqestablishments"


def _new_id() -> str:
    return str(uuid.uuid4())


def _create_contact(api: Api, **fields: object) -> str:
    record_id = _new_id()
    response = api.post("contacts", json={"contactid": record_id, "firstname": "Ann", "lastname": "Lee", **fields})
    assert response.status_code == 204, response.text
    return record_id


def test_create_with_a_chosen_id_and_duplicate(api: Api) -> None:
    record_id = _new_id()
    response = api.post("contacts", json={"contactid": record_id, "firstname": "Ann"})
    assert response.status_code == 204
    assert response.headers["OData-EntityId"] == f"{api.handle.base_url}/api/data/v9.2/contacts({record_id})"
    row = api.get(f"contacts({record_id})").json()
    assert (row["statecode"], row["statuscode"]) == (0, 1)
    assert row["createdon"] == row["modifiedon"]
    duplicate = api.post("contacts", json={"contactid": record_id, "firstname": "Again"})
    assert duplicate.status_code == 412
    assert duplicate.json()["error"] == {
        "code": "0x80040237",
        "message": "A record with matching key values already exists.",
    }


def test_create_with_return_representation(api: Api) -> None:
    response = api.post(
        "contacts",
        params={"$select": "firstname"},
        json={"firstname": "Rep"},
        headers={"Prefer": "return=representation"},
    )
    assert response.status_code == 201
    assert response.headers["Preference-Applied"] == "return=representation"
    body = response.json()
    assert body["firstname"] == "Rep"
    assert body["contactid"]
    assert body["@odata.context"].endswith("/$entity")


def test_conditional_updates(api: Api) -> None:
    record_id = _create_contact(api)
    etag = api.get(f"contacts({record_id})").json()["@odata.etag"]
    assert api.patch(f"contacts({record_id})", json={"firstname": "B"}, headers={"If-Match": etag}).status_code == 204
    stale = api.patch(f"contacts({record_id})", json={"firstname": "C"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["error"] == {
        "code": "0x80060882",
        "message": "The version of the existing record doesn't match the RowVersion property provided.",
    }
    missing = _new_id()
    not_there = api.patch(f"contacts({missing})", json={"firstname": "X"}, headers={"If-Match": "*"})
    assert not_there.status_code == 404
    assert not_there.json()["error"]["code"] == "0x80040217"
    assert api.get(f"contacts({missing})").status_code == 404
    create_only = api.patch(f"contacts({record_id})", json={"firstname": "X"}, headers={"If-None-Match": "*"})
    assert create_only.status_code == 412
    assert create_only.json()["error"]["code"] == "0x80040237"


def test_patch_without_if_match_is_an_upsert(api: Api) -> None:
    record_id = _new_id()
    created = api.patch(f"contacts({record_id})", json={"firstname": "Upserted"})
    assert created.status_code == 204
    assert created.headers["OData-EntityId"].endswith(f"contacts({record_id})")
    assert api.get(f"contacts({record_id})").json()["firstname"] == "Upserted"
    representation = {"Prefer": "return=representation"}
    updated = api.patch(f"contacts({record_id})", json={"lastname": "Again"}, headers=representation)
    assert updated.status_code == 200
    assert updated.json()["firstname"] == "Upserted"
    assert updated.json()["lastname"] == "Again"
    created_rep = api.patch(f"contacts({_new_id()})", json={"firstname": "R"}, headers=representation)
    assert created_rep.status_code == 201


def test_delete(api: Api) -> None:
    record_id = _create_contact(api)
    etag = api.get(f"contacts({record_id})").json()["@odata.etag"]
    api.patch(f"contacts({record_id})", json={"firstname": "Moved"})
    assert api.delete(f"contacts({record_id})", headers={"If-Match": etag}).status_code == 412
    assert api.delete(f"contacts({record_id})", headers={"If-Match": "*"}).status_code == 204
    again = api.delete(f"contacts({record_id})")
    assert again.status_code == 404
    assert again.json()["error"]["message"] == f"contact With Id = {record_id} Does Not Exist"


def test_lookup_binding_uses_navigation_property_casing(api: Api) -> None:
    person = _create_contact(api)
    specialism = api.get("dfeta_specialisms", params={"$top": "1"}).json()["value"][0]["dfeta_specialismid"]
    qualification = _new_id()
    good = api.post(
        "dfeta_qualifications",
        json={
            "dfeta_qualificationid": qualification,
            "dfeta_type": 389040002,
            "dfeta_PersonId@odata.bind": f"/contacts({person})",
            "dfeta_MQ_SpecialismId@odata.bind": f"dfeta_specialisms({specialism})",
        },
    )
    assert good.status_code == 204, good.text
    row = api.get(f"dfeta_qualifications({qualification})", headers={"Prefer": 'odata.include-annotations="*"'}).json()
    assert row["_dfeta_personid_value"] == person
    assert row["_dfeta_personid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == "contact"
    assert row["_dfeta_personid_value@OData.Community.Display.V1.FormattedValue"] == "Ann Lee"
    assert row["_dfeta_mq_specialismid_value"] == specialism
    wrong_case = api.post("dfeta_qualifications", json={"dfeta_personid@odata.bind": f"/contacts({person})"})
    assert wrong_case.status_code == 400
    assert wrong_case.json()["error"]["code"] == "0x80048d19"
    assert "dfeta_personid" in wrong_case.json()["error"]["message"]
    raw_guid = api.post("dfeta_qualifications", json={"dfeta_personid": person})
    assert raw_guid.status_code == 400
    assert "dfeta_personid" in raw_guid.json()["error"]["message"]
    unknown = api.post("contacts", json={"nonsense": 1})
    assert unknown.status_code == 400
    assert "'nonsense'" in unknown.json()["error"]["message"]
    dangling = api.post("dfeta_qualifications", json={"dfeta_PersonId@odata.bind": f"/contacts({_new_id()})"})
    assert dangling.status_code == 404
    cleared = api.patch(f"dfeta_qualifications({qualification})", json={"dfeta_PersonId@odata.bind": None})
    assert cleared.status_code == 204
    assert api.get(f"dfeta_qualifications({qualification})").json()["_dfeta_personid_value"] is None


def test_validation_errors(api: Api) -> None:
    too_long = api.post("contacts", json={"dfeta_trn": "12345678"})
    assert too_long.status_code == 400
    assert too_long.json()["error"] == {
        "code": "0x80044331",
        "message": "A validation error occurred. The length of the 'dfeta_trn' attribute of the 'contact' entity "
        "exceeded the maximum allowed length of '7'.",
    }
    assert api.post("contacts", json={"gendercode": 7}).status_code == 400
    assert api.post("contacts", json={"gendercode": "1"}).status_code == 400
    assert api.post("contacts", json={"firstname": 12}).status_code == 400
    assert api.post("contacts", json={"birthdate": "not a date"}).status_code == 400
    assert api.post("contacts", data=b"{not json", headers={"Content-Type": "application/json"}).status_code == 400
    record_id = _create_contact(api, versionnumber=5, createdon="2000-01-01T00:00:00Z")
    row = api.get(f"contacts({record_id})").json()
    assert row["versionnumber"] != 5
    assert row["createdon"] != "2000-01-01T00:00:00Z"


def test_dates_are_stored_in_canonical_form(api: Api) -> None:
    record_id = _create_contact(api, birthdate="1990-05-01T10:00:00Z", dfeta_qtsdate="2020-09-01T00:00:00+01:00")
    row = api.get(f"contacts({record_id})", params={"$select": "birthdate,dfeta_qtsdate"}).json()
    assert row["birthdate"] == "1990-05-01"
    assert row["dfeta_qtsdate"] == "2020-08-31T23:00:00Z"


def test_versionnumber_increases_across_all_tables(api: Api) -> None:
    versions = []
    for _ in range(3):
        contact_id = _create_contact(api)
        versions.append(api.get(f"contacts({contact_id})").json()["versionnumber"])
        qualification = _new_id()
        api.post("dfeta_qualifications", json={"dfeta_qualificationid": qualification, "dfeta_type": 389040002})
        versions.append(api.get(f"dfeta_qualifications({qualification})").json()["versionnumber"])
        api.patch(f"contacts({contact_id})", json={"firstname": "Z"})
        versions.append(api.get(f"contacts({contact_id})").json()["versionnumber"])
    assert versions == sorted(versions)
    assert len(set(versions)) == len(versions)
    stats = api.handle.admin("GET", "stats")
    assert stats["versionnumber"] >= versions[-1]
    assert stats["entity_sets"][MQ_ESTABLISHMENT] == 40


def test_audit_rows_and_impersonation(api: Api) -> None:
    caller = str(uuid.uuid4())
    record_id = _create_contact(api)
    assert (
        api.patch(f"contacts({record_id})", json={"firstname": "Beth"}, headers={"CallerObjectId": caller}).status_code
        == 204
    )
    row = api.get(f"contacts({record_id})").json()
    assert row["_modifiedby_value"] == caller
    assert row["_createdby_value"] != caller
    assert api.delete(f"contacts({record_id})", headers={"MSCRMCallerID": caller}).status_code == 204
    audit = api.handle.admin("GET", f"audit?entity_set=contacts&id={record_id}")
    assert [a["operation"] for a in audit] == ["Create", "Update", "Delete"]
    assert audit[1]["changes"] == {
        "firstname": {"old": "Ann", "new": "Beth"},
        "fullname": {"old": "Ann Lee", "new": "Beth Lee"},
    }
    assert audit[1]["user"] == caller
    assert audit[2]["user"] == caller
    assert audit[0]["user"] == row["_createdby_value"]
    assert audit[0]["versionnumber"] < audit[1]["versionnumber"] < audit[2]["versionnumber"]
    assert all(a["time"].endswith("Z") for a in audit)


def test_create_multiple_is_all_or_nothing(api: Api) -> None:
    ids = [_new_id() for _ in range(3)]
    good = api.post(
        "contacts/Microsoft.Dynamics.CRM.CreateMultiple",
        json={
            "Targets": [
                {"@odata.type": "Microsoft.Dynamics.CRM.contact", "contactid": i, "firstname": f"M{n}"}
                for n, i in enumerate(ids)
            ]
        },
    )
    assert good.status_code == 200
    assert good.json()["Ids"] == ids
    more = [_new_id() for _ in range(2)]
    bad = api.post(
        "contacts/Microsoft.Dynamics.CRM.CreateMultiple",
        json={
            "Targets": [
                {"@odata.type": "Microsoft.Dynamics.CRM.contact", "contactid": more[0], "firstname": "ok"},
                {"@odata.type": "Microsoft.Dynamics.CRM.contact", "contactid": more[1], "dfeta_trn": "far too long"},
            ]
        },
    )
    assert bad.status_code == 400
    assert api.get(f"contacts({more[0]})").status_code == 404
    update = api.post(
        "contacts/Microsoft.Dynamics.CRM.UpdateMultiple",
        json={"Targets": [{"contactid": ids[0], "lastname": "U"}, {"contactid": _new_id(), "lastname": "U"}]},
    )
    assert update.status_code == 404
    assert api.get(f"contacts({ids[0]})").json()["lastname"] is None
    upsert = api.post(
        "contacts/Microsoft.Dynamics.CRM.UpsertMultiple",
        json={
            "Targets": [
                {"contactid": ids[0], "lastname": "Up"},
                {"@odata.id": f"contacts({more[1]})", "lastname": "New"},
            ]
        },
    )
    assert upsert.status_code == 200
    assert upsert.json()["Ids"] == [ids[0], more[1]]
    assert api.get(f"contacts({more[1]})").json()["lastname"] == "New"
