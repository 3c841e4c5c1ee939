"""An in-process ``requests`` transport for unit tests (httpx's ``MockTransport`` idea).

A test hands :class:`HandlerAdapter` a function from request to ``(status, headers, body)``; the client
runs its real code down to the adapter seam, where a socket would be. ``requests_seen`` keeps what was
sent (method, URL, headers, body, and the ``verify``/``timeout`` the session passed) so tests can assert
on the wire format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from dataverse_client import DataverseClient, DataverseSettings, LocalRetryAfterGate

API = "https://org.example.crm.dynamics.com/api/data/v9.2/"


@dataclass
class Sent:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    verify: Any
    timeout: Any

    def json(self) -> Any:
        return orjson.loads(self.body)


Reply = tuple[int, Mapping[str, str], bytes | dict[str, Any] | None]
Handler = Callable[[Sent], Reply]


class HandlerAdapter(BaseAdapter):
    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.handler = handler
        self.requests_seen: list[Sent] = []

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        body = request.body or b""
        sent = Sent(
            method=request.method or "",
            url=request.url or "",
            headers=dict(request.headers),
            body=body.encode() if isinstance(body, str) else body,
            verify=verify,
            timeout=timeout,
        )
        self.requests_seen.append(sent)
        status, headers, content = self.handler(sent)
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        if isinstance(content, dict):
            response._content = orjson.dumps(content)
            response.headers.setdefault("Content-Type", "application/json; odata.metadata=minimal")
        else:
            response._content = content or b""
        response.url = sent.url
        response.request = request
        return response

    def close(self) -> None:
        pass


class StaticTokens:
    """A token provider that hands out numbered tokens and counts invalidations."""

    def __init__(self) -> None:
        self.issued = 0
        self.invalidated = 0

    def token(self) -> str:
        self.issued += 1
        return f"token-generation-{self.invalidated}"

    def invalidate(self) -> None:
        self.invalidated += 1


def settings(**overrides: Any) -> DataverseSettings:
    values: dict[str, Any] = {
        "base_url": "https://org.example.crm.dynamics.com",
        "tenant_id": "00000000-0000-0000-0000-0000000000aa",
        "client_id": "00000000-0000-0000-0000-0000000000bb",
        "client_secret": "s3cr3t-never-logged",
        "max_retry_seconds": 30.0,
    }
    values.update(overrides)
    return DataverseSettings(**values)


class FakeClock:
    """Monotonic time that moves only when something sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(handler: Handler, **kwargs: Any) -> tuple[DataverseClient, HandlerAdapter, FakeClock]:
    """A client wired to ``handler`` and a fake clock (retry sleeps and the gate both use it)."""
    adapter = HandlerAdapter(handler)
    clock = FakeClock()
    client = DataverseClient(
        kwargs.pop("settings", None) or settings(),
        token_provider=kwargs.pop("token_provider", None) or StaticTokens(),
        adapter=adapter,
        gate=kwargs.pop("gate", None) or LocalRetryAfterGate(clock=clock, sleep=clock.sleep),
        sleep=clock.sleep,
        **kwargs,
    )
    return client, adapter, clock
