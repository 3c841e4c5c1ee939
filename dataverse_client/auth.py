"""Bearer tokens for the Web API from Entra ID (or the simulator's fake authority) via msal.

msal does the hard parts: the client-credentials request, the in-memory cache, and refreshing a
token once fewer than five minutes of it remain. We add three things:

* msal gets *our* :class:`~dataverse_client.transport.PinnedSession` as its ``http_client``, so the
  token endpoint is verified against the same CA bundle as the Web API and ``REQUESTS_CA_BUNDLE``
  cannot swap it.
* The msal application is built lazily (its constructor does network discovery) and once per
  provider, behind a lock, so constructing a client costs nothing and threads share one cache.
* Failures become :class:`~dataverse_client.errors.AuthError` carrying msal's ``error`` and
  ``error_description`` (which never contain the secret); network failures become
  ``TransportError``/``ServiceUnavailable`` so the retry policy can treat them as transient.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import msal
import requests

from .config import DataverseSettings
from .errors import AuthError, ServiceUnavailable, TransportError
from .transport import is_transient

__all__ = ["MsalTokenProvider", "TokenProvider"]


class TokenProvider(Protocol):
    """Where the client gets bearer tokens. ``invalidate`` drops any cached token after a 401."""

    def token(self) -> str: ...

    def invalidate(self) -> None: ...


class MsalTokenProvider:
    """Client-credentials tokens for ``settings.scope`` from ``settings.authority``."""

    def __init__(self, settings: DataverseSettings, http_client: requests.Session) -> None:
        self._settings = settings
        self._http_client = http_client
        self._lock = threading.Lock()
        self._app: msal.ConfidentialClientApplication | None = None

    def token(self) -> str:
        """A valid access token, from msal's cache when it has one with > 5 minutes left."""
        app = self._application()
        try:
            result: dict[str, Any] = app.acquire_token_for_client(scopes=[self._settings.scope])
        except requests.HTTPError as exc:  # msal raise_for_status()es 5xx from the token endpoint
            status = exc.response.status_code if exc.response is not None else None
            raise ServiceUnavailable("token endpoint failed", status=status) from exc
        except OSError as exc:
            raise TransportError(
                f"token endpoint unreachable: {type(exc).__name__}", transient=is_transient(exc)
            ) from exc
        token = result.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthError(
                str(result.get("error_description") or "the authority issued no access token"),
                code=str(result.get("error") or "") or None,
            )
        return token

    def invalidate(self) -> None:
        """Forget cached tokens so the next :meth:`token` asks the authority again."""
        with self._lock:
            app = self._app
        if app is not None:
            app.remove_tokens_for_client()

    def _application(self) -> msal.ConfidentialClientApplication:
        with self._lock:
            if self._app is None:
                self._app = self._build()
            return self._app

    def _build(self) -> msal.ConfidentialClientApplication:
        settings = self._settings
        try:
            return msal.ConfidentialClientApplication(
                settings.client_id,
                client_credential=settings.client_secret,
                authority=settings.authority,
                instance_discovery=settings.instance_discovery,
                http_client=self._http_client,
            )
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            raise ServiceUnavailable("authority discovery failed", status=status) from exc
        except OSError as exc:
            raise TransportError(f"authority unreachable: {type(exc).__name__}", transient=is_transient(exc)) from exc
        except ValueError as exc:  # msal: bad authority URL, or discovery answered 4xx
            raise AuthError(f"authority rejected: {exc}") from exc
