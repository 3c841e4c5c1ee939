"""Typed errors for everything that can go wrong talking to Dataverse.

Callers decide what to do from the *class* of an error (retry, skip the record, re-initialise change
tracking, stop and tell an operator), so every failure the client can see is mapped here to one class,
once, in :func:`error_for`. The transport is the only caller of that function; nothing else inspects
HTTP status codes.

The tree::

    DataverseError                  status, code (hex HRESULT), message, request_id, method, entity_set
    ├── TransportError              no HTTP response (connection refused/reset, timeout, TLS); transient
    ├── AuthError                   401/403 from the Web API, or the authority refused us a token
    ├── NotFound                    404 / 0x80040217
    ├── ConcurrencyConflict         412 / 0x80060882 (stale ETag)
    ├── DuplicateRecord             0x80040237 / 0x80060892 / 0x80040333 (usually 412)
    ├── Throttled                   429 service protection: retry_after, limit
    ├── ExpiredDeltaToken           0x80044352: the stored deltaLink is too old, re-initialise
    ├── ChangeTrackingNotEnabled    0x80072491, or a track-changes read that produced no deltaLink
    ├── PagingError                 Dataverse's nextLinks loop, or point somewhere other than Dataverse
    ├── BadRequest                  400 and other 4xx with no more specific class
    │   └── ValidationError         the record itself was rejected (0x80044331, 0x80048d19, ...)
    └── ServiceUnavailable          5xx (``transient`` for 502/503/504)

Every field is structured and none holds record contents: ``message`` is what Dataverse put in
``error.message`` (truncated), so ``str(exc)`` is safe to log. Secrets never reach an error.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "AuthError",
    "BadRequest",
    "ChangeTrackingNotEnabled",
    "ConcurrencyConflict",
    "DataverseError",
    "DuplicateRecord",
    "ExpiredDeltaToken",
    "NotFound",
    "PagingError",
    "ServiceUnavailable",
    "ThrottleLimit",
    "Throttled",
    "TransportError",
    "ValidationError",
    "error_for",
    "normalise_code",
]

#: Longest ``message`` kept from a Dataverse error body (characters); longer ones are cut.
MAX_MESSAGE_LENGTH: Final = 500

ThrottleLimit = Literal["requests", "execution_time", "concurrency"]

CODE_NOT_FOUND: Final = "0x80040217"
CODE_CONCURRENCY_MISMATCH: Final = "0x80060882"
CODE_DUPLICATE_RECORD: Final = "0x80040237"
CODE_DUPLICATE_ENTITY_KEY: Final = "0x80060892"
CODE_DUPLICATES_FOUND: Final = "0x80040333"
CODE_EXPIRED_VERSION_STAMP: Final = "0x80044352"
CODE_CHANGE_TRACKING_NOT_ENABLED: Final = "0x80072491"
CODE_VALIDATION: Final = "0x80044331"
CODE_PAYLOAD: Final = "0x80048d19"

#: Service-protection codes and the limit each one reports.
THROTTLE_CODES: Final[dict[str, ThrottleLimit]] = {
    "0x80072322": "requests",
    "0x80072321": "execution_time",
    "0x80072326": "concurrency",
}

_DUPLICATE_CODES: Final = frozenset({CODE_DUPLICATE_RECORD, CODE_DUPLICATE_ENTITY_KEY, CODE_DUPLICATES_FOUND})
_VALIDATION_CODES: Final = frozenset({CODE_VALIDATION, CODE_PAYLOAD})
_TRANSIENT_STATUSES: Final = frozenset({502, 503, 504})


class DataverseError(Exception):
    """Root of every error this package raises; carries the HTTP status and Dataverse's hex code."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        entity_set: str | None = None,
    ) -> None:
        self.message = _truncate(message)
        self.status = status
        self.code = normalise_code(code)
        self.request_id = request_id
        self.method = method
        self.entity_set = entity_set
        super().__init__(self.message)

    def __str__(self) -> str:
        facts = [
            f"{name}={value}"
            for name, value in (
                ("method", self.method),
                ("entity_set", self.entity_set),
                ("status", self.status),
                ("code", self.code),
                ("request_id", self.request_id),
            )
            if value is not None
        ]
        return f"{self.message} ({', '.join(facts)})" if facts else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class TransportError(DataverseError):
    """Raised when no HTTP response arrived: connection refused or reset, timeout, TLS failure.

    ``transient`` is false when retrying cannot help: the server's certificate failed verification
    (wrong CA bundle, wrong host), which is configuration, not weather.
    """

    def __init__(
        self,
        message: str,
        *,
        transient: bool = True,
        method: str | None = None,
        entity_set: str | None = None,
    ) -> None:
        super().__init__(message, method=method, entity_set=entity_set)
        self.transient = transient


