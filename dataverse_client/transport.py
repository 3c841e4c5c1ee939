"""One pooled HTTPS session, the OData headers, and the single place HTTP failures become errors.

Everything below the client's policy (retries, paging, auth refresh) lives here:

* :class:`PinnedSession` forces ``verify=<our CA bundle or True>`` and a timeout onto *every* request,
  including msal's. ``requests`` otherwise lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` replace the
  session's ``verify`` whenever a request's own ``verify`` is unset, which silently trusts a different
  CA. (With no CA bundle configured we pass ``True`` and those variables still choose the store, as
  for any ``requests`` program; they can never switch verification off.)
* :class:`Prefer` composes the ``Prefer`` header as one comma-joined value.
* :class:`Transport` sends one request, reports a :class:`~dataverse_client.hooks.CallRecord`, and
  turns connection failures and 4xx/5xx responses into typed errors through :func:`error_from_response`.
  Nothing else in the package looks at a status code.
"""

from __future__ import annotations

import math
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

import orjson
import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from .config import DataverseSettings
from .errors import DataverseError, TransportError, error_for
from .hooks import CallRecord, Hooks

__all__ = ["PinnedSession", "Prefer", "Transport", "decode_json", "error_from_response", "parse_retry_after"]

#: Headers every Web API request carries.
ODATA_HEADERS: Final = {
    "Accept": "application/json",
    "OData-MaxVersion": "4.0",
    "OData-Version": "4.0",
}


#: A URI with nothing ``requests`` would need to escape: RFC 3986 characters and valid %-escapes.
_WELL_FORMED_URI: Final = re.compile(r"https://(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")


class PinnedSession(requests.Session):
    """A ``requests.Session`` whose every request verifies TLS against ``verify`` and has a timeout.

    Overriding :meth:`send` (not ``request``) catches every path, including redirects and msal's calls,
    and runs *after* ``requests`` has merged environment settings, so the environment cannot win.
    """

    def __init__(self, *, verify: str | bool, timeout: tuple[float, float]) -> None:
        super().__init__()
        if verify is False:
            raise ValueError("TLS verification cannot be disabled")
        self.verify = verify
        self._pinned_verify = verify
        self._default_timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["verify"] = self._pinned_verify
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._default_timeout
        return super().send(request, **kwargs)


@dataclass(frozen=True, slots=True)
class Prefer:
    """The ``Prefer`` options Dataverse understands; :meth:`header` joins the chosen ones."""

    return_representation: bool = False
    include_annotations: str | None = None  # "*" or a comma list of annotation patterns
    max_page_size: int | None = None
    track_changes: bool = False
    continue_on_error: bool = False

    def header(self) -> str | None:
        parts: list[str] = []
        if self.return_representation:
            parts.append("return=representation")
        if self.include_annotations:
            if '"' in self.include_annotations or "\r" in self.include_annotations:
                raise ValueError("annotation pattern must not contain quotes or line breaks")
            parts.append(f'odata.include-annotations="{self.include_annotations}"')
        if self.max_page_size is not None:
            parts.append(f"odata.maxpagesize={int(self.max_page_size)}")
        if self.track_changes:
            parts.append("odata.track-changes")
        if self.continue_on_error:
            parts.append("odata.continue-on-error")
        return ",".join(parts) or None


