"""``kbot serve [--port N]``: the chat front ends (Slack, Teams) and ``/healthz`` on one port.

Socket Mode (no public URL needed) when ``SLACK_APP_TOKEN`` is set.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from adapters.teams.service_url import is_loopback_host
from adapters.wiring import App
from bot.errors import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the Slack/Teams server (POST /slack/events, GET /healthz)"
    )
    parser.add_argument("--port", type=int, help="port to listen on (default: $PORT or 3000)")
    parser.add_argument(
        "--host", help="interface to bind (default: all; 127.0.0.1 with KBOT_TEAMS_EMULATOR=1, which allows no other)"
    )
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace, app: App) -> int:
    from adapters.server import SLACK_BOLT, HttpLimits, build_web_app, start_site
    from adapters.shutdown import drain_surfaces
    from adapters.surfaces import attach_socket_handler

    port = args.port if args.port is not None else app.settings.port
    if not 0 < port < 65536:
        raise ConfigError(f"--port must be between 1 and 65535, not {port}")
    host = bind_host(args.host, emulator=app.settings.kbot_teams_emulator and not app.settings.microsoft_app_id)
    app_token = app.settings.slack_app_token.get_secret_value() if app.settings.slack_app_token else None
    web_app = build_web_app(app, socket_mode=bool(app_token))
    bolt = web_app[SLACK_BOLT]
    s = app.settings
    limits = HttpLimits(s.kbot_http_header_timeout_s, s.kbot_http_body_timeout_s, s.kbot_http_max_connections)
    try:
        runner, _ = await start_site(web_app, host, port, limits)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    socket_handler = None
    try:
        if bolt is not None and app_token:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            socket_handler = AsyncSocketModeHandler(bolt, app_token)
            await socket_handler.connect_async()
            attach_socket_handler(web_app, socket_handler)
        slack_off = "off, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"
        mode = "socket mode" if socket_handler else ("POST /slack/events" if bolt else slack_off)
        teams = "off, set MICROSOFT_APP_ID"
        if app.settings.microsoft_app_id:
            teams = "POST /api/messages"
        elif app.settings.kbot_teams_emulator:
            teams = "POST /api/messages, UNAUTHENTICATED emulator mode"
        where = f"http://{host}:{port} (Slack: {mode}; Teams: {teams}; GET /healthz, /livez)"
        print(f"kbot: serving on {where}", file=sys.stderr)
        await _wait_for_stop()
    finally:
        if socket_handler is not None:
            await socket_handler.close_async()
        # Slack and Teams finish acknowledged work together, within one budget < the ECS stop timeout
        await drain_surfaces(web_app)
        await runner.cleanup()
    return 0


def bind_host(requested: str | None, *, emulator: bool) -> str:
    """Where to listen: unauthenticated emulator mode must never be reachable from another machine."""
    if not emulator:
        return requested or "0.0.0.0"
    host = requested or "127.0.0.1"
    if not is_loopback_host(host):
        raise ConfigError(f"KBOT_TEAMS_EMULATOR=1 serves unauthenticated Teams traffic: bind 127.0.0.1, not {host}")
    return host


async def _wait_for_stop() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
