"""The one aiohttp application ``kbot serve`` runs: ``POST /slack/events``, ``GET /healthz`` and
the Teams route when that adapter is installed."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from adapters.wiring import App
from bot.errors import KbotError

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024  # Slack payloads are far smaller; bigger bodies get 413
KBOT_APP: web.AppKey[App] = web.AppKey("kbot_app", App)
SLACK_BOLT: web.AppKey[AsyncApp | None] = web.AppKey("slack_bolt", AsyncApp)


def slack_handler(bolt: AsyncApp) -> Any:
    async def slack_events(request: web.Request) -> web.Response:
        # Slack sends Unix seconds (https://api.slack.com/authentication/verifying-requests-from-slack);
        # anything else is refused here, before bolt's int() of it could raise.
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return web.json_response({"error": "invalid or missing request timestamp"}, status=401)
        try:
            bolt_request = await to_bolt_request(request)
        except (ValueError, AttributeError, TypeError):  # undecodable, malformed JSON, or not an object
            return web.json_response({"error": "malformed request body"}, status=400)
        if not isinstance(bolt_request.body, dict) or not bolt_request.body:
            return web.json_response({"error": "request body must be a JSON object or form"}, status=400)
        if "event" in bolt_request.body and not isinstance(bolt_request.body["event"], dict):
            return web.json_response({"error": "'event' must be a JSON object"}, status=400)
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    return slack_events


async def healthz(request: web.Request) -> web.Response:
    app = request.app[KBOT_APP]
    backend = app.settings.kbot_backend
    body: dict[str, Any] = {"status": "ok", "backend": backend, "slack": request.app[SLACK_BOLT] is not None}
    if backend == "embedded":
        try:
            body["documents"] = (await app.store.stats())["documents"]
        except KbotError as exc:
            log.warning("health check: store unavailable: %s", exc)
            return web.json_response({**body, "status": "degraded", "error": exc.user_message}, status=503)
    return web.json_response(body)


def build_web_app(app: App, *, socket_mode: bool = False) -> web.Application:
    """Slack is mounted when ``SLACK_BOT_TOKEN`` is set (HTTP mode also needs the signing secret)."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app[KBOT_APP] = app
    bolt: AsyncApp | None = None
    if app.settings.slack_bot_token is not None:
        from adapters.slack.app_factory import build_slack_app

        bolt = build_slack_app(app, socket_mode=socket_mode)
        if not socket_mode:
            web_app.router.add_post(SLACK_PATH, slack_handler(bolt))
    web_app[SLACK_BOLT] = bolt
    web_app.router.add_get("/healthz", healthz)
    # Teams only when it can authenticate its callers (or the explicit loopback emulator mode): an
    # unauthenticated /api/messages would let anyone act as any Teams user, admins included.
    if app.settings.teams_enabled and importlib.util.find_spec("adapters.teams.routes") is not None:
        importlib.import_module("adapters.teams.routes").add_teams_routes(web_app, app)
    return web_app
