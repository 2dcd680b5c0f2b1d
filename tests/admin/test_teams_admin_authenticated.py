"""Admin actions through the real botbuilder endpoint with JWT-authenticated activities: a valid
token proves who Teams says is talking; admin rights are still checked, and denials audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.config_store.sqlite_config import SqliteConfigRepository
from bot.admin.service import AdminService
from bot.admin.sync import QueuedSync
from bot.models import Source
from bot.settings import load_settings
from ingest.registry import SOURCE_KINDS
from tests.teams.botframework_auth import (  # noqa: F401 - fixtures
    APP_ID,
    openid_server,
    signing_key,
)
from tests.teams.botframework_auth import LocalCredentialFactory as _LocalCredentialFactory
from tests.teams.botframework_auth import token as _token
from tests.teams.conftest import TeamsRig, connector, make_rig  # noqa: F401 - fixtures

ADA = "3c1d9e27-5b84-4f0a-9d6e-81a2f4c7b0e5"  # the sender of message_personal.json
LENA = "5b7c1e94-2d3a-4f68-9e05-b1a8c6d4f273"  # the sender of invoke_adaptive_card_action_execute.json


@pytest.fixture
async def secure_admin_rig(make_rig, openid_server: str, tmp_path: Path):  # noqa: F811
    repo = SqliteConfigRepository(tmp_path / "kbot.db")
    await repo.save_source(Source("handbook", "folder", {"path": "/srv/handbook"}))
    settings = load_settings(
        microsoft_app_id=APP_ID,
        microsoft_app_password="not-a-real-secret",
        microsoft_app_tenant_id="50612dbb-0237-4969-b378-8d42590f9c00",  # SingleTenant is the default
        kbot_admins=ADA,
        kbot_config_table=None,
        kbot_db=tmp_path / "kbot.db",
    )
    service = AdminService(repo, bootstrap_admins={ADA}, kinds=SOURCE_KINDS, sync=QueuedSync(repo))
    rig = await make_rig(
        settings=settings, credentials_factory=_LocalCredentialFactory(APP_ID, "x"), config=repo, admin=service
    )
    yield rig
    await repo.close()


async def post(rig: TeamsRig, activity: dict, key: rsa.RSAPrivateKey):
    token = _token(key, activity["serviceUrl"])
    return await rig.post(activity, headers={"Authorization": f"Bearer {token}"})


async def test_authenticated_non_admin_is_refused_and_audited(
    secure_admin_rig: TeamsRig,
    signing_key: rsa.RSAPrivateKey,  # noqa: F811
) -> None:
    rig = secure_admin_rig
    activity = rig.activity("message_personal.json", text="admin remove handbook")
    activity["from"]["aadObjectId"] = LENA
    assert (await post(rig, activity, signing_key)).status == 200
    posts = await rig.connector.wait_posts(1)
    assert posts[-1].body["text"] == "Sorry, only kbot admins can do that."
    assert [s.name for s in await rig.app.config.list_sources()] == ["handbook"]
    [entry] = await rig.app.config.list_audit()
    assert (entry.actor, entry.action, entry.outcome) == (f"teams:{LENA}", "sources.remove", "denied")


async def test_authenticated_sync_button_checks_rights(
    secure_admin_rig: TeamsRig,
    signing_key: rsa.RSAPrivateKey,  # noqa: F811
) -> None:
    rig = secure_admin_rig
    invoke = rig.activity("invoke_adaptive_card_action_execute.json")
    invoke["value"]["action"].update(verb="kbot_admin_sync", data={"source": "handbook"})
    resp = await post(rig, invoke, signing_key)
    body = await resp.json()
    assert resp.status == 200 and "only kbot admins" in json.dumps(body)
    assert await rig.app.config.pending_sync_requests() == []
    assert (await rig.app.config.list_audit())[0].outcome == "denied"

    invoke["from"]["aadObjectId"] = ADA
    resp = await post(rig, invoke, signing_key)
    body = await resp.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Sync of handbook queued" in json.dumps(body["value"])
    [request] = await rig.app.config.pending_sync_requests()
    assert request.requested_by == f"teams:{ADA}"
    assert (await rig.app.config.list_audit())[0].outcome == "ok"


async def test_unauthenticated_admin_command_never_runs(secure_admin_rig: TeamsRig) -> None:
    rig = secure_admin_rig
    activity = rig.activity("message_personal.json", text="admin remove handbook")
    assert (await rig.post(activity, headers={})).status == 401
    assert [s.name for s in await rig.app.config.list_sources()] == ["handbook"]
    assert await rig.app.config.list_audit() == []
