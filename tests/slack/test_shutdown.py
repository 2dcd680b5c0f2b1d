"""Issue 16 item 12: ``kbot serve`` drains Slack and Teams in parallel within one budget."""

from __future__ import annotations

import asyncio
import time

from adapters.server import SLACK_BOLT, build_web_app
from adapters.shutdown import SHUTDOWN_BUDGET_SECONDS, drain_surfaces
from adapters.slack.context import slack_context
from adapters.teams.routes import TEAMS_ENDPOINT
from adapters.wiring import App
from bot.settings import load_settings


async def test_slack_and_teams_drain_together_within_one_budget() -> None:
    settings = load_settings(slack_bot_token="xoxb-1", slack_signing_secret="s", kbot_teams_emulator=True)
    web_app = build_web_app(App(settings))
    finished: list[str] = []

    async def slack_answer(**_: object) -> None:
        await asyncio.sleep(1.0)
        finished.append("slack")

    async def teams_turn() -> None:
        await asyncio.sleep(1.0)
        finished.append("teams")

    bolt = web_app[SLACK_BOLT]
    assert bolt is not None
    slack_work = asyncio.create_task(slack_context(bolt).inflight.track(slack_answer)())
    endpoint = web_app[TEAMS_ENDPOINT]
    teams_work = asyncio.create_task(teams_turn())
    endpoint._background.add(teams_work)
    started = time.monotonic()
    took = await drain_surfaces(web_app, budget=3.0)
    assert sorted(finished) == ["slack", "teams"]
    assert took < 1.8 and time.monotonic() - started < 1.8  # one after the other would take 2.0 s
    await asyncio.gather(slack_work, teams_work)


async def test_the_budget_bounds_a_stuck_surface() -> None:
    settings = load_settings(kbot_teams_emulator=True)
    web_app = build_web_app(App(settings))
    stuck = asyncio.create_task(asyncio.sleep(30))
    web_app[TEAMS_ENDPOINT]._background.add(stuck)
    took = await drain_surfaces(web_app, budget=0.3)
    assert took < 1.0 and SHUTDOWN_BUDGET_SECONDS < 30  # ECS kills the task 30 s after SIGTERM
    stuck.cancel()
