"""Graceful shutdown of ``kbot serve``: Slack and Teams finish acknowledged work in parallel, within
ONE budget shorter than the container's stop timeout (ECS sends SIGKILL ``stopTimeout`` seconds after
SIGTERM, 30 s by default: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from aiohttp import web

from adapters.surfaces import SURFACES

log = logging.getLogger(__name__)

SHUTDOWN_BUDGET_SECONDS = 25.0  # < ECS's 30 s default stopTimeout, leaving room for runner cleanup


async def drain_surfaces(web_app: web.Application, budget: float = SHUTDOWN_BUDGET_SECONDS) -> float:
    """Wait for in-flight Slack answers, Teams turns and promised Teams summaries together; return the
    seconds it took (at most ``budget``). Later cleanup hooks skip their own waits."""
    started = time.monotonic()
    waits: list[Awaitable[Any]] = []
    bolt = web_app.get(_slack_key())
    if bolt is not None:
        from adapters.slack.admin_modal import drain_late
        from adapters.slack.context import slack_context

        waits += [slack_context(bolt).inflight.wait_idle(budget), drain_late(budget)]
    key = _teams_key()
    teams = web_app.get(key) if key is not None else None
    if teams is not None:
        waits.append(teams.drain(budget))
    bot_drain = web_app.get(SURFACES, {}).get("teams_bot_drain")
    if bot_drain is not None:
        waits.append(bot_drain(budget))
    if waits:
        try:
            await asyncio.wait_for(asyncio.gather(*waits, return_exceptions=True), budget)
        except TimeoutError:
            log.warning("shutdown: work still running after %.0f s; stopping anyway", budget)
    web_app.get(SURFACES, {})["drained"] = True
    return time.monotonic() - started


def _slack_key() -> Any:
    from adapters.server import SLACK_BOLT

    return SLACK_BOLT


def _teams_key() -> Any:
    try:
        from adapters.teams.routes import TEAMS_ENDPOINT
    except ImportError:  # the Teams extra is not installed
        return None
    return TEAMS_ENDPOINT
