"""The one aiohttp application ``kbot serve`` runs: ``POST /slack/events``, ``GET /healthz``
(backend + each mounted surface), ``GET /livez`` (liveness only) and the Teams route when installed."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from adapters.surfaces import SURFACES, mount_slack, mount_teams, surfaces_report
from adapters.wiring import App
from bot.errors import KbotError

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024  # Slack payloads are far smaller; bigger bodies get 413
KBOT_APP: web.AppKey[App] = web.AppKey("kbot_app", App)
SLACK_BOLT: web.AppKey[AsyncApp | None] = web.AppKey("slack_bolt", AsyncApp)


def slack_handler(bolt: AsyncApp) -> Any:
    async def slack_events(request: web.Request) -> web.Response:
        try:
            bolt_request = await to_bolt_request(request)
        except (ValueError, AttributeError, TypeError):  # undecodable, malformed JSON, or not an object
            return web.json_response({"error": "malformed request body"}, status=400)
        if not isinstance(bolt_request.body, dict) or not bolt_request.body:
            return web.json_response({"error": "request body must be a JSON object or form"}, status=400)
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    return slack_events


async def healthz(request: web.Request) -> web.Response:
    app = request.app[KBOT_APP]
    backend = app.settings.kbot_backend
    body: dict[str, Any] = {"status": "ok", "backend": backend, "slack": request.app[SLACK_BOLT] is not None}
    body["surfaces"], surfaces_up = await surfaces_report(request.app)
    if not surfaces_up:  # e.g. the Socket Mode connection is down
        return web.json_response({**body, "status": "degraded"}, status=503)
    if backend == "embedded":
        try:
            body["documents"] = (await app.store.stats())["documents"]
        except KbotError as exc:
            log.warning("health check: store unavailable: %s", exc)
            return web.json_response({**body, "status": "degraded", "error": exc.user_message}, status=503)
    elif backend == "bedrock":  # cheap: the outcome of this process's latest Bedrock calls, no new call
        try:
            health = app.bedrock.health()  # public endpoint: no admin text (ARNs, ids), only kinds and times
            body["bedrock"] = {k: v for k, v in health.items() if k != "last_error"}
        except KbotError as exc:
            body["bedrock"] = {"status": "degraded", "last_error_kind": type(exc).__name__}
        if body["bedrock"]["status"] != "ok":
            return web.json_response({**body, "status": "degraded"}, status=503)
    return web.json_response(body)


async def livez(request: web.Request) -> web.Response:
    """Liveness for the load balancer and container checks: never depends on Slack, Teams or the backend."""
    return web.json_response({"status": "alive"})


def build_web_app(app: App, *, socket_mode: bool = False) -> web.Application:
    """Slack is mounted when ``SLACK_BOT_TOKEN`` is set (HTTP mode also needs the signing secret)."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app[KBOT_APP] = app
    web_app[SURFACES] = {}
    bolt: AsyncApp | None = None
    if app.settings.slack_bot_token is not None:
        from adapters.wiring.slack import build_slack_app

        bolt = build_slack_app(app, socket_mode=socket_mode)
        if not socket_mode:
            web_app.router.add_post(SLACK_PATH, slack_handler(bolt))
        mount_slack(web_app, socket_mode=socket_mode)
    web_app[SLACK_BOLT] = bolt
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/livez", livez)
    # Teams only when it can authenticate its callers (or the explicit loopback emulator mode): an
    # unauthenticated /api/messages would let anyone act as any Teams user, admins included.
    if app.settings.teams_enabled and importlib.util.find_spec("adapters.teams.routes") is not None:
        importlib.import_module("adapters.teams.routes").add_teams_routes(web_app, app)
        mount_teams(web_app, emulator=not app.settings.microsoft_app_id)
    return web_app
