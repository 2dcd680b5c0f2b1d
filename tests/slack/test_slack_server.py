"""adapters.server without Slack settings, and with incomplete ones."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.server import build_web_app
from adapters.wiring import App
from bot.errors import ConfigError
from bot.settings import load_settings


async def test_server_without_slack_still_serves_healthz() -> None:
    web_app = build_web_app(App(load_settings()))
    async with TestClient(TestServer(web_app)) as client:
        resp = await client.get("/healthz")
        assert resp.status == 200
        body = await resp.json()
        assert body.pop("surfaces") == {"slack": {"mounted": False}, "teams": {"mounted": False}}
        assert body == {"status": "ok", "backend": "embedded", "slack": False, "documents": 0}
        assert (await client.post("/slack/events", data="{}")).status in (404, 405)


def test_bot_token_without_signing_secret_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        build_web_app(App(load_settings(slack_bot_token="xoxb-1")))
    build_web_app(App(load_settings(slack_bot_token="xoxb-1")), socket_mode=True)  # Socket Mode needs none


async def test_healthz_reports_an_unusable_store(tmp_path) -> None:
    (tmp_path / "not-a-db").mkdir()
    web_app = build_web_app(App(load_settings(kbot_db=tmp_path / "not-a-db")))
    async with TestClient(TestServer(web_app)) as client:
        resp = await client.get("/healthz")
        body = await resp.json()
    assert resp.status == 503 and body["status"] == "degraded" and body["error"]


def test_building_the_slack_app_keeps_kbot_info_events(caplog: pytest.LogCaptureFixture) -> None:
    """Bolt pins its app logger's level on each request; that must not silence kbot.* metric events."""
    import logging

    from slack_bolt.logger import get_bolt_app_logger

    from adapters.wiring.slack import build_slack_app

    logging.getLogger().setLevel(logging.WARNING)
    settings = load_settings(slack_bot_token="xoxb-test", slack_signing_secret="s3cret")
    bolt = build_slack_app(App(settings))
    get_bolt_app_logger(app_name=bolt.name)  # what bolt does on every request: pins that logger's level
    caplog.set_level(logging.INFO)
    logging.getLogger("kbot.answers").info("answer", extra={"kb_event": "answer"})
    assert [r.getMessage() for r in caplog.records if r.name == "kbot.answers"] == ["answer"]


async def test_livez_does_not_depend_on_the_backend_or_surfaces(tmp_path) -> None:
    """Issue 16 item 11: the load balancer's path stays 200 while /healthz reports a broken store."""
    (tmp_path / "not-a-db").mkdir()
    web_app = build_web_app(App(load_settings(kbot_db=tmp_path / "not-a-db")))
    async with TestClient(TestServer(web_app)) as client:
        assert (await client.get("/healthz")).status == 503
        resp = await client.get("/livez")
        assert resp.status == 200 and await resp.json() == {"status": "alive"}


async def test_healthz_reports_each_mounted_surface() -> None:
    """Issue 16 item 11: Slack (HTTP or Socket Mode, connected or not) and Teams, side by side."""
    from adapters.surfaces import attach_socket_handler

    settings = load_settings(slack_bot_token="xoxb-1", kbot_teams_emulator=True)
    web_app = build_web_app(App(settings), socket_mode=True)

    class Handler:  # AsyncSocketModeHandler's shape: ``client.is_connected()``
        class client:  # noqa: N801
            connected = False

            @classmethod
            async def is_connected(cls) -> bool:
                return cls.connected

    attach_socket_handler(web_app, Handler)
    async with TestClient(TestServer(web_app)) as client:
        resp = await client.get("/healthz")
        body = await resp.json()
        assert resp.status == 503 and body["status"] == "degraded"
        assert body["surfaces"] == {
            "slack": {"mounted": True, "mode": "socket", "connected": False},
            "teams": {"mounted": True, "mode": "emulator"},
        }
        Handler.client.connected = True
        resp = await client.get("/healthz")
        assert resp.status == 200 and (await resp.json())["surfaces"]["slack"]["connected"] is True
