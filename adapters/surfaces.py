"""Which chat surfaces ``kbot serve`` mounted and whether each can take traffic, for ``/healthz``.

``/livez`` (adapters/server.py) is the liveness path for the load balancer and the container health
check: it answers as long as the process serves HTTP, whatever Slack, Teams or the backend do, so a
Slack outage or a slow store never gets healthy tasks killed. ``/healthz`` is for people and alarms.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

SURFACES: web.AppKey[dict[str, Any]] = web.AppKey("kbot_surfaces", dict)


def mount_slack(web_app: web.Application, *, socket_mode: bool) -> None:
    web_app[SURFACES]["slack"] = {"mode": "socket" if socket_mode else "http"}


def mount_teams(web_app: web.Application, *, emulator: bool) -> None:
    web_app[SURFACES]["teams"] = {"mode": "emulator" if emulator else "bot framework"}


def attach_socket_handler(web_app: web.Application, handler: Any) -> None:
    """``kbot serve`` in Socket Mode: the connected handler (``AsyncSocketModeHandler``)."""
    web_app[SURFACES]["slack_socket"] = handler


async def surfaces_report(web_app: web.Application) -> tuple[dict[str, Any], bool]:
    """``({"slack": {...}, "teams": {...}}, all_up)``; an unmounted surface is ``{"mounted": False}``."""
    state = web_app.get(SURFACES, {})
    report: dict[str, Any] = {}
    healthy = True
    slack = state.get("slack")
    if slack is None:
        report["slack"] = {"mounted": False}
    elif slack["mode"] == "socket":
        connected = await _socket_connected(state.get("slack_socket"))
        report["slack"] = {"mounted": True, "mode": "socket", "connected": connected}
        healthy = connected
    else:
        report["slack"] = {"mounted": True, "mode": "http"}
    teams = state.get("teams")
    report["teams"] = {"mounted": True, "mode": teams["mode"]} if teams else {"mounted": False}
    return report, healthy


async def _socket_connected(handler: Any) -> bool:
    client = getattr(handler, "client", None)
    if client is None:
        return False
    try:
        return bool(await client.is_connected())
    except Exception:  # noqa: BLE001 - a health probe never raises
        log.info("socket mode state unavailable", exc_info=True)
        return False
