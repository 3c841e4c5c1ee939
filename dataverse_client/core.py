"""The shared machinery under :class:`~.client.DataverseClient`: construction, lifecycle, URL
building, and the one method every call goes through (:meth:`ClientCore._request`).

``_request`` applies, in order: the Retry-After gate, a bearer token (from msal's cache), a slot from the
request limiter (held for exactly one HTTP attempt), the send, the refresh-once-on-401 rule, and the retry
policy around all of it. Reads and writes live in
:mod:`.reads` and :mod:`.writes` and only ever call ``_request``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import quote

import requests
from requests.adapters import BaseAdapter

from . import odata
from .auth import MsalTokenProvider, TokenProvider
from .config import MAX_PAGE_SIZE, DataverseSettings
from .errors import AuthError
from .hooks import Hook, Hooks
from .limiter import NoRequestLimit, RequestLimiter
from .metadata import EntityInfo, EntityInfoCache, definitions_params
from .retry import LocalRetryAfterGate, RetryAfterGate, RetryPolicy
from .transport import PinnedSession, Prefer, Transport, decode_json

__all__ = ["ClientCore", "Key"]

#: Characters left unescaped in query option values (OData punctuation that is safe in a query).
_QUERY_SAFE: Final = "',()*:/@"

#: How a record is addressed: its id, or an alternate key as a mapping of column to value.
Key = str | uuid.UUID | Mapping[str, object]


class ClientCore:
    """Owns the pooled session, the token provider, the gate, the limiter, the hooks and the metadata cache."""

    def __init__(
        self,
        settings: DataverseSettings,
        *,
        hooks: Iterable[Hook] = (),
        gate: RetryAfterGate | None = None,
        limiter: RequestLimiter | None = None,
        retry_policy: RetryPolicy | None = None,
        token_provider: TokenProvider | None = None,
        adapter: BaseAdapter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.hooks = Hooks(hooks)
        self.gate: RetryAfterGate = gate or LocalRetryAfterGate()
        self.limiter: RequestLimiter = limiter or NoRequestLimit()
        self.retry_policy = retry_policy or RetryPolicy(max_retry_seconds=settings.max_retry_seconds)
        self._transport = Transport(settings, self.hooks, adapter=adapter)
        self._token_session: PinnedSession | None = None
        if token_provider is None:
            self._token_session = PinnedSession(verify=settings.verify, timeout=settings.timeout.as_requests())
            token_provider = MsalTokenProvider(settings, self._token_session)
        self._tokens = token_provider
        self._sleep = sleep
        self._entities = EntityInfoCache(self._fetch_entity_definition)

    def close(self) -> None:
        self._transport.close()
        if self._token_session is not None:
            self._token_session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def add_hook(self, hook: Hook) -> None:
        self.hooks.add(hook)

    def entity_info(self, entity_set: str) -> EntityInfo:
        """Logical name and primary key of ``entity_set`` (one metadata call, then cached)."""
        return self._entities.get(odata.name(entity_set))

    def _fetch_entity_definition(self, entity_set: str) -> dict[str, Any]:
        url = self._url("EntityDefinitions", definitions_params(entity_set))
        return decode_json(self._request("GET", url, entity_set="EntityDefinitions", idempotent=True))

    def _page_size(self, page_size: int | None) -> int:
        size = self.settings.page_size if page_size is None else page_size
        if not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {size!r}")
        return size

    def _url(self, path: str, params: Sequence[tuple[str, str]] = ()) -> str:
        url = self.settings.api_url + path
        if params:
            url += "?" + "&".join(f"{name}={quote(value, safe=_QUERY_SAFE)}" for name, value in params)
        return url

    def _request(
        self,
        method: str,
        url: str,
        *,
        entity_set: str,
        idempotent: bool,
        body: bytes | None = None,
        content_type: str = "application/json",
        prefer: Prefer | None = None,
        headers: Mapping[str, str] | None = None,
        accept_multipart_error: bool = False,
    ) -> requests.Response:
        """Send with the retry policy, the gate and the limiter; on a 401, drop the cached token and resend once."""
        client_request_id = str(uuid.uuid4())

        def send(token: str, attempt: int) -> requests.Response:
            slot = self.limiter.acquire()
            try:
                return self._transport.send(
                    method,
                    url,
                    token=token,
                    entity_set=entity_set,
                    attempt=attempt,
                    client_request_id=client_request_id,
                    body=body,
                    content_type=content_type,
                    prefer=prefer,
                    headers=headers,
                    accept_multipart_error=accept_multipart_error,
                )
            finally:
                self.limiter.release(slot)

        def attempt(number: int) -> requests.Response:
            try:
                return send(self._tokens.token(), number)
            except AuthError as exc:
                if exc.status != 401:
                    raise
            self._tokens.invalidate()
            return send(self._tokens.token(), number)

        return self.retry_policy.call(attempt, idempotent=idempotent, gate=self.gate, sleep=self._sleep)


def impersonation(caller_object_id: str | uuid.UUID | None) -> dict[str, str]:
    """The ``CallerObjectId`` header that makes Dataverse act as that Entra user (validated GUID)."""
    return {} if caller_object_id is None else {"CallerObjectId": str(odata.guid(caller_object_id))}
