"""A local Bot Framework token service: OpenID metadata + JWKS on 127.0.0.1 and locally signed JWTs.

botbuilder validates inbound tokens against the Bot Framework OpenID metadata (issuer
``https://api.botframework.com``, audience = the bot's app id, ``serviceurl`` claim = the activity's
serviceUrl: https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication).
The metadata is pointed at a local server (in a thread: botbuilder fetches it with blocking
``requests``) publishing the public half of a locally generated key; outbound replies use a
credentials factory with a fixed token, so nothing talks to login.microsoftonline.com.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from botframework.connector.auth import (
    ChannelValidation,
    MicrosoftAppCredentials,
    PasswordServiceClientCredentialFactory,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from pydantic import SecretStr

APP_ID = "8e2a4a8c-5d0e-4b43-9d8c-0f1b7d2b3c4d"
KID = "local-test-key"
ISSUER = "https://api.botframework.com"
# What an authenticated test bot is configured with: the fake connector lives on 127.0.0.1.
AUTHENTICATED = {
    "microsoft_app_id": APP_ID,
    "microsoft_app_password": SecretStr("not-a-real-secret"),
    "microsoft_app_tenant_id": "50612dbb-0237-4969-b378-8d42590f9c00",  # the fixtures' tenant (SingleTenant)
    "kbot_teams_service_hosts": "127.0.0.1",
}


class StaticCredentials(MicrosoftAppCredentials):
    def get_access_token(self, force_refresh: bool = False) -> str:
        return "outbound-test-token"


class LocalCredentialFactory(PasswordServiceClientCredentialFactory):
    """Real app-id checks; outbound tokens without a login server."""

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("Invalid app_id")
        return StaticCredentials(app_id, "unused", oauth_scope=oauth_scope)


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@contextmanager
def serve_openid(signing_key: rsa.RSAPrivateKey, port: int = 0) -> Iterator[str]:
    """Publish OpenID metadata + JWKS for ``signing_key`` on 127.0.0.1; yield the metadata URL.

    botbuilder caches metadata per URL in a class-level dict for a day
    (``JwtTokenExtractor.metadataCache``), so a later server on a reused port would be checked
    against the keys of an earlier one; each server therefore starts from an empty cache.
    """
    jwk = json.loads(RSAAlgorithm.to_jwk(signing_key.public_key()))
    jwk.update({"kid": KID, "use": "sig", "endorsements": ["msteams", "webchat"]})
    docs: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            body = json.dumps(docs.get(self.path, {})).encode()
            self.send_response(200 if self.path in docs else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    docs["/openid"] = {"issuer": ISSUER, "jwks_uri": f"{base}/keys"}
    docs["/keys"] = {"keys": [jwk]}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    JwtTokenExtractor.metadataCache.clear()
    try:
        yield f"{base}/openid"
    finally:
        JwtTokenExtractor.metadataCache.clear()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def openid_server(signing_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with serve_openid(signing_key) as metadata_url:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", metadata_url)
        yield metadata_url.removesuffix("/openid")


def token(
    key: rsa.RSAPrivateKey,
    service_url: str,
    *,
    audience: str = APP_ID,
    issuer: str = ISSUER,
    expires_in: int = 600,
) -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - 10, "exp": now + expires_in}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})
