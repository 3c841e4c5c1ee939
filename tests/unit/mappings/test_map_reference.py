"""The TRS reference data (mappings/reference/trs.py), its seed JSON, and ReferenceLookup."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest

from mappings import ReferenceDataError, ReferenceLookup
from mappings.reference import dqt as ref
from mappings.reference import routes, trs
from mappings.reference.seed import SEED_JSON_PATH, all_seed_tables, render_seed_json
from tests.unit.mappings import factories as f

#: The column names of docs/trs-schema.md, table by table.
SEED_COLUMNS = {
    "mandatory_qualification_providers": ["mandatory_qualification_provider_id", "name"],
    "alert_categories": ["alert_category_id", "name", "display_order"],
    "alert_types": [
        "alert_type_id", "alert_category_id", "name", "dqt_sanction_code", "prohibition_level", "internal_only",
        "is_active", "display_order",
    ],
    "induction_exemption_reasons": ["induction_exemption_reason_id", "name", "is_active"],
    "degree_types": ["degree_type_id", "name"],
    "route_to_professional_status_types": [
        "route_to_professional_status_type_id", "name", "professional_status_type", "is_active",
        *routes.REQUIREMENT_COLUMNS, "induction_exemption_reason_id",
    ],
}  # fmt: skip


def test_the_committed_seed_json_equals_what_trs_py_holds() -> None:
    # If this fails, run: .venv/bin/python -m mappings.reference.seed
    assert SEED_JSON_PATH.read_text(encoding="utf-8") == render_seed_json()
    assert json.loads(SEED_JSON_PATH.read_text(encoding="utf-8")) == all_seed_tables()
    assert all_seed_tables() == {**trs.seed_tables(), **routes.route_seed_tables()}


def test_seed_tables_use_exactly_the_schema_column_names_and_counts() -> None:
    tables = json.loads(SEED_JSON_PATH.read_text(encoding="utf-8"))
    assert list(tables) == list(SEED_COLUMNS)
    for table, columns in SEED_COLUMNS.items():
        assert all(list(row) == columns for row in tables[table]), table
    assert Counter({t: len(rows) for t, rows in tables.items()}) == Counter(
        mandatory_qualification_providers=14,
        alert_categories=12,
        alert_types=45,
        induction_exemption_reasons=17,
        degree_types=38,
        route_to_professional_status_types=66,
    )


def _ids(rows: list[dict[str, Any]], key: str) -> list[str]:
    return [row[key] for row in rows]


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("mandatory_qualification_providers", "mandatory_qualification_provider_id"),
        ("alert_categories", "alert_category_id"),
        ("alert_types", "alert_type_id"),
        ("induction_exemption_reasons", "induction_exemption_reason_id"),
    ],
)
def test_ids_are_unique_lower_case_guids(table: str, key: str) -> None:
    ids = _ids(trs.seed_tables()[table], key)
    assert len(set(ids)) == len(ids)
    assert all(str(uuid.UUID(i)) == i for i in ids)


def test_alert_types_reference_real_categories_and_have_sane_values() -> None:
    categories = {c.id for c in trs.ALERT_CATEGORIES}
    assert {t.category_id for t in trs.ALERT_TYPES} <= categories
    assert len({t.sanction_code for t in trs.ALERT_TYPES}) == 45
    assert all(len(t.sanction_code) <= 5 and len(t.name) <= 200 for t in trs.ALERT_TYPES)
    assert sorted(c.display_order for c in trs.ALERT_CATEGORIES) == list(range(1, 13))


def test_alert_type_display_order_is_per_category_for_active_types_and_null_otherwise() -> None:
    # the real TRS state after Mig/20241007144351_DuplicateAlertType (unique per category among active types)
    assert all((t.display_order is None) == (not t.is_active) for t in trs.ALERT_TYPES)
    by_category: dict[str, list[int]] = {}
    for t in trs.ALERT_TYPES:
        if t.display_order is not None:
            by_category.setdefault(t.category_id, []).append(t.display_order)
    assert all(sorted(orders) == list(range(1, len(orders) + 1)) for orders in by_category.values())
    assert sorted(t.sanction_code for t in trs.ALERT_TYPES if t.is_active) == sorted(
        ["C2", "G1", "T1", "T10", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"]
    )


def test_exemption_reason_ids_were_found_not_derived() -> None:
    # every id is a real TRS id (v4 GUIDs), none a uuid5 placeholder
    assert all(uuid.UUID(r.id).version == 4 for r in trs.INDUCTION_EXEMPTION_REASONS)


def test_every_table_is_keyed_by_known_dqt_values() -> None:
    assert set(trs.GENDERS) == set(ref.GENDERCODE)
    assert set(trs.MQ_STATUSES) == set(ref.MQ_STATUS)
    assert set(trs.SPECIALISMS) == {r.value for r in ref.MQ_SPECIALISMS}
    assert set(trs.ESTABLISHMENT_PROVIDERS) <= {r.value for r in ref.MQ_ESTABLISHMENTS}
    assert set(trs.ALERT_TYPE_BY_SANCTION_CODE) <= {r.value for r in ref.SANCTION_CODES}
    assert set(trs.INDUCTION_STATUSES) == set(ref.INDUCTION_STATUS)
    assert set(trs.INDUCTION_EXEMPTION_REASON_IDS) <= set(ref.INDUCTION_EXEMPTION_REASON)


def test_induction_status_priority_covers_every_status() -> None:
    assert set(trs.INDUCTION_STATUS_PRIORITY) == set(trs.InductionStatus)
    assert sorted(trs.INDUCTION_STATUS_PRIORITY.values()) == list(range(7))


# -- ReferenceLookup ------------------------------------------------------------------------------------------


def test_lookup_from_records_resolves_every_reference_row() -> None:
    lookup = f.lookup()
    assert len(lookup.establishments) == 40
    assert len(lookup.specialisms) == 6
    assert len(lookup.sanction_codes) == 66
    assert lookup.establishments[f.establishment_id("955")] == "955"
    assert lookup.sanction_codes[f.sanction_code_id("T10")] == "T10"


def test_lookup_keys_are_lower_case() -> None:
    row = {"dfeta_specialismid": "ABCDEF00-0000-4000-8000-000000000001", "dfeta_value": "Hearing"}
    lookup = ReferenceLookup.from_records(establishments=[], specialisms=[row], sanction_codes=[])
    assert dict(lookup.specialisms) == {"abcdef00-0000-4000-8000-000000000001": "Hearing"}


def test_duplicate_values_are_allowed_but_duplicate_ids_with_different_values_are_not() -> None:
    a = {"dfeta_specialismid": f.new_id(), "dfeta_value": "Hearing"}
    b = {"dfeta_specialismid": f.new_id(), "dfeta_value": "Hearing"}
    assert (
        len(ReferenceLookup.from_records(establishments=[], specialisms=[a, b, a], sanction_codes=[]).specialisms) == 2
    )
    with pytest.raises(ReferenceDataError, match="twice"):
        ReferenceLookup.from_records(
            establishments=[], specialisms=[a, {**a, "dfeta_value": "Visual"}], sanction_codes=[]
        )


@pytest.mark.parametrize(
    "row",
    [
        {"dfeta_sanctioncodeid": "x", "dfeta_value": "T1"},
        {"dfeta_sanctioncodeid": None, "dfeta_value": "T1"},
        {"dfeta_sanctioncodeid": "12345678-0000-4000-8000-000000000001", "dfeta_value": None},
        {"dfeta_sanctioncodeid": "12345678-0000-4000-8000-000000000001", "dfeta_value": " "},
        {"dfeta_sanctioncodeid": "12345678-0000-4000-8000-000000000001", "dfeta_value": 1},
        {"dfeta_sanctioncodeid": "12345678-0000-4000-8000-000000000001", "dfeta_value": "x" * 101},
        ["not", "a", "record"],
    ],
)
def test_unusable_reference_rows_are_fatal(row: Any) -> None:
    with pytest.raises(ReferenceDataError) as caught:
        ReferenceLookup.from_records(establishments=[], specialisms=[], sanction_codes=[row])
    assert caught.value.entity == "dfeta_sanctioncodes"
    assert caught.value.disposition == "fatal"
