"""Pure helpers: GUID and timestamp normalisation, result arithmetic, value-free error details."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from trs_store.isolation import _safe_detail, is_safe_key_column
from trs_store.sync_runs import RunCounts
from trs_store.types import as_utc, canonical_guid
from trs_store.upsert import UpsertResult, _newer


def test_canonical_guid() -> None:
    value = uuid.uuid4()
    assert canonical_guid(value) == str(value)
    assert canonical_guid(str(value).upper()) == str(value)
    assert canonical_guid("{" + str(value) + "}") == str(value)
    assert canonical_guid(str(value)) == str(value)
    for bad in ("Rosalind", "", 42, None):
        with pytest.raises(ValueError, match="not a GUID") as raised:
            canonical_guid(bad)
        assert "Rosalind" not in str(raised.value)


def test_as_utc() -> None:
    london = dt.datetime(2024, 7, 1, 13, 0, tzinfo=ZoneInfo("Europe/London"))
    assert as_utc(london) == dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert as_utc(london).tzinfo is dt.UTC
    with pytest.raises(ValueError, match="naive"):
        as_utc(dt.datetime(2024, 7, 1))


@pytest.mark.parametrize(
    ("stored", "incoming", "applies"),
    [(None, 1, True), (None, None, True), (1, 2, True), (2, 2, False), (3, 2, False), (1, None, False)],
)
def test_newer_wins_guard_in_python_matches_sql(stored: int | None, incoming: int | None, applies: bool) -> None:
    assert _newer(stored, incoming) is applies


def test_results_add_up() -> None:
    assert UpsertResult(1, 2, 3) + UpsertResult(4, 5, 6) == UpsertResult(5, 7, 9)
    assert UpsertResult(1, 2, 3).applied == 3
    assert UpsertResult(1, 2, 3).total == 6
    assert RunCounts(pages=1, seen=2) + RunCounts(pages=1, failed=1) == RunCounts(pages=2, seen=2, failed=1)


@pytest.mark.parametrize("column", ["trn", "person_id", "id", "dqt_contact_id"])
def test_safe_key_columns(column: str) -> None:
    assert is_safe_key_column(column)


@pytest.mark.parametrize("column", ["email_address", "last_name", "date_of_birth", "national_insurance_number"])
def test_unsafe_key_columns(column: str) -> None:
    assert not is_safe_key_column(column)


def test_details_keep_ids_and_trns_only() -> None:
    assert _safe_detail("Key (trn)=(1234567) already exists.") == "Key (trn)=(1234567) already exists."
    assert _safe_detail('Key (person_id)=(4b1e…) is not present in table "persons".') is not None
    redacted = _safe_detail("Key (email_address)=(rosalind@example.org) already exists.")
    assert redacted == "Key (email_address)=(<redacted>) already exists."
    mixed = _safe_detail("Key (person_id, last_name)=(4b1e, Franklinshire) already exists.")
    assert mixed is not None
    assert "Franklinshire" not in mixed
    assert _safe_detail("Failing row contains (4b1e, 1234567, Rosalind, Franklinshire, 1980-07-25).") is None
    assert _safe_detail(None) is None


def test_a_failed_records_payload_keeps_nul_characters_as_text() -> None:
    from trs_store.failed_records import storable_payload

    payload = {"firstname": "Na\x00me", "list\x00": ["a\x00", 1, None], "n": 2}
    assert storable_payload(payload) == {"firstname": "Na\\u0000me", "list\\u0000": ["a\\u0000", 1, None], "n": 2}
    assert storable_payload("clean") == "clean"
