"""The ``RequestLimiter`` hook: one slot per HTTP attempt, released whatever happens."""

from __future__ import annotations

from typing import Any

import pytest

from dataverse_client import NoRequestLimit, NotFound, RequestLimiter

from .handler_adapter import Sent, StaticTokens, make_client

GUID = "49b0be2e-d01c-ed11-b83e-000d3a572421"


class RecordingLimiter:
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []
        self.held: set[int] = set()
        self._next = 0

    def acquire(self) -> object:
        self._next += 1
        self.held.add(self._next)
        self.events.append(("acquire", self._next))
        return self._next

    def release(self, token: object) -> None:
        assert isinstance(token, int)
        self.held.remove(token)
        self.events.append(("release", token))


class GiveUp(Exception):
    pass


def test_the_default_admits_everything() -> None:
    limiter: RequestLimiter = NoRequestLimit()
    limiter.release(limiter.acquire())


def test_each_attempt_holds_exactly_one_slot_during_the_send() -> None:
    limiter = RecordingLimiter()
    replies = iter([(429, {"Retry-After": "1"}, {"error": {"code": "0x80072322", "message": "limit"}})])

    def handler(sent: Sent) -> tuple[int, dict[str, str], Any]:
        assert len(limiter.held) == 1  # the attempt on the wire holds its slot
        return next(replies, (200, {}, {"contactid": GUID}))

    client, adapter, _ = make_client(handler, limiter=limiter)
    client.get("contacts", GUID)
    assert len(adapter.requests_seen) == 2  # the 429, then the retry
    assert limiter.events == [("acquire", 1), ("release", 1), ("acquire", 2), ("release", 2)]
    assert not limiter.held


def test_the_401_resend_takes_its_own_slot() -> None:
    limiter = RecordingLimiter()
    tokens = StaticTokens()

    def handler(sent: Sent) -> tuple[int, dict[str, str], Any]:
        if sent.headers["Authorization"].endswith("generation-0"):
            return 401, {}, {"error": {"code": "0x8005F101", "message": "expired"}}
        return 200, {}, {"contactid": GUID}

    client, _, _ = make_client(handler, limiter=limiter, token_provider=tokens)
    client.get("contacts", GUID)
    assert [e for e, _ in limiter.events] == ["acquire", "release", "acquire", "release"]


def test_a_failed_attempt_still_releases() -> None:
    limiter = RecordingLimiter()
    client, _, _ = make_client(lambda sent: (404, {}, {"error": {"code": "0x80040217", "message": "gone"}}))
    client.limiter = limiter
    with pytest.raises(NotFound):
        client.get("contacts", GUID)
    assert not limiter.held
    assert len(limiter.events) == 2


def test_a_limiter_that_gives_up_sends_nothing_and_is_not_retried() -> None:
    class Refusing:
        def acquire(self) -> object:
            raise GiveUp("stopping")

        def release(self, token: object) -> None:
            raise AssertionError("nothing was acquired")

    client, adapter, _ = make_client(lambda sent: (200, {}, {}), limiter=Refusing())
    with pytest.raises(GiveUp):
        client.get("contacts", GUID)
    assert adapter.requests_seen == []
