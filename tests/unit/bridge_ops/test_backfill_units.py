"""The pure parts of the backfill and the operator commands: key ranges, estimates, read-ahead, masking, --since."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator

import pytest

from bridge.backfill import (
    BackfillProgress,
    ShardProgress,
    claimant_is_dead,
    key_fraction,
    read_ahead,
    shard_filter,
    shard_ranges,
)
from bridge.errors import CommandRejected
from bridge.operator import mask_payload, parse_since, validate_trn
from dataverse_client.guid_order import order_key, order_position
from trs_store.sync_runs import RunCounts

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def test_four_shards_split_on_the_hex_digit_dataverse_orders_first() -> None:
    # SQL Server orders a GUID by its last group first (ADR 0097): that is where the bounds fall
    assert shard_ranges(4) == [
        (None, "00000000-0000-0000-0000-400000000000"),
        ("00000000-0000-0000-0000-400000000000", "00000000-0000-0000-0000-800000000000"),
        ("00000000-0000-0000-0000-800000000000", "00000000-0000-0000-0000-c00000000000"),
        ("00000000-0000-0000-0000-c00000000000", None),
    ]
    assert shard_ranges(1) == [(None, None)]


@pytest.mark.parametrize("shards", [1, 2, 3, 7, 16, 100, 256])
def test_ranges_cover_every_key_once_and_evenly(shards: int) -> None:
    ranges = shard_ranges(shards)
    assert len(ranges) == shards
    assert ranges[0][0] is None
    assert ranges[-1][1] is None
    assert all(ranges[n][1] == ranges[n + 1][0] for n in range(shards - 1))  # contiguous, no gap, no overlap
    bounds = [order_position(high) for _, high in ranges[:-1] if high is not None]
    assert bounds == sorted(bounds)
    assert all(b % (1 << 96) == 0 for b in bounds)  # only the 8 hex digits that order first differ
    widths = [b - a for a, b in zip([0, *bounds], [*bounds, 1 << 128], strict=True)]
    assert max(widths) - min(widths) <= (1 << 96) + 1


@pytest.mark.parametrize("shards", [0, -1, 257])
def test_shard_count_is_bounded(shards: int) -> None:
    with pytest.raises(CommandRejected):
        shard_ranges(shards)


def test_every_guid_falls_in_exactly_one_shard_and_the_shards_are_even() -> None:
    ranges = [(low and order_key(low), high and order_key(high)) for low, high in shard_ranges(7)]
    per_shard = [0] * 7
    for _ in range(7_000):
        key = order_key(str(uuid.uuid4()))  # compared as Dataverse compares them
        inside = [
            n for n, (low, high) in enumerate(ranges) if (low is None or key >= low) and (high is None or key < high)
        ]
        assert len(inside) == 1
        per_shard[inside[0]] += 1
    assert all(800 <= n <= 1_200 for n in per_shard), per_shard


def test_shard_filter_starts_after_the_position() -> None:
    low, high = "40000000-0000-0000-0000-000000000000", "80000000-0000-0000-0000-000000000000"
    position = "5a5a5a5a-0000-4000-8000-000000000001"
    assert str(shard_filter("contactid", low, high, None)) == f"(contactid ge {low}) and (contactid lt {high})"
    assert str(shard_filter("contactid", low, high, position)) == f"(contactid gt {position}) and (contactid lt {high})"
    assert str(shard_filter("contactid", None, high, None)) == f"contactid lt {high}"
    assert shard_filter("contactid", None, None, None) is None


def test_key_fraction_is_the_share_of_the_range_read() -> None:
    assert key_fraction(None, None, None) == 0.0
    # positions in Dataverse's order: the last group counts first (ADR 0097)
    assert key_fraction(None, None, "ffffffff-ffff-ffff-ffff-7fffffffffff") == pytest.approx(0.5)
    assert key_fraction(None, None, "7fffffff-ffff-ffff-ffff-ffffffffffff") == pytest.approx(1.0)
    assert key_fraction(
        "00000000-0000-0000-0000-400000000000",
        "00000000-0000-0000-0000-800000000000",
        "ffffffff-ffff-ffff-ffff-5fffffffffff",
    ) == pytest.approx(0.5)
    assert key_fraction(None, None, "ffffffff-ffff-ffff-ffff-ffffffffffff") == 1.0


def test_progress_estimates_the_total_from_key_positions() -> None:
    shards = [ShardProgress(n, low, high, None, RunCounts(), False) for n, (low, high) in enumerate(shard_ranges(2))]
    progress = BackfillProgress("person", shards)
    assert progress.estimated_total is None
    # half of shard 0 read (a quarter of the key space): 250 rows, so about 1,000 in all
    progress.page(0, "ffffffff-ffff-ffff-ffff-3fffffffffff", RunCounts(pages=1, seen=250, inserted=240, failed=10))
    assert progress.fraction == pytest.approx(0.25)
    assert progress.estimated_total == 1000
    assert progress.counts.failed == 10
    assert progress.eta_seconds is not None
    progress.shard_done(0)
    progress.shard_done(1)
    assert progress.finished
    assert progress.estimated_total == 250


def test_read_ahead_keeps_order_and_fetches_one_page_ahead() -> None:
    fetched: list[int] = []

    def pages() -> Iterator[int]:
        for n in range(5):
            fetched.append(n)
            yield n

    reader = read_ahead(pages(), lambda: NOW)
    assert [page for _, page in reader] == [0, 1, 2, 3, 4]
    assert fetched == [0, 1, 2, 3, 4]


def test_read_ahead_raises_the_fetch_error_in_order() -> None:
    def pages() -> Iterator[int]:
        yield 1
        raise RuntimeError("DQT went away")

    reader = read_ahead(pages(), lambda: NOW)
    assert next(reader)[1] == 1
    with pytest.raises(RuntimeError, match="went away"):
        next(reader)


def test_closing_the_reader_stops_fetching() -> None:
    fetched: list[int] = []

    def pages() -> Iterator[int]:
        for n in range(1000):
            fetched.append(n)
            yield n

    reader = read_ahead(pages(), lambda: NOW, depth=1)
    assert next(reader)[1] == 0
    reader.close()
    threading.Event().wait(0.5)
    assert len(fetched) <= 4


def test_a_claimant_process_that_is_gone_is_dead() -> None:
    import os
    import socket
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    host = socket.gethostname()
    assert claimant_is_dead(f"{host}:{child.pid}:1")
    assert not claimant_is_dead(f"{host}:{os.getpid()}:1")  # this process
    assert not claimant_is_dead(f"other-host:{child.pid}:1")  # can't tell: wait for the lease


def test_personal_data_is_masked_at_any_depth() -> None:
    payload = {
        "contactid": "c1",
        "dfeta_trn": "1234567",
        "firstname": "Ann",
        "emailaddress1": "ann@example.org",
        "birthdate": "1980-01-01",
        "dfeta_ninumber": None,
        "versionnumber": 7,
        "contact": {"lastname": "Lee", "dfeta_statedfirstname": "Annie"},
        "previous_names": [{"dfeta_name": "Smith", "dfeta_type": 1}],
        "dfeta_name": "Mandatory Qualification",
    }
    masked = mask_payload(payload, "contacts")
    assert masked == {
        "contactid": "c1",
        "dfeta_trn": "1234567",
        "firstname": "<masked: 3 chars>",
        "emailaddress1": "<masked: 15 chars>",
        "birthdate": "<masked: 10 chars>",
        "dfeta_ninumber": None,
        "versionnumber": 7,
        "contact": {"lastname": "<masked: 3 chars>", "dfeta_statedfirstname": "<masked: 5 chars>"},
        "previous_names": [{"dfeta_name": "<masked: 5 chars>", "dfeta_type": 1}],
        "dfeta_name": "Mandatory Qualification",
    }
    assert mask_payload({"dfeta_name": "Jones"}, "dfeta_previousnames") == {"dfeta_name": "<masked: 5 chars>"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW - dt.timedelta(minutes=30)),
        ("24h", NOW - dt.timedelta(hours=24)),
        ("7d", NOW - dt.timedelta(days=7)),
        ("2w", NOW - dt.timedelta(weeks=2)),
        ("2026-11-01", dt.datetime(2026, 11, 1, tzinfo=dt.UTC)),
        ("2026-11-01T10:00:00Z", dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)),
    ],
)
def test_since(text: str, expected: dt.datetime) -> None:
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "7 days", "-3d", ""])
def test_bad_since_is_rejected(text: str) -> None:
    with pytest.raises(CommandRejected):
        parse_since(text, NOW)


@pytest.mark.parametrize("trn", ["123456", "12345678", "123456a", " ", "１２３４５６７"])
def test_a_trn_is_seven_ascii_digits(trn: str) -> None:
    with pytest.raises(CommandRejected):
        validate_trn(trn)
    assert validate_trn(" 1234567 ") == "1234567"
