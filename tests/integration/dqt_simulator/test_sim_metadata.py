"""Metadata as Microsoft's SDK and Airbyte query it, $metadata, and data loading."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sim_helpers import Api, contact, write_jsonl

pytestmark = pytest.mark.integration


def test_entity_set_lookup_as_the_sdk_sends_it(api: Api) -> None:
    url = (
        f"{api.url('EntityDefinitions')}?$select=LogicalName,EntitySetName,PrimaryIdAttribute"
        "&$filter=LogicalName+eq+'dfeta_qualification'"
    )
    body = api.get(url).json()
    assert body["value"] == [
        {
            "LogicalName": "dfeta_qualification",
            "EntitySetName": "dfeta_qualifications",
            "PrimaryIdAttribute": "dfeta_qualificationid",
            "MetadataId": body["value"][0]["MetadataId"],
        }
    ]
    assert api.get("EntityDefinitions", params={"$filter": "LogicalName eq 'systemuser'"}).json()["value"] == []


def test_single_definition_and_picklist_options(api: Api) -> None:
    definition = api.get("EntityDefinitions(LogicalName='contact')").json()
    assert definition["EntitySetName"] == "contacts"
    assert definition["PrimaryNameAttribute"] == "fullname"
    assert definition["ObjectTypeCode"] == 2
    response = api.get(
        "EntityDefinitions(LogicalName='contact')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
        params={"$select": "LogicalName", "$expand": "OptionSet($select=Options)"},
    )
    assert response.status_code == 200
    picklists = {item["LogicalName"]: item for item in response.json()["value"]}
    assert set(picklists) == {"gendercode", "dfeta_inductionstatus"}
    options = {
        option["Value"]: option["Label"]["LocalizedLabels"][0]["Label"]
        for option in picklists["gendercode"]["OptionSet"]["Options"]
    }
    assert options[1] == "Male"
    assert api.get("EntityDefinitions(LogicalName='nope')").status_code == 404


def test_definitions_with_attributes_as_airbyte_discovers_them(api: Api) -> None:
    body = api.get("EntityDefinitions", params={"$expand": "Attributes"}).json()
    contact_def = next(d for d in body["value"] if d["LogicalName"] == "contact")
    for key in (
        "LogicalName",
        "EntitySetName",
        "PrimaryIdAttribute",
        "PrimaryNameAttribute",
        "ObjectTypeCode",
        "MetadataId",
        "ChangeTrackingEnabled",
    ):
        assert key in contact_def
    assert contact_def["ChangeTrackingEnabled"] is True
    assert contact_def["CanChangeTrackingBeEnabled"]["Value"] is True
    attributes = {a["LogicalName"]: a for a in contact_def["Attributes"]}
    assert attributes["birthdate"]["AttributeType"] == "DateTime"
    assert attributes["birthdate"]["DateTimeBehavior"] == {"Value": "DateOnly"}
    assert attributes["modifiedon"]["DateTimeBehavior"] == {"Value": "UserLocal"}
    assert attributes["dfeta_mergedwith"]["AttributeType"] == "Lookup"
    datetimes = api.get(
        "EntityDefinitions(LogicalName='contact')/Attributes/Microsoft.Dynamics.CRM.DateTimeAttributeMetadata",
        params={"$select": "LogicalName,DateTimeBehavior"},
    ).json()["value"]
    assert {d["LogicalName"] for d in datetimes} >= {"birthdate", "createdon", "dfeta_qtsdate"}
    tracked = api.get(
        "EntityDefinitions", params={"$select": "LogicalName", "$filter": "ChangeTrackingEnabled eq true"}
    )
    assert len(tracked.json()["value"]) == 17


def test_csdl_document(api: Api) -> None:
    response = api.get("$metadata")
    assert response.headers["Content-Type"].startswith("application/xml")
    assert '<NavigationProperty Name="dfeta_PersonId"' in response.text
    assert '<EntitySet Name="contacts"' in response.text


def test_loading_assigns_missing_versions_above_the_highest(fresh_api: Callable[..., Api], tmp_path: Path) -> None:
    rows = [
        contact(0, versionnumber=500),
        contact(1),
        contact(2, **{"@odata.etag": 'W/"700"'}),
        contact(3, modifiedon=None),
    ]
    rows.append({"contactid": "AAAAAAAA-0000-0000-0000-00000000000A", "firstname": "Upper", "unknown_column": 1})
    write_jsonl(tmp_path / "data", "contacts", rows)
    api = fresh_api(data_dir=tmp_path / "data")
    loaded = {r["contactid"]: r for r in api.get("contacts").json()["value"]}
    assert len(loaded) == 5
    assert loaded[contact(0)["contactid"]]["versionnumber"] == 500
    assert loaded[contact(2)["contactid"]]["versionnumber"] == 700
    assert loaded[contact(1)["contactid"]]["versionnumber"] > 700
    assert loaded[contact(1)["contactid"]]["@odata.etag"] == f'W/"{loaded[contact(1)["contactid"]]["versionnumber"]}"'
    upper = loaded["aaaaaaaa-0000-0000-0000-00000000000a"]
    assert "unknown_column" not in upper
    assert (upper["statecode"], upper["statuscode"]) == (0, 1)
    assert loaded[contact(3)["contactid"]]["modifiedon"]
    stats = api.handle.admin("GET", "stats")
    assert stats["entity_sets"]["contacts"] == 5
    highest = max(r["versionnumber"] for r in loaded.values())
    assert stats["versionnumber"] > highest, "reference rows are seeded above the loaded data"
    api.patch(f"contacts({contact(0)['contactid']})", json={"firstname": "Later"})
    assert api.get(f"contacts({contact(0)['contactid']})").json()["versionnumber"] > stats["versionnumber"]


def test_bad_data_stops_start_up(tmp_path: Path) -> None:
    from tests.support.simulator import start_simulator

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "systemusers.jsonl").write_text('{"systemuserid": "x"}\n')
    with pytest.raises(RuntimeError, match="systemusers"):
        start_simulator(tmp_path / "sim", data_dir=tmp_path / "data", timeout=60)
