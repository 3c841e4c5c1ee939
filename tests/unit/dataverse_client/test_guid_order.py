"""Dataverse's GUID order is SQL Server's ``uniqueidentifier`` order (ADR 0097)."""

from __future__ import annotations

import random
import uuid

from hypothesis import given
from hypothesis import strategies as st

from dataverse_client.guid_order import (
    KEY_SPACE,
    at_order_position,
    from_order_key,
    order_key,
    order_position,
)
from tests.support.guid_order import SQL_SERVER_ORDER


def test_order_keys_sort_as_sql_server_sorts() -> None:
    shuffled = random.Random(7).sample(SQL_SERVER_ORDER, len(SQL_SERVER_ORDER))
    assert sorted(shuffled, key=order_key) == SQL_SERVER_ORDER
    assert sorted(SQL_SERVER_ORDER) != SQL_SERVER_ORDER  # not text order


def test_microsofts_example_is_larger_by_its_last_group() -> None:
    # '55666BEE-…-86FF976E763F' sorts after '8DD5BCA5-…-393AE6BBB849': 86FF… > 393A… decides
    assert order_key("55666BEE-B3A0-4BF5-81A7-86FF976E763F") > order_key("8DD5BCA5-6ABE-4F73-B4B7-393AE6BBB849")


@given(st.uuids())
def test_order_keys_and_positions_go_back_to_the_guid(value: uuid.UUID) -> None:
    guid = str(value)
    assert from_order_key(order_key(guid)) == guid
    assert at_order_position(order_position(guid)) == guid
    assert 0 <= order_position(guid) < KEY_SPACE
    assert order_key(guid.upper()) == order_key(guid)


def test_the_ends_of_the_order() -> None:
    assert at_order_position(0) == "00000000-0000-0000-0000-000000000000"
    assert at_order_position(KEY_SPACE - 1) == "ffffffff-ffff-ffff-ffff-ffffffffffff"
    assert at_order_position(1 << 127) == "00000000-0000-0000-0000-800000000000"
