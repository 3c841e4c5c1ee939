"""dfeta_sanctions → alerts, data dictionary §2.3 and §3.6."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mappings import MappingError, Skipped, map_sanction
from mappings.reference import dqt as ref
from mappings.reference import trs
from mappings.types import AlertRow
from tests.unit.mappings import factories as f

LOOKUP = f.lookup()

ALERT_COLUMNS = {
    "alert_id", "dqt_sanction_id", "alert_type_id", "person_id", "details", "external_link", "start_date", "end_date",
    "created_on", "updated_on", "deleted_on", "dqt_spent", "dqt_state", "dqt_created_on", "dqt_modified_on",
    "dqt_version",
}  # fmt: skip

#: §3.6, code → alert_type_id, written out independently of trs.ALERT_TYPES.
EXPECTED_ALERT_TYPE = {
    "A1A": "fa6bd220-61b0-41fc-9066-421b3b9d7885", "A1B": "e3658a61-bee2-4df1-9a26-e010681ee310",
    "A2": "872d7700-aa6f-435e-b5f9-821fb087962a", "A3": "3499860a-a0fb-43e3-878e-c226d14150b0",
    "A4": "0ae8d4b6-ec9b-47ca-9338-6dae9192afe5", "A5A": "c02bdc3a-7a19-4034-aa23-3a23c54e1d34",
    "A5B": "cac68337-3f95-4475-97cf-1381e6b74700", "A6": "a6f51ccc-a19c-4dc2-ba80-ffb7a95ff2ee",
    "A7": "1ebd1620-293d-4169-ba78-0b41a6413ad9", "A8": "3f7de5fd-05a8-404f-a97c-428f54e81322",
    "A11": "78f88de2-9ec1-41b8-948a-33bdff223206", "A12": "b6c8d8f1-723e-49a5-9551-25805e3e29b9",
    "A13": "1a2b06ae-7e9f-4761-b95d-397ca5da4b13", "A14": "50508749-7a6b-4175-8538-9a1e55692efd",
    "A15": "552ee226-a3a9-4dc3-8d04-0b7e4f641b51", "A16": "0740f9eb-ece3-4394-a230-453da224d337",
    "A17": "fcff87d6-88f5-4fc5-ac81-5350b4fdd9e1", "A18": "a6fc9f2e-8923-4163-978e-93bd901d146f",
    "A19": "af65c236-47a6-427b-8e4b-930de6d256f0", "A20": "d372fcfa-1c4a-4fed-84c8-4c7885575681",
    "A21A": "950d3eed-bef5-448a-b0f0-bf9c54f2103b", "A21B": "72e48b6a-e781-4bf3-910b-91f2d28f2eaa",
    "A22": "33e00e46-6513-4136-adfd-1352cf34d8ec", "A23": "3c5fc83b-10e1-4a15-83e6-794fce3e0b45",
    "A24": "17b4fe26-7468-4702-92e5-785b861cf0fa", "B1": "eab8b66d-68d0-4cb9-8e4d-bbd245648fb6",
    "B2A": "18e04dcb-fb86-4b05-8d5d-ff9c5da738dd", "B2B": "38db7946-2dbf-408e-bc48-1625829e7dfe",
    "B3": "8ef92c14-4b1f-4530-9189-779ad9f3cefd", "B6": "993daa42-96cb-4621-bd9e-d4b195076bbe",
    "C1": "651e1f56-3135-4961-bd7e-3f7b2c75cb04", "C2": "9fafaa80-f9f8-44a0-b7b3-cffedcbe0298",
    "C3": "5ea8bb68-4774-4ad8-b635-213a0cdda4c3", "G1": "40794ea8-eda2-40a8-a26a-5f447aae6c99",
    "G2": "2c496e3f-00d3-4f0d-81f3-21458fe707b3", "T1": "ed0cd700-3fb2-4db0-9403-ba57126090ed",
    "T2": "a414283f-7d5b-4587-83bf-f6da8c05b8d5", "T3": "50feafbc-5124-4189-b06c-6463c7ebb8a8",
    "T4": "a5bd4352-2cec-4417-87a1-4b6b79d033c2", "T5": "5aa21b8f-2069-43c9-8afd-05b34b02505f",
    "T6": "7924fe90-483c-49f8-84fc-674feddba848", "T7": "241eeb78-fac7-4c77-8059-c12e93dc2fae",
    "T8": "2ca98658-1d5b-49d5-b05f-cc08c8b8502c", "T9": "ae3e385d-03f8-4f12-9ce2-006afe827d23",
    "T10": "12435c00-88cb-406b-b2b8-7400c1ced7b8",
}  # fmt: skip
UNMAPPED_CODES = [
    "A9", "A10", "A25A", "A25B", "A26", "B4", "B5", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "E1", "E2", "E3",
    "E4", "F1", "Z1", "Z2",
]  # fmt: skip


def _alert(**overrides: Any) -> AlertRow:
    out = map_sanction(f.sanction(**overrides), LOOKUP)
    assert not isinstance(out, Skipped)
    return out


def _fails(field: str, **overrides: Any) -> MappingError:
    with pytest.raises(MappingError) as caught:
        map_sanction(f.sanction(**overrides), LOOKUP)
    assert caught.value.field == field
    assert caught.value.entity == "dfeta_sanctions"
    return caught.value


def test_a_valid_sanction() -> None:
    record = f.sanction()
    row = _alert(**record)
    assert set(row) == ALERT_COLUMNS
    assert row["alert_id"] == row["dqt_sanction_id"] == record["dfeta_sanctionid"]
    assert row["alert_type_id"] == EXPECTED_ALERT_TYPE["T1"]
    assert row["person_id"] == f.PERSON_ID
    assert row["details"] == "Case reference 012345. Details held on file."
    assert row["external_link"] == "https://example.org/cases/12345"
    assert row["start_date"] == dt.date(2020, 4, 1)
    assert row["end_date"] is None
    assert row["dqt_spent"] is False
    assert row["deleted_on"] is None


def test_the_code_tables_cover_all_sixty_six_dqt_codes() -> None:
    dqt_codes = {r.value for r in ref.SANCTION_CODES}
    assert len(dqt_codes) == 66
    assert len(EXPECTED_ALERT_TYPE) == 45
    assert len(UNMAPPED_CODES) == 21
    assert set(EXPECTED_ALERT_TYPE) | set(UNMAPPED_CODES) == dqt_codes
    assert {t.sanction_code: t.id for t in trs.ALERT_TYPES} == EXPECTED_ALERT_TYPE


@pytest.mark.parametrize(("code", "alert_type_id"), sorted(EXPECTED_ALERT_TYPE.items()))
def test_every_mapped_code(code: str, alert_type_id: str) -> None:
    assert _alert(_dfeta_sanctioncodeid_value=f.sanction_code_id(code))["alert_type_id"] == alert_type_id


@pytest.mark.parametrize("code", UNMAPPED_CODES)
def test_codes_without_an_alert_type_are_skipped_with_a_countable_reason(code: str) -> None:
    out = map_sanction(f.sanction(_dfeta_sanctioncodeid_value=f.sanction_code_id(code)), LOOKUP)
    assert out == Skipped(f"sanction code '{code}' has no TRS alert type")


def test_a_sanction_without_a_code_fails() -> None:
    _fails("_dfeta_sanctioncodeid_value", _dfeta_sanctioncodeid_value=None)


def test_an_unknown_sanction_code_guid_fails() -> None:
    error = _fails("_dfeta_sanctioncodeid_value", _dfeta_sanctioncodeid_value=f.new_id())
    assert error.rule == "unknown dfeta_sanctioncode"


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2020-03-28T00:00:00Z", dt.date(2020, 3, 28)),  # GMT
        ("2020-03-31T23:00:00Z", dt.date(2020, 4, 1)),  # BST
        ("2020-10-24T23:00:00Z", dt.date(2020, 10, 25)),  # BST ends that day
        ("2020-10-26T00:00:00Z", dt.date(2020, 10, 26)),
        (None, None),
    ],
)
def test_start_and_end_dates_are_uk_dates(instant: str | None, expected: dt.date | None) -> None:
    row = _alert(dfeta_startdate=instant, dfeta_enddate=instant)
    assert row["start_date"] == row["end_date"] == expected


def test_a_deactivated_sanction_is_soft_deleted_at_its_modifiedon() -> None:
    row = _alert(statecode=1, statuscode=2, modifiedon="2024-10-07T15:46:21Z")
    assert row["deleted_on"] == dt.datetime(2024, 10, 7, 15, 46, 21, tzinfo=dt.UTC)
    assert row["dqt_state"] == 1


def test_details_keep_line_breaks_but_refuse_nul_without_showing_them() -> None:
    assert _alert(dfeta_sanctiondetails="line 1\r\nline 2")["details"] == "line 1\r\nline 2"
    assert _alert(dfeta_sanctiondetails=None)["details"] is None
    error = _fails("dfeta_sanctiondetails", dfeta_sanctiondetails="secret\x00details")
    assert "secret" not in str(error)


def test_details_link_and_spent() -> None:
    assert _alert(dfeta_detailslink=None)["external_link"] is None
    _fails("dfeta_detailslink", dfeta_detailslink="https://x\n")
    assert _alert(dfeta_spent=None)["dqt_spent"] is None
    assert _alert(dfeta_spent=True)["dqt_spent"] is True
    _fails("dfeta_spent", dfeta_spent="true")


@pytest.mark.parametrize(
    "field", ["dfeta_sanctionid", "_dfeta_personid_value", "versionnumber", "createdon", "modifiedon", "statecode"]
)
def test_required_fields(field: str) -> None:
    _fails(field, **{field: None})


def test_trs_alert_names_use_single_spaces() -> None:
    assert all("  " not in t.name for t in trs.ALERT_TYPES)
