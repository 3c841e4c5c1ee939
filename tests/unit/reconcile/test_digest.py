"""The pure parts of the parity report: column and record digests, range digests, record-by-record comparison."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bridge.reconcile.digest import RangeDigest, Side, column_hash, column_hashes, compare, digest, digest_values

COLUMNS = ("person_id", "trn", "email_address", "date_of_birth", "updated_on", "ids", "status")
ROW = {
    "person_id": "1c9b6b1e-5f0a-4c7e-9a57-3e1f8f6d2a10",
    "trn": "1234567",
    "email_address": None,
    "date_of_birth": dt.date(1980, 5, 17),
    "updated_on": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    "ids": ["a4b7c1d2-0000-4000-8000-000000000001", "a4b7c1d2-0000-4000-8000-000000000002"],
    "status": 0,
}


@pytest.mark.parametrize(
    "values",
    [
        [None, "", "0", "x", "X"],
        [None, 0, 1, -1, -2, 2**62 - 1, 2**62, 2**63 - 1],  # hash(-1) == hash(-2) in Python; not here
        [None, True, False],
        [None, dt.date(2020, 1, 1), dt.date(2020, 1, 2)],
        [None, [], ["x"], ["x", "y"], ["y", "x"]],
    ],
)
def test_column_hashes_tell_apart_the_values_a_column_can_hold(values: list[object]) -> None:
    assert len({column_hash(v) for v in values}) == len(values)


def test_the_inline_fast_path_hashes_as_column_hash_does() -> None:
    values = [None, "", "x", 0, 7, 2**62, 2**63 - 1, -1, True, False, dt.date(2020, 1, 1), ROW["updated_on"], ["x"]]
    assert list(column_hashes(values)) == [column_hash(v) for v in values]
    assert digest_values([ROW[c] for c in COLUMNS], COLUMNS) == digest(ROW, COLUMNS)


def test_equal_values_hash_equal_whatever_their_representation() -> None:
    instant = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert column_hash(instant) == column_hash(instant.astimezone(dt.timezone(dt.timedelta(hours=1))))
    assert column_hash(["a", "b"]) == column_hash(("a", "b"))


def test_a_record_digest_names_exactly_the_columns_that_differ() -> None:
    changed = {**ROW, "email_address": "x@example.org", "ids": list(reversed(ROW["ids"]))}
    assert digest(ROW, COLUMNS).value == digest(dict(ROW), COLUMNS).value
    assert digest(changed, COLUMNS).value != digest(ROW, COLUMNS).value
    assert digest(changed, COLUMNS).fields_differing_from(digest(ROW, COLUMNS)) == ("email_address", "ids")
    assert digest({k: v for k, v in ROW.items() if k != "email_address"}, COLUMNS).value == digest(ROW, COLUMNS).value


def test_records_of_different_shapes_differ_in_every_column() -> None:
    assert digest(ROW, COLUMNS[:2]).fields_differing_from(digest(ROW, COLUMNS[1:3])) == COLUMNS[:3]


def test_a_range_digest_does_not_depend_on_order_but_on_every_record() -> None:
    records = [(f"{n:08x}-0000-4000-8000-000000000000", digest({**ROW, "status": n}, COLUMNS)) for n in range(50)]
    forwards, shuffled, changed = RangeDigest(), RangeDigest(), RangeDigest()
    for key, record in records:
        forwards.add(key, record)
    for key, record in random.Random(4).sample(records, len(records)):
        shuffled.add(key, record)
    for key, record in records[:-1]:
        changed.add(key, record)
    changed.add(records[-1][0], digest({**ROW, "status": 99}, COLUMNS))
    assert forwards == shuffled
    assert forwards != changed
    assert (forwards.count, changed.count) == (50, 50)
    fewer = RangeDigest()
    for key, record in records[:-1]:
        fewer.add(key, record)
    assert fewer != forwards


def test_comparison_reports_missing_extra_and_differing_in_key_order() -> None:
    same, old, new = digest(ROW, COLUMNS), digest(ROW, COLUMNS), digest({**ROW, "trn": "7654321"}, COLUMNS)
    expected = {"b": same, "a": old, "c": same}
    actual = {"b": same, "a": new, "d": same}
    found = [(m.key, m.kind, m.fields) for m in compare(expected, actual)]
    assert found == [("a", "differing", ("trn",)), ("c", "missing", ()), ("d", "extra", ())]
    assert compare(expected, dict(expected)) == []


def test_a_side_counts_a_record_once_and_remembers_its_group_and_dqt_id() -> None:
    side = Side()
    record = digest(ROW, COLUMNS)
    side.add("k", record, group="person", dqt_id="source")
    side.add("k", digest({**ROW, "trn": "0000000"}, COLUMNS), group="other")
    side.add("person", record, attached=True)
    assert side.digests["k"] is record
    assert (side.group("k"), side.dqt_id("k"), side.group("person"), side.dqt_id("person")) == (
        "person",
        "source",
        "person",
        "person",
    )
    assert side.range_digest.count == 2
    assert sorted(side.keys_of(["person"])) == ["k", "person"]
    side.discard("person")
    assert "person" not in side.digests
    assert side.attached == set()
