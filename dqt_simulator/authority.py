"""The Entra ID side: OIDC discovery, client-credentials tokens, and bearer-token checks for the Web API.

Tokens are opaque random strings held in memory with their application user (client id) and expiry on
the simulator clock. ``expires_in`` advertises ``--token-lifetime``; the *server-side* lifetime is the
``token_lifetime`` fault knob (normally the same), so a test can make tokens die early, while the
client still believes them valid, and check the client recovers from the resulting 401.
"""

from __future__ import annotations

import base64
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

import orjson

from dqt_simulator.clock import SimClock
from dqt_simulator.errors import ApiError, unauthenticated
from dqt_simulator.httpmsg import Request, Response


@dataclass(slots=True)
class IssuedToken:
    client_id: str
    expires_at: float


def _oauth_error(status: int, error: str, code: int, description: str, base_url: str) -> Response:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: {description} Trace ID: {trace} Correlation ID: {correlation} "
        f"Timestamp: {now}",
        "error_codes": [code],
        "timestamp": now,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": f"{base_url}/error?code={code}",
    }
    return Response(status, orjson.dumps(body), "application/json; charset=utf-8")


def _client_credentials(form: dict[str, str], authorization: str) -> tuple[str | None, str | None]:
    """Client id and secret from the form body (client_secret_post) or HTTP Basic (client_secret_basic)."""
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip()).decode()
        except (ValueError, UnicodeDecodeError):
            return client_id, secret
        basic_id, _, basic_secret = decoded.partition(":")
        client_id, secret = client_id or unquote(basic_id), secret or unquote(basic_secret)
    return client_id, secret


def _request_error(form: dict[str, str], base: str) -> Response | None:
    grant_type = form.get("grant_type")
    if grant_type != "client_credentials":
        return _oauth_error(
            400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'.", base
        )
    scope = form.get("scope", "")
    scopes = scope.split()
    if not scopes or not all(s.endswith("/.default") for s in scopes):
        return _oauth_error(
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {scope} is not valid. Client credential flows must "
            "have a scope value with /.default suffixed to the resource identifier "
            "(application ID URI).",
            base,
        )
    return None


class Authority:
    def __init__(self, clock: SimClock, tenant_id: str, clients: dict[str, str], advertised_lifetime: int) -> None:
        self.clock = clock
        self.tenant_id = tenant_id
        self.clients = clients
        self.advertised_lifetime = advertised_lifetime
        self._tokens: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()

    def _known_tenant(self, tenant: str) -> bool:
        return tenant.lower() == self.tenant_id.lower()

    # --- discovery ---------------------------------------------------------------------------------------

    def openid_configuration(self, req: Request, tenant: str) -> Response:
        base = req.base_url
        if not self._known_tenant(tenant):
            return _oauth_error(
                400,
                "invalid_tenant",
                90002,
                f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
                "and are signing into the correct cloud.",
                base,
            )
        root = f"{base}/{self.tenant_id}"
        document: dict[str, Any] = {
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{root}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{base}/oidc/userinfo",
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "tid", "ver", "oid"],
            "kerberos_endpoint": f"{root}/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }
        return Response(200, orjson.dumps(document), "application/json; charset=utf-8")

    def instance_discovery(self, req: Request) -> Response:
        base = req.base_url
        host = base.split("://", 1)[-1]
        body = {
            "tenant_discovery_endpoint": f"{base}/{self.tenant_id}/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }
        return Response(200, orjson.dumps(body), "application/json; charset=utf-8")

    def keys(self) -> Response:
        return Response(200, b'{"keys":[]}', "application/json; charset=utf-8")

    # --- tokens ------------------------------------------------------------------------------------------------

    def token(self, req: Request, tenant: str, server_lifetime: int) -> Response:
        base = req.base_url
        if not self._known_tenant(tenant):
            return _oauth_error(
                400,
                "invalid_request",
                90002,
                f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
                "and are signing into the correct cloud.",
                base,
            )
        form = {k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        client_id, secret = _client_credentials(form, req.headers.get("Authorization") or "")
        error = _request_error(form, base) or self._client_error(client_id, secret, base)
        if error is not None:
            return error
        assert client_id is not None
        token = "dqtsim." + secrets.token_urlsafe(32)
        now = self.clock.time()
        with self._lock:
            if len(self._tokens) > 50_000:
                self._tokens = {k: v for k, v in self._tokens.items() if v.expires_at > now}
            self._tokens[token] = IssuedToken(client_id, now + server_lifetime)
        body = {
            "token_type": "Bearer",
            "expires_in": self.advertised_lifetime,
            "ext_expires_in": self.advertised_lifetime,
            "access_token": token,
        }
        return Response(
            200,
            orjson.dumps(body),
            "application/json; charset=utf-8",
            [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache")],
        )

    def _client_error(self, client_id: str | None, secret: str | None, base: str) -> Response | None:
        if not client_id:
            return _oauth_error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
                base,
            )
        expected_secret = self.clients.get(client_id)
        if expected_secret is None:
            return _oauth_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{self.tenant_id}'. This can happen if the application has not been installed by "
                "the administrator of the tenant or consented to by any user in the tenant.",
                base,
            )
        if not secret:
            return _oauth_error(
                401,
                "invalid_client",
                7000216,
                "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
                base,
            )
        if not secrets.compare_digest(secret, expected_secret):
            return _oauth_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the "
                f"client secret value, not the client secret ID, for a secret added to app "
                f"'{client_id}'.",
                base,
            )
        return None

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
            return count

    def authenticate(self, req: Request) -> str:
        """The client id behind the request's bearer token, or a 401 ``ApiError``."""
        header = req.headers.get("Authorization") or ""
        challenge = {
            "WWW-Authenticate": f"Bearer authorization_uri={req.base_url}/{self.tenant_id}/oauth2/authorize, "
            f"resource_id={req.base_url}/"
        }
        if not header.lower().startswith("bearer "):
            error = unauthenticated("The user is not authenticated. A bearer token is required.")
            error.headers.update(challenge)
            raise error
        token = header[7:].strip()
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None:
            error = unauthenticated("The access token is invalid or was not issued by this authority.")
            error.headers.update(challenge)
            raise error
        if issued.expires_at <= self.clock.time():
            error = ApiError(401, "0x8005F101", "The access token has expired.", dict(challenge))
            raise error
        return issued.client_id
