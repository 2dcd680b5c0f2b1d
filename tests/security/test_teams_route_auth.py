"""Critical: /api/messages must never let an unauthenticated caller act as a Teams user (let alone an admin).

Bot Framework requires every inbound activity to carry a JWT issued by the Bot Connector
(https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication);
without MICROSOFT_APP_ID there is nothing to validate against, so the route is not mounted at all, and
the explicit emulator mode treats every caller as anonymous.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.cli.commands.serve import bind_host
from adapters.server import build_web_app
from adapters.teams.routes import TEAMS_ENDPOINT
from adapters.teams.service_url import service_url_problem
from adapters.wiring import App
from bot.errors import ConfigError
from bot.models import Source
from bot.settings import load_settings
from tests.security.teams_activities import ADMIN_AAD, hostile_activities


async def _config_snapshot(app: App) -> tuple[list[tuple[str, bool]], list[str]]:
    sources = [(s.name, s.enabled) for s in await app.config.list_sources()]
    audit = [f"{a.actor}:{a.action}:{a.outcome}" for a in await app.config.list_audit(200)]
    return sources, audit


@pytest.fixture
async def slack_only_app(tmp_path: Path):
    app = App(load_settings(kbot_db=tmp_path / "kbot.db", kbot_admins=ADMIN_AAD, slack_bot_token="xoxb-1",
                            slack_signing_secret="s3cret"))
    await app.config.save_source(Source("handbook", "folder", {"path": str(tmp_path)}))
    yield app
    await app.aclose()


async def test_slack_only_install_has_no_teams_route(slack_only_app: App) -> None:
    before = await _config_snapshot(slack_only_app)
    client = TestClient(TestServer(build_web_app(slack_only_app), host="127.0.0.1"))
    await client.start_server()
    try:
        for name, activity in hostile_activities().items():
            resp = await client.post("/api/messages", json=activity)
            assert resp.status in (401, 404), name
    finally:
        await client.close()
    assert await _config_snapshot(slack_only_app) == before


async def test_emulator_callers_are_anonymous_never_admins(tmp_path: Path, make_rig, connector) -> None:
    settings = load_settings(kbot_db=tmp_path / "kbot.db", kbot_admins=ADMIN_AAD)
    rig = await make_rig(settings=settings, emulator=True)
    await rig.app.config.save_source(Source("handbook", "folder", {"path": str(tmp_path)}))
    activities = hostile_activities(service_url=connector.url + "/", folder=str(tmp_path))
    for name in ("admin-add-card", "admin-disable-message", "admin-submit"):
        await rig.post(activities[name])
    await rig.client.server.app[TEAMS_ENDPOINT].drain()
    sources = {s.name: s.enabled for s in await rig.app.config.list_sources()}
    assert sources == {"handbook": True}
    audit = await rig.app.config.list_audit(50)
    assert audit, "denials are audited"
    assert all(a.actor.startswith("teams:emulator:") and a.outcome != "ok" for a in audit), audit
    assert all(ADMIN_AAD not in a.actor for a in audit)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/",
        "http://smba.trafficmanager.net/amer/",
        "https://smba.trafficmanager.net:8443/amer/",
        "https://user:pw@smba.trafficmanager.net/amer/",
        "https://smba.trafficmanager.net/amer/../../internal/",
        "https://smba.trafficmanager.net/%2e%2e/admin",
        "https://smba.trafficmanager.net/amer/?x=1",
        "https://smba.trafficmanager.net\\@evil.example.com/",
        "https://smba.trafficmanager.net.evil.example.com/",
        "http://127.0.0.1:9/internal/",
    ],
)
def test_untrusted_service_urls_are_refused(url: str) -> None:
    hosts = load_settings().teams_service_hosts()
    assert service_url_problem(url, hosts, emulator=False) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://smba.trafficmanager.net/amer/",
        "https://smba.trafficmanager.net/teams/",
        "https://smba.infra.gcc.teams.microsoft.com/teams",
        "https://smba.trafficmanager.net/emea",
    ],
)
def test_teams_connector_urls_are_accepted(url: str) -> None:
    assert service_url_problem(url, load_settings().teams_service_hosts(), emulator=False) is None


def test_emulator_mode_only_replies_to_loopback() -> None:
    assert service_url_problem("http://localhost:3978/", set(), emulator=True) is None
    assert service_url_problem("https://smba.trafficmanager.net/amer/", set(), emulator=True) is not None
    assert service_url_problem("http://127.0.0.1:9/a/../b", set(), emulator=True) is not None


async def test_authenticated_activity_with_untrusted_service_url_is_refused(rig, signing_key) -> None:
    from tests.teams.botframework_auth import token

    url = "https://evil.example.com/"
    inbound = rig.activity("message_personal.json", serviceUrl=url)
    resp = await rig.post(inbound, headers={"Authorization": f"Bearer {token(signing_key, url)}"})
    assert resp.status == 403
    assert rig.answerer.questions == [] and rig.connector.received == []


def test_teams_without_app_id_or_emulator_flag_refuses_to_start() -> None:
    from aiohttp import web

    from adapters.teams.routes import add_teams_routes

    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID"):
        add_teams_routes(web.Application(), App(load_settings()))


def test_emulator_mode_binds_loopback_only() -> None:
    assert bind_host(None, emulator=True) == "127.0.0.1"
    assert bind_host("::1", emulator=True) == "::1"
    with pytest.raises(ConfigError, match="127.0.0.1"):
        bind_host("0.0.0.0", emulator=True)
    assert bind_host(None, emulator=False) == "0.0.0.0"
