"""How to reach one Dataverse environment: URL, app registration, trust, timeouts and retry budget.

Settings are a frozen value so one object can be shared by every thread of a process, and so a test
can build one without touching the environment. ``from_env`` is the only place that reads ``DQT_*``
variables. The client secret is held here and nowhere else; it is excluded from ``repr`` so a settings
object can be logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

__all__ = ["DataverseSettings", "Timeout"]

#: The most rows Dataverse returns per page; asking for more is an error in our client.
MAX_PAGE_SIZE: Final = 5000

#: Path of the Web API root under the environment URL.
API_PATH: Final = "/api/data/v9.2/"

#: Authority hosts msal knows; any other host (a simulator, a proxy) needs instance discovery off.
MICROSOFT_AUTHORITY_HOSTS: Final = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "sts.windows.net",
        "login.microsoftonline.us",
        "login.usgovcloudapi.net",
        "login.partner.microsoftonline.cn",
        "login.chinacloudapi.cn",
    }
)


@dataclass(frozen=True, slots=True)
class Timeout:
    """Seconds to wait for a TCP+TLS connection (``connect``) and between bytes of a response
    (``read``). Every HTTP call carries both; there is no way to send a request without them."""

    connect: float = 10.0
    read: float = 120.0

    def __post_init__(self) -> None:
        if self.connect <= 0 or self.read <= 0:
            raise ValueError("timeouts must be positive")

    def as_requests(self) -> tuple[float, float]:
        return (self.connect, self.read)


@dataclass(frozen=True, slots=True)
class DataverseSettings:
    """One Dataverse environment and the app registration that reads and writes it.

    ``authority`` defaults to ``https://login.microsoftonline.com/<tenant_id>``. ``ca_bundle`` is a PEM
    file trusted *instead of* the system store (the simulator's CA, or a corporate TLS proxy's); TLS
    verification is never switched off. ``max_retry_seconds`` bounds the total time one call may spend
    retrying. ``max_connections`` sizes the HTTP connection pool: set it to the number of threads that
    share the client.
    """

    base_url: str
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    authority: str = ""
    ca_bundle: str | None = None
    timeout: Timeout = field(default_factory=Timeout)
    max_retry_seconds: float = 120.0
    page_size: int = MAX_PAGE_SIZE
    max_connections: int = 16

    def __post_init__(self) -> None:
        base_url = self.base_url.rstrip("/")
        if urlsplit(base_url).scheme != "https" or not urlsplit(base_url).hostname:
            raise ValueError(f"base_url must be an https URL, got {base_url!r}")
        object.__setattr__(self, "base_url", base_url)
        authority = (self.authority or f"https://login.microsoftonline.com/{self.tenant_id}").rstrip("/")
        if urlsplit(authority).scheme != "https":
            raise ValueError(f"authority must be an https URL, got {authority!r}")
        object.__setattr__(self, "authority", authority)
        for name in ("tenant_id", "client_id", "client_secret"):
            if not getattr(self, name):
                raise ValueError(f"{name} must not be empty")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {self.page_size}")
        if self.max_retry_seconds < 0:
            raise ValueError("max_retry_seconds must not be negative")
        if self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")

    @property
    def api_url(self) -> str:
        """The Web API root, ``<base_url>/api/data/v9.2/`` (with the trailing slash)."""
        return self.base_url + API_PATH

    @property
    def scope(self) -> str:
        """The OAuth scope for this environment: ``<base_url>/.default``."""
        return f"{self.base_url}/.default"

    @property
    def instance_discovery(self) -> bool:
        """Whether msal may ask login.microsoftonline.com to validate the authority host; only
        Microsoft's own hosts can be validated that way."""
        return (urlsplit(self.authority).hostname or "") in MICROSOFT_AUTHORITY_HOSTS

    @property
    def verify(self) -> str | bool:
        """What every HTTPS call verifies the server against: our CA bundle, else the default store."""
        return self.ca_bundle if self.ca_bundle else True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DataverseSettings:
        """Read ``DQT_BASE_URL``, ``DQT_TENANT_ID``, ``DQT_CLIENT_ID``, ``DQT_CLIENT_SECRET`` (required)
        and ``DQT_AUTHORITY``, ``DQT_CA_BUNDLE`` (optional). Raises ``ValueError`` naming any missing
        variable (never its value)."""
        env = os.environ if environ is None else environ
        required = ("DQT_BASE_URL", "DQT_TENANT_ID", "DQT_CLIENT_ID", "DQT_CLIENT_SECRET")
        missing = [name for name in required if not env.get(name)]
        if missing:
            raise ValueError(f"missing environment variables: {', '.join(missing)}")
        return cls(
            base_url=env["DQT_BASE_URL"],
            tenant_id=env["DQT_TENANT_ID"],
            client_id=env["DQT_CLIENT_ID"],
            client_secret=env["DQT_CLIENT_SECRET"],
            authority=env.get("DQT_AUTHORITY", ""),
            ca_bundle=env.get("DQT_CA_BUNDLE") or None,
        )