class AuthError(DataverseError):
    """Raised on 401/403 from the Web API, or when the authority will not issue a token."""


class NotFound(DataverseError):
    """Raised when the addressed record does not exist (404, ``0x80040217``)."""


class ConcurrencyConflict(DataverseError):
    """Raised when an ``If-Match`` ETag no longer matches the record (412, ``0x80060882``)."""


class DuplicateRecord(DataverseError):
    """Raised when a create collides with an existing id or alternate key (``0x80040237`` and kin)."""


class Throttled(DataverseError):
    """Raised on 429 service protection once retrying is exhausted; says how long and which limit."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        limit: ThrottleLimit | None = None,
        status: int | None = 429,
        code: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        entity_set: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, request_id=request_id, method=method, entity_set=entity_set)
        self.retry_after = retry_after
        self.limit = limit

    def __str__(self) -> str:
        extra = f"; retry_after={self.retry_after}, limit={self.limit}"
        return super().__str__() + extra


class ExpiredDeltaToken(DataverseError):
    """Raised when a stored deltaLink is past retention (``0x80044352``); re-initialise the table."""


class ChangeTrackingNotEnabled(DataverseError):
    """Raised when the table is not enabled for change tracking (``0x80072491``, or no deltaLink)."""


class PagingError(DataverseError):
    """Raised when nextLinks repeat (a paging loop) or point away from the configured Dataverse."""


class BadRequest(DataverseError):
    """Raised when Dataverse refuses the request as sent (400, or a 4xx with no more specific class)."""


class ValidationError(BadRequest):
    """Raised when Dataverse rejects the record's values (``0x80044331``, ``0x80048d19``)."""


class ServiceUnavailable(DataverseError):
    """Raised on 5xx; ``transient`` is true for 502/503/504, which are worth retrying. ``retry_after`` is the
    ``Retry-After`` a busy front end may send with a 503 (seconds; ``None`` when absent)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        entity_set: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, request_id=request_id, method=method, entity_set=entity_set)
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.status in _TRANSIENT_STATUSES


def normalise_code(code: str | int | None) -> str | None:
    """Return a Dataverse error code as lower-case ``0x%08x`` (accepts hex text or a signed int)."""
    if code is None or code == "":
        return None
    if isinstance(code, int):
        return f"0x{code & 0xFFFFFFFF:08x}"
    text = code.strip()
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        return text  # a symbolic code; keep it verbatim
    return f"0x{value & 0xFFFFFFFF:08x}"


def error_for(
    status: int,
    code: str | None,
    message: str,
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
    method: str | None = None,
    entity_set: str | None = None,
) -> DataverseError:
    """Choose the error class for an HTTP failure. The hex code wins over the status when it is more
    specific (an expired delta token is a 400, but callers must tell it apart from other 400s)."""
    normalised = normalise_code(code)
    text = message or f"HTTP {status}"
    if status == 429 or normalised in THROTTLE_CODES:
        return Throttled(
            text,
            retry_after=retry_after,
            limit=THROTTLE_CODES.get(normalised or ""),
            status=status,
            code=normalised,
            request_id=request_id,
            method=method,
            entity_set=entity_set,
        )
    cls = _class_for(status, normalised)
    if cls is ServiceUnavailable:
        return ServiceUnavailable(
            text,
            retry_after=retry_after,
            status=status,
            code=normalised,
            request_id=request_id,
            method=method,
            entity_set=entity_set,
        )
    return cls(text, status=status, code=normalised, request_id=request_id, method=method, entity_set=entity_set)


#: Codes that name the error whatever the HTTP status (checked first).
_BY_CODE: Final[dict[str, type[DataverseError]]] = {
    CODE_EXPIRED_VERSION_STAMP: ExpiredDeltaToken,
    CODE_CHANGE_TRACKING_NOT_ENABLED: ChangeTrackingNotEnabled,
    CODE_CONCURRENCY_MISMATCH: ConcurrencyConflict,
    CODE_NOT_FOUND: NotFound,
    **dict.fromkeys(_DUPLICATE_CODES, DuplicateRecord),
}

#: Statuses that name the error when the code does not.
_BY_STATUS: Final[dict[int, type[DataverseError]]] = {
    412: ConcurrencyConflict,
    404: NotFound,
    401: AuthError,
    403: AuthError,
}


def _class_for(status: int, code: str | None) -> type[DataverseError]:
    if code in _BY_CODE:
        return _BY_CODE[code]
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServiceUnavailable
    return ValidationError if code in _VALIDATION_CODES else BadRequest


def _truncate(message: str) -> str:
    message = " ".join(message.split())  # one line: no CR/LF smuggled into log lines
    return message if len(message) <= MAX_MESSAGE_LENGTH else message[: MAX_MESSAGE_LENGTH - 1] + "…"
