"""Delta tokens (format, expiry) and the change-log windows behind delta reads; store transactions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dqt_simulator.change_tracking import DELETE, UPSERT, check_token, compute_delta, format_token, parse_token
from dqt_simulator.errors import ApiError
from dqt_simulator.schema import ENTITIES
from dqt_simulator.store import Store, Table, etag

NOW = datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC).timestamp()


def test_token_format() -> None:
    stamp = datetime(2017, 8, 22, 8, 10, 44, tzinfo=UTC).timestamp()
    assert format_token(919042, stamp) == "919042!08/22/2017 08:10:44"
    assert parse_token("12644418993!10/06/2022 20:06:12") == (
        12644418993,
        datetime(2022, 10, 6, 20, 6, 12, tzinfo=UTC).timestamp(),
    )


@pytest.mark.parametrize(
    "token", ["None", "", "12", "12!", "abc!10/06/2022 20:06:12", "12!2022-10-06 20:06:12", "12!13/45/2022 20:06:12"]
)
def test_garbled_tokens(token: str) -> None:
    with pytest.raises(ApiError) as info:
        check_token(token, now=NOW, retention_seconds=86400, current_version=100)
    assert info.value.status == 400


def test_expiry_is_judged_from_the_token_timestamp() -> None:
    token = format_token(50, NOW - 3600)
    assert check_token(token, now=NOW, retention_seconds=3600, current_version=100) == 50
    with pytest.raises(ApiError) as info:
        check_token(token, now=NOW + 1, retention_seconds=3600, current_version=100)
    assert info.value.status == 400
    assert info.value.code == "0x80044352"
    assert info.value.message == "Version stamp associated with the client has expired. Please perform a full sync."


def test_token_from_the_future_is_refused() -> None:
    with pytest.raises(ApiError):
        check_token(format_token(101, NOW), now=NOW, retention_seconds=3600, current_version=100)


def _store() -> tuple[Store, Table]:
    store = Store(ENTITIES)
    return store, store.tables["contacts"]


def _put(store: Store, table: Table, record_id: str, **fields: object) -> None:
    with store.lock:
        version = store.next_version()
        old = table.rows.get(record_id)
        row = dict(old) if old else table.blank_row()
        row.update(fields, contactid=record_id, versionnumber=version)
        row["@odata.etag"] = etag(version)
        if old is None:
            store.insert(table, row)
        else:
            store.replace(table, old, row)


def _delete(store: Store, table: Table, record_id: str) -> None:
    with store.lock:
        store.remove(table, table.rows[record_id], store.next_version())


def test_delta_window_semantics() -> None:
    store, table = _store()
    for name in "abcd":
        _put(store, table, name)
    since = store.version  # 4
    _put(store, table, "a", firstname="x")  # 5
    _put(store, table, "e")  # 6 created
    _delete(store, table, "b")  # 7
    _put(store, table, "f")  # 8 created ...
    _delete(store, table, "f")  # 9 ... and deleted: reported deleted
    _put(store, table, "c")  # 10
    _put(store, table, "a", firstname="y")  # 11: a moves after c
    upto = store.version
    _put(store, table, "d")  # 12: after the snapshot
    listing = compute_delta(table, since, upto)
    assert listing.ids == ["e", "c", "a", "b", "f"]
    assert listing.keys == [(UPSERT, 6), (UPSERT, 10), (UPSERT, 11), (DELETE, 7), (DELETE, 9)]
    assert listing.position_after(UPSERT, 10) == 2
    assert listing.position_after(DELETE, 7) == 4
    assert compute_delta(table, upto, upto).ids == []
    assert compute_delta(table, upto, store.version).ids == ["d"]


def test_transaction_rolls_back_rows_log_and_audit() -> None:
    store, table = _store()
    _put(store, table, "a", firstname="before")
    log_length = len(table.log_versions)
    with store.transaction() as txn:
        _put(store, table, "a", firstname="after")
        _put(store, table, "b")
        _delete(store, table, "a")
        store.add_audit({"id": "x"})
        txn.rollback()
    assert table.rows["a"]["firstname"] == "before"
    assert "b" not in table.rows
    assert list(table.ids) == ["a"]
    assert len(table.log_versions) == log_length
    assert store.audit == []
    _put(store, table, "c")
    assert table.log_versions == sorted(table.log_versions), "versions are never reused"


def test_exception_in_transaction_rolls_back() -> None:
    store, table = _store()

    def fail_half_way() -> None:
        with store.transaction():
            _put(store, table, "z")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_half_way()
    assert "z" not in table.rows
