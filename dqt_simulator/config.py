"""Start-up configuration and the two run-time adjustable knob sets (faults, service-protection limits).

Defaults are fixed, well-known values (it is a local simulator), so ``dqt-sim env`` can print the
credentials without a running server. ``POST /_sim/reset`` returns faults and limits to what the
process was started with.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_TENANT_ID = "7d3c5e2a-9b1f-4c8e-a6d4-2f0e1b3c5d7a"
DEFAULT_CLIENT_ID = "3f9a1c2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
DEFAULT_CLIENT_SECRET = "dqt-sim-local-secret~not-for-production"  # noqa: S105 - a local simulator's fixed secret
DEFAULT_TOKEN_LIFETIME = 3599
DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600
API_PREFIX = "/api/data/v9.2"


@dataclass(slots=True)
class Faults:
    """Injected faults, drawn from a seeded ``random.Random`` so runs are reproducible."""

    rate_429: float = 0.0
    retry_after: int = 1
    rate_503: float = 0.0
    rate_503_retry_after: float = 0.0  # 503s that carry ``Retry-After: retry_after`` (as a busy front end sends)
    latency_ms: int = 0
    drop_rate: float = 0.0  # close the connection (FIN) without answering, before the request is carried out
    reset_rate: float = 0.0  # abort the connection (TCP RST) without answering, before it is carried out
    drop_after_rate: float = 0.0  # carry the request out, then close without answering: the response is lost
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME  # server-side lifetime of newly issued tokens

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(slots=True)
class Limits:
    """Dataverse service-protection limits, per application user."""

    requests_per_window: int = 6000
    window_seconds: int = 300
    concurrent: int = 52

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(slots=True)
class SimConfig:
    host: str = "127.0.0.1"
    port: int = 0
    cert_dir: Path = Path("certs")
    data_dir: Path | None = None
    ready_file: Path | None = None
    tenant_id: str = DEFAULT_TENANT_ID
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME
    change_tracking_retention: int = DEFAULT_RETENTION_SECONDS
    limits: Limits = field(default_factory=Limits)
    faults: Faults = field(default_factory=Faults)
    seed: int = 0
    untracked_sets: tuple[str, ...] = ()  # entity sets served with change tracking disabled
    dop_hint: int = 4


def update_dataclass(target: Any, values: dict[str, Any]) -> None:
    """Apply a partial JSON update to a knob set, type-checked per field; unknown keys are an error."""
    fields = {f.name: f for f in dataclasses.fields(target)}
    for key, value in values.items():
        if key not in fields:
            raise ValueError(f"unknown setting {key!r}; known: {sorted(fields)}")
        current = getattr(target, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{key} must be a number")
        setattr(target, key, type(current)(value))
