"""With MICROSOFT_APP_ID set, botbuilder validates every inbound JWT.

The Bot Framework OpenID metadata is pointed at a local server (in a thread: botbuilder fetches it
with blocking ``requests``) that publishes the public half of a locally generated RSA key. Outbound
replies use a credentials factory with a fixed token, so nothing ever talks to login.microsoftonline.com.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from botframework.connector.auth import (
    ChannelValidation,
    MicrosoftAppCredentials,
    PasswordServiceClientCredentialFactory,
)
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.settings import load_settings

from .conftest import TeamsRig

APP_ID = "8e2a4a8c-5d0e-4b43-9d8c-0f1b7d2b3c4d"
KID = "local-test-key"
ISSUER = "https://api.botframework.com"


class _StaticCredentials(MicrosoftAppCredentials):
    def get_access_token(self, force_refresh: bool = False) -> str:
        return "outbound-test-token"


class _LocalCredentialFactory(PasswordServiceClientCredentialFactory):
    """Real app-id checks; outbound tokens without a login server."""

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("Invalid app_id")
        return _StaticCredentials(app_id, "unused", oauth_scope=oauth_scope)


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def openid_server(signing_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
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

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    docs["/openid"] = {"issuer": ISSUER, "jwks_uri": f"{base}/keys"}
    docs["/keys"] = {"keys": [jwk]}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", f"{base}/openid")
    yield base
    server.shutdown()
    server.server_close()


def _token(
    key: rsa.RSAPrivateKey,
    service_url: str,
    *,
    audience: str = APP_ID,
    issuer: str = ISSUER,
    expires_in: int = 600,
) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "serviceurl": service_url,
        "nbf": now - 10,
        "exp": now + expires_in,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


@pytest.fixture
async def secure_rig(make_rig, openid_server: str) -> TeamsRig:
    settings = load_settings(microsoft_app_id=APP_ID, microsoft_app_password="not-a-real-secret")
    return await make_rig(settings=settings, credentials_factory=_LocalCredentialFactory(APP_ID, "x"))


async def test_valid_locally_signed_token_is_accepted_and_reply_is_authenticated(
    secure_rig: TeamsRig, signing_key: rsa.RSAPrivateKey
) -> None:
    inbound = secure_rig.activity("message_personal.json", text="expenses?")
    token = _token(signing_key, inbound["serviceUrl"])
    resp = await secure_rig.post(inbound, headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200
    posts = await secure_rig.connector.wait_posts(2)
    assert all(p.headers.get("Authorization") == "Bearer outbound-test-token" for p in posts)
    assert posts[-1].body["type"] == "message"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz"])
async def test_missing_or_garbage_token_is_401(secure_rig: TeamsRig, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    resp = await secure_rig.post(secure_rig.activity("message_personal.json"), headers=headers)
    assert resp.status == 401
    assert secure_rig.connector.received == []
    assert secure_rig.answerer.questions == []


async def test_token_signed_with_another_key_is_401(secure_rig: TeamsRig) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    inbound = secure_rig.activity("message_personal.json")
    resp = await secure_rig.post(inbound, headers={"Authorization": f"Bearer {_token(other, inbound['serviceUrl'])}"})
    assert resp.status == 401


@pytest.mark.parametrize("change", ["audience", "issuer", "service_url", "expired"])
async def test_token_with_wrong_claims_is_401(
    secure_rig: TeamsRig, signing_key: rsa.RSAPrivateKey, change: str
) -> None:
    inbound = secure_rig.activity("message_personal.json")
    variants: dict[str, dict[str, Any]] = {
        "audience": {"audience": "some-other-bot"},
        "issuer": {"issuer": "https://evil.example.com"},
        "service_url": {},
        "expired": {"expires_in": -3600},
    }
    kwargs = variants[change]
    service_url = "https://smba.trafficmanager.net/amer/" if change == "service_url" else inbound["serviceUrl"]
    token = _token(signing_key, service_url, **kwargs)
    resp = await secure_rig.post(inbound, headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 401
    # the server keeps serving: a good request right after still works
    good = _token(signing_key, inbound["serviceUrl"])
    assert (await secure_rig.post(inbound, headers={"Authorization": f"Bearer {good}"})).status == 200


async def test_invoke_with_valid_token_returns_invoke_status(
    secure_rig: TeamsRig, signing_key: rsa.RSAPrivateKey
) -> None:
    invoke = secure_rig.activity("invoke_adaptive_card_action_execute.json")
    token = _token(signing_key, invoke["serviceUrl"])
    resp = await secure_rig.post(invoke, headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200
    assert (await resp.json())["statusCode"] == 400  # unknown card action, reported the Universal Action way


async def test_emulator_mode_refuses_a_non_local_service_url(rig: TeamsRig) -> None:
    inbound = rig.activity("message_personal.json", serviceUrl="https://smba.trafficmanager.net/amer/")
    resp = await rig.post(inbound)
    assert resp.status == 403
    assert rig.answerer.questions == []


@pytest.mark.parametrize(
    "overrides,missing",
    [
        ({"microsoft_app_type": "MultiTenant"}, "MICROSOFT_APP_PASSWORD"),
        ({"microsoft_app_type": "SingleTenant", "microsoft_app_password": "s"}, "MICROSOFT_APP_TENANT_ID"),
        ({"microsoft_app_type": "UserAssignedMSI"}, "MICROSOFT_APP_TENANT_ID"),
    ],
)
def test_incomplete_credentials_fail_at_start(overrides: dict[str, Any], missing: str) -> None:
    from aiohttp import web

    from adapters.teams.routes import add_teams_routes
    from adapters.wiring import App
    from bot.errors import ConfigError

    app = App(load_settings(microsoft_app_id=APP_ID, **overrides))
    with pytest.raises(ConfigError, match=missing):
        add_teams_routes(web.Application(), app)


def test_user_assigned_msi_needs_no_password() -> None:
    from aiohttp import web

    from adapters.teams.routes import add_teams_routes
    from adapters.wiring import App

    settings = load_settings(
        microsoft_app_id=APP_ID,
        microsoft_app_type="UserAssignedMSI",
        microsoft_app_tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
    )
    endpoint = add_teams_routes(web.Application(), App(settings))
    assert endpoint.auth_enabled
