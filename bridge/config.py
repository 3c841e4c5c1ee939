"""Configuration from the environment, and the one place concrete adapters are built (engine, client).

Every failure is a :class:`~bridge.errors.ConfigError` whose message tells the operator what to fix,
never the secret's value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bridge.errors import ConfigError
from dataverse_client import AuthError, DataverseClient, DataverseError, DataverseSettings, TransportError
from trs_store import make_engine
from trs_store.errors import StoreError
from trs_store.migrate import ensure_up_to_date


@dataclass(frozen=True, slots=True)
class BridgeSettings:
    """Settings the use cases need beyond the DQT connection (``DQT_*``) and the database URL."""

    database_url: str | None
    redis_url: str | None
    page_size: int = 1000
    poll_interval: float = 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BridgeSettings:
        env = os.environ if environ is None else environ
        try:
            page_size = int(env.get("TRS_BRIDGE_PAGE_SIZE", "1000"))
            interval = float(env.get("TRS_BRIDGE_POLL_INTERVAL", "60"))
        except ValueError as error:
            raise ConfigError(f"TRS_BRIDGE_PAGE_SIZE / TRS_BRIDGE_POLL_INTERVAL must be numbers ({error})") from None
        if not 1 <= page_size <= 5000:
            raise ConfigError(f"TRS_BRIDGE_PAGE_SIZE must be between 1 and 5000, got {page_size}")
        return cls(env.get("TRS_DATABASE_URL") or None, env.get("REDIS_URL") or None, page_size, interval)


def open_engine(url: str | None, *, check_schema: bool = True) -> Engine:
    """The TRS engine; with ``check_schema``, fails clearly when the database is unreachable or not migrated."""
    try:
        engine = make_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            if check_schema:
                ensure_up_to_date(connection)
    except StoreError as error:
        raise ConfigError(f"TRS database: {error}") from None
    except (SQLAlchemyError, ValueError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise ConfigError(f"TRS database is not reachable or the URL is invalid: {reason}") from None
    return engine


def open_client(environ: Mapping[str, str] | None = None, *, check: bool = True) -> DataverseClient:
    """The DQT client from ``DQT_*``; with ``check``, proves the credentials work (``WhoAmI``)."""
    try:
        settings = DataverseSettings.from_env(environ)
    except ValueError as error:
        raise ConfigError(f"DQT connection: {error}") from None
    client = DataverseClient(settings)
    if check:
        try:
            client.whoami()
        except AuthError as error:
            raise ConfigError(f"DQT rejected the bridge's credentials: {error}") from None
        except TransportError as error:
            raise ConfigError(f"DQT is not reachable at {settings.base_url}: {error}") from None
        except DataverseError as error:
            raise ConfigError(f"DQT answered the connection check with an error: {error}") from None
    return client
