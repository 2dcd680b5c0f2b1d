"""The one aiohttp application ``kbot serve`` runs: ``POST /slack/events``, ``GET /healthz``
(backend + each mounted surface), ``GET /livez`` (liveness only) and the Teams route when installed."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt import BoltResponse
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


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """Slow-loris defences: a client gets ``header_timeout_s`` to send its request line and headers
    (also the keep-alive idle time), ``body_timeout_s`` for the body, and at most
    ``max_connections`` are open at once; beyond that a new connection gets an immediate 503."""

    header_timeout_s: float = 15.0
    body_timeout_s: float = 30.0
    max_connections: int = 512


_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _Busy(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(_BUSY)
        transport.close()


def body_timeout(seconds: float) -> Any:
    """Middleware: the whole body within ``seconds`` (aiohttp has no body read timeout), else 408."""

    @web.middleware
    async def read_body_in_time(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.body_exists:
            try:
                await asyncio.wait_for(request.read(), seconds)  # cached: handlers read it again for free
            except TimeoutError:
                raise web.HTTPRequestTimeout(text="request body too slow") from None
        return await handler(request)

    return read_body_in_time


class _CappedSite(web.TCPSite):
    """A TCP site whose protocol factory answers 503 once ``max_connections`` are open, so a flood
    of idle connections cannot use up the process's file descriptors (and /healthz with them)."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, max_connections: int) -> None:
        super().__init__(runner, host, port)
        self.max_connections = max_connections

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with the runner (stopped by cleanup())
        server = self._runner.server
        assert server is not None

        def protocol() -> asyncio.Protocol:
            return server() if len(server.connections) < self.max_connections else _Busy()

        self._server = await asyncio.get_running_loop().create_server(
            protocol, self._host, self._port, reuse_address=True
        )


async def start_site(web_app: web.Application, host: str, port: int, limits: HttpLimits) -> tuple[web.AppRunner, int]:
    """Run ``web_app`` on host:port with ``limits``; returns (runner, the bound port). OSError if it cannot bind."""
    web_app.middlewares.append(body_timeout(limits.body_timeout_s))
    # aiohttp's keep-alive timer also runs from connection start until a request's headers are
    # complete: it is the header read timeout.
    runner = web.AppRunner(web_app, access_log=None, keepalive_timeout=limits.header_timeout_s)
    await runner.setup()
    site = _CappedSite(runner, host, port, limits.max_connections)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    sockets = site._server.sockets if isinstance(site._server, asyncio.Server) else ()
    return runner, sockets[0].getsockname()[1] if sockets else port


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


async def slack_errors(error: Exception, logger: logging.Logger) -> BoltResponse | None:
    """bolt's error handler: an unreachable Slack Web API (bolt's ``auth.test`` runs before any
    listener) still acks the request, so Slack does not retry into the same outage; the reply is
    what fails. Other errors are logged as bolt's default handler does."""
    if isinstance(error, aiohttp.ClientError | TimeoutError | ConnectionError):
        logger.warning("slack: Web API unreachable (%s); request acknowledged, no reply sent", type(error).__name__)
        return BoltResponse(status=200, body="")
    logger.exception(f"slack: unhandled error: {error}")
    return None


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
        bolt.error(slack_errors)
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
