"""A production client for the Dataverse Web API (DQT): msal auth, typed errors, Retry-After-honouring
retries, lazy paging, change tracking, writes and ``$batch``.

It imports nothing else of ours, so the bridge, scripts and tests can all use it; the public names are
exactly those in ``__all__`` below (a test keeps the list honest). See ``README.md`` for examples.
"""

from __future__ import annotations

from . import guid_order, odata
from .batch import BatchOperation, BatchPartResult, BatchResult, ChangeSet
from .client import DataverseClient
from .config import DataverseSettings, Timeout
from .errors import (
    AuthError,
    BadRequest,
    ChangeTrackingNotEnabled,
    ConcurrencyConflict,
    DataverseError,
    DuplicateRecord,
    ExpiredDeltaToken,
    NotFound,
    PagingError,
    ServiceUnavailable,
    Throttled,
    TransportError,
    ValidationError,
)
from .hooks import CallRecord, Hook
from .limiter import NoRequestLimit, RequestLimiter
from .metadata import EntityInfo
from .odata import F, Filter, and_, not_, or_
from .paging import ChangePage, Page
from .retry import LocalRetryAfterGate, RetryAfterGate, RetryPolicy

__all__ = [
    "AuthError",
    "BadRequest",
    "BatchOperation",
    "BatchPartResult",
    "BatchResult",
    "CallRecord",
    "ChangePage",
    "ChangeSet",
    "ChangeTrackingNotEnabled",
    "ConcurrencyConflict",
    "DataverseClient",
    "DataverseError",
    "DataverseSettings",
    "DuplicateRecord",
    "EntityInfo",
    "ExpiredDeltaToken",
    "F",
    "Filter",
    "Hook",
    "LocalRetryAfterGate",
    "NoRequestLimit",
    "NotFound",
    "Page",
    "PagingError",
    "RequestLimiter",
    "RetryAfterGate",
    "RetryPolicy",
    "ServiceUnavailable",
    "Throttled",
    "Timeout",
    "TransportError",
    "ValidationError",
    "and_",
    "guid_order",
    "not_",
    "odata",
    "or_",
]
