"""With MICROSOFT_APP_ID set, botbuilder validates every inbound JWT.

The Bot Framework OpenID metadata is pointed at a local server (in a thread: botbuilder fetches it
with blocking ``requests``) that publishes the public half of a locally generated RSA key. Outbound
replies use a credentials factory with a fixed token, so nothing ever talks to login.microsoftonline.com.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.settings import load_settings

from .botframework_auth import APP_ID, LocalCredentialFactory, token
from .conftest import TeamsRig

_LocalCredentialFactory = LocalCredentialFactory
TENANT = "50612dbb-0237-4969-b378-8d42590f9c00"
_token = token


@pytest.fixture
async def secure_rig(make_rig, openid_server: str) -> TeamsRig:
    settings = load_settings(
        microsoft_app_id=APP_ID, microsoft_app_password="not-a-real-secret", microsoft_app_tenant_id=TENANT
    )
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


async def test_emulator_mode_refuses_a_non_local_service_url(make_rig) -> None:
    rig = await make_rig(emulator=True)
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
