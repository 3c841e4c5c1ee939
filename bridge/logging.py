"""structlog configuration for every bridge process, with a redaction step that keeps personal data out.

One canonical log line per page and per job; context (run id, entity set) is bound through contextvars.
The redaction processor is a last line of defence: code should never pass personal data to a logger,
but if a key that names personal data slips through, its value is replaced before rendering.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

#: Keys whose values are personal data or secrets and must never be rendered.
REDACTED_KEYS = frozenset(
    {
        "firstname",
        "middlename",
        "lastname",
        "first_name",
        "middle_name",
        "last_name",
        "fullname",
        "dfeta_statedfirstname",
        "dfeta_statedmiddlename",
        "dfeta_statedlastname",
        "birthdate",
        "date_of_birth",
        "emailaddress1",
        "email_address",
        "dfeta_ninumber",
        "national_insurance_number",
        "mobilephone",
        "client_secret",
        "secret",
        "access_token",
        "authorization",
        "password",
        "raw_payload",
        "payload",
        "record",
    }
)


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key.lower() in REDACTED_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


def configure(level: str = "INFO", *, json: bool | None = None) -> None:
    """Configure structlog once per process: JSON when not on a terminal, readable otherwise."""
    render_json = (not sys.stderr.isatty()) if json is None else json
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer() if render_json else structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
