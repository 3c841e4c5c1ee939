"""structlog configuration for every bridge process, with a redaction step that keeps personal data out.

One canonical log line per page and per job; context (run id, entity set, page; a worker's message id, actor
and entity) is bound through contextvars and cleared between jobs with :func:`new_job_context`. Libraries that
log through the standard library (dramatiq, SQLAlchemy, the client's hooks) are rendered the same way: JSON
lines with the bound context, through the same redaction.
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


def new_job_context(**values: Any) -> None:
    """Forget everything bound for the previous job on this thread, then bind ``values`` (ids only)."""
    structlog.contextvars.clear_contextvars()
    if values:
        structlog.contextvars.bind_contextvars(**values)


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler that writes to whatever ``sys.stderr`` is now (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


_configured = {"level": "INFO"}


def configured_level() -> str:
    """The level this process was configured with (a helper process is configured the same)."""
    return _configured["level"]


def configure(level: str = "INFO", *, json: bool | None = None) -> None:
    """Configure structlog once per process: JSON when not on a terminal, readable otherwise."""
    _configured["level"] = level
    render_json = (not sys.stderr.isatty()) if json is None else json
    renderer: Any = structlog.processors.JSONRenderer() if render_json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    _route_standard_logging(level, renderer)


def _route_standard_logging(level: str, renderer: Any) -> None:
    """Render standard-library log records (dramatiq's retries and failures, for one) like our own lines."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = _CurrentStderr()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not isinstance(h, _CurrentStderr)] + [handler]
    root.setLevel(logging.WARNING)  # libraries' own chatter (alembic's plugins ...) stays out
    logging.getLogger("dramatiq").setLevel(max(logging.INFO, logging.getLevelName(level.upper())))