class Transport:
    """Sends single Web API requests over one pooled session; no retries, no auth policy."""

    def __init__(
        self,
        settings: DataverseSettings,
        hooks: Hooks | None = None,
        *,
        adapter: BaseAdapter | None = None,
    ) -> None:
        self.settings = settings
        self.hooks = hooks if hooks is not None else Hooks()
        self.session = PinnedSession(verify=settings.verify, timeout=settings.timeout.as_requests())
        self.session.headers["User-Agent"] = "dqt-trs-bridge-dataverse-client"
        self.session.mount(
            "https://",
            adapter
            or HTTPAdapter(pool_connections=4, pool_maxsize=settings.max_connections, max_retries=0, pool_block=False),
        )

    def close(self) -> None:
        self.session.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        token: str,
        entity_set: str,
        attempt: int,
        client_request_id: str,
        body: bytes | None = None,
        content_type: str = "application/json",
        prefer: Prefer | None = None,
        headers: Mapping[str, str] | None = None,
        accept_multipart_error: bool = False,
    ) -> requests.Response:
        """Send one request and return the response if it succeeded (< 400).

        Raises a typed :class:`DataverseError` otherwise. ``accept_multipart_error`` returns a failed
        ``$batch`` response whose body is multipart (its parts carry the real per-operation errors).
        """
        all_headers = {
            **ODATA_HEADERS,
            "Authorization": f"Bearer {token}",
            "x-ms-client-request-id": client_request_id,
        }
        if method == "GET":
            all_headers["If-None-Match"] = "null"
        if body is not None:
            all_headers["Content-Type"] = content_type
        prefer_value = prefer.header() if prefer else None
        if prefer_value:
            all_headers["Prefer"] = prefer_value
        all_headers.update(headers or {})
        started = time.monotonic()
        try:
            response = self._send_verbatim(method, url, body, all_headers)
        except OSError as exc:  # requests' errors are OSErrors; so is an unreadable CA bundle
            self._report(
                method=method,
                entity_set=entity_set,
                status=None,
                started=started,
                body=body,
                response_bytes=0,
                attempt=attempt,
            )
            raise TransportError(
                f"no response from Dataverse: {type(exc).__name__}",
                transient=is_transient(exc),
                method=method,
                entity_set=entity_set,
            ) from exc
        self._report(
            method=method,
            entity_set=entity_set,
            status=response.status_code,
            started=started,
            body=body,
            response_bytes=len(response.content),
            attempt=attempt,
        )
        if response.status_code < 400:
            return response
        if accept_multipart_error and _is_multipart(response):
            return response
        raise error_from_response(
            response.status_code, response.headers, response.content, method=method, entity_set=entity_set
        )

    def _send_verbatim(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]
    ) -> requests.Response:
        """Send ``url`` exactly as given when it is already a well-formed URI (``requests`` would
        otherwise re-quote it, e.g. upper-casing ``%2f`` inside a paging cookie)."""
        prepared = self.session.prepare_request(requests.Request(method, url, data=body, headers=dict(headers)))
        if _WELL_FORMED_URI.fullmatch(url):
            prepared.url = url
        settings = self.session.merge_environment_settings(prepared.url, {}, None, None, None)
        return self.session.send(prepared, **settings)

    def _report(
        self,
        *,
        method: str,
        entity_set: str,
        status: int | None,
        started: float,
        body: bytes | None,
        response_bytes: int,
        attempt: int,
    ) -> None:
        self.hooks.emit(
            CallRecord(
                method=method,
                entity_set=entity_set,
                status=status,
                duration_s=time.monotonic() - started,
                request_bytes=len(body) if body else 0,
                response_bytes=response_bytes,
                attempt=attempt,
            )
        )


def is_transient(exc: OSError) -> bool:
    """Whether a failure to get any response might go away on retry: a network error may; a rejected
    certificate or a local problem (e.g. a missing CA bundle file) will not."""
    return isinstance(exc, requests.RequestException) and not certificate_rejected(exc)


def certificate_rejected(exc: BaseException) -> bool:
    """Whether ``exc`` (or anything it wraps) is a failed TLS certificate verification."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        pending += [a for a in current.args if isinstance(a, BaseException)]
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _is_multipart(response: requests.Response) -> bool:
    return response.headers.get("Content-Type", "").lower().startswith("multipart/")


def decode_json(response: requests.Response) -> dict[str, Any]:
    """The response body as a JSON object (``{}`` when empty)."""
    if not response.content:
        return {}
    try:
        value = orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise DataverseError("Dataverse returned a body that is not JSON", status=response.status_code) from exc
    if not isinstance(value, dict):
        raise DataverseError("Dataverse returned JSON that is not an object", status=response.status_code)
    return value


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    method: str | None = None,
    entity_set: str | None = None,
) -> DataverseError:
    """Map a failed response (status, headers, body) to its typed error.

    Reads ``{"error": {"code", "message"}}`` when the body has it, the request id from ``REQ_ID`` or
    ``x-ms-service-request-id``, and ``Retry-After`` for 429s.
    """
    code, message = _error_body(content)
    request_id = _header(headers, "REQ_ID") or _header(headers, "x-ms-service-request-id")
    return error_for(
        status,
        code,
        message or f"HTTP {status}",
        request_id=request_id,
        retry_after=parse_retry_after(_header(headers, "Retry-After")),
        method=method,
        entity_set=entity_set,
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    if name in headers:
        return headers[name]
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _error_body(content: bytes) -> tuple[str | None, str]:
    try:
        body = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None, ""
    if not isinstance(body, dict):
        return None, ""
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        return (str(code) if code not in (None, "") else None, str(message or ""))
    # OAuth-shaped errors ({"error": "invalid_client", "error_description": ...}) from proxies/authorities
    if isinstance(error, str):
        return None, str(body.get("error_description") or error)
    return None, ""


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date. ``None`` when
    absent or unreadable (the caller then backs off exponentially)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
