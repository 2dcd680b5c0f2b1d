"""Mount the Teams bot on an aiohttp application: ``POST /api/messages``.

The core components are taken from the :class:`adapters.wiring.App` on the first activity, so a
server that never sees Teams traffic never builds them. Tests may inject ``teams_thread_reader``,
``feedback`` (a FeedbackRecorder), ``config`` and ``groups`` into the App.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web

from adapters.wiring import App
from bot.errors import InputError, KbotError
from bot.fair_use import FairUse
from ingest.http import HttpClient

from .access import TeamsAccess
from .bf_adapter import BotFrameworkEndpoint
from .graph_thread import build_thread_reader
from .handlers import TeamsBot
from .memory import ConversationMemory
from .ports import InvokeReply, Replier
from .render import text_activity
from .summaries import TeamsSummaries

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
TEAMS_ENDPOINT: web.AppKey[BotFrameworkEndpoint] = web.AppKey("teams_endpoint", BotFrameworkEndpoint)


class HttpFileFetcher:
    """Downloads ``file.download.info`` URLs (pre-authenticated, short-lived) with the shared retry policy."""

    def __init__(self, session_factory: Any) -> None:
        self._session_factory = session_factory

    async def fetch(self, url: str, *, max_bytes: int) -> bytes:
        parts = urlparse(url)
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise InputError(f"refusing to download {parts.scheme}:// URL", user_message="That file link isn't valid.")
        return await HttpClient(self._session_factory(), max_attempts=3).get_bytes(url, max_bytes=max_bytes)


class AppAdminHooks:
    """``admin ...`` chat commands and admin card buttons, run against the App's admin service."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def command(self, activity: dict[str, Any]) -> dict[str, Any] | None:
        from .admin import handle_admin_command

        return await handle_admin_command(self.app, activity)

    async def card_action(self, activity: dict[str, Any]) -> dict[str, Any] | None:
        from .admin import handle_admin_card_action

        return await handle_admin_card_action(self.app, activity)


class _LazyTeamsBot:
    """Builds :class:`TeamsBot` from the App on first use (answerer/summarizer are costly to build)."""

    def __init__(self, app: App, stream_interval: float | None) -> None:
        self.app = app
        self.stream_interval = stream_interval
        self._bot: TeamsBot | None = None
        self._session: aiohttp.ClientSession | None = None
        self._lock = asyncio.Lock()

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _build(self) -> TeamsBot:
        app, settings = self.app, self.app.settings
        reader = app.__dict__.get("teams_thread_reader") or build_thread_reader(settings, self.session())
        summaries = TeamsSummaries(
            app.summarizer,
            thread_reader=reader,
            fetcher=HttpFileFetcher(self.session),
            parser=app.parser,
            max_file_bytes=settings.kbot_max_file_mb * 1024 * 1024,
        )
        interval = settings.kbot_teams_stream_interval if self.stream_interval is None else self.stream_interval
        return TeamsBot(
            app.answerer,
            summaries,
            feedback=getattr(app, "feedback", None),
            memory=ConversationMemory(app.state),  # shared by all replicas
            fair_use=FairUse.from_settings(app.state, settings),
            access=TeamsAccess(app),
            admin=AppAdminHooks(app),
            stream_interval=interval,
        )

    async def __call__(self, activity: dict[str, Any], replier: Replier) -> InvokeReply | None:
        try:
            if self._bot is None:
                async with self._lock:
                    if self._bot is None:
                        self._bot = await self._build()
        except KbotError as exc:  # e.g. the backend is misconfigured: say so, retry on the next turn
            log.error("teams: cannot build the bot: %s", exc)
            if activity.get("type") == "invoke":
                return InvokeReply(503)
            if activity.get("type") == "message":
                await replier.send(text_activity(exc.user_message))
            return None
        return await self._bot.on_activity(activity, replier)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def add_teams_routes(
    web_app: web.Application,
    app: App,
    *,
    stream_interval: float | None = None,
    credentials_factory: Any = None,
) -> BotFrameworkEndpoint:
    bot = _LazyTeamsBot(app, stream_interval)
    endpoint = BotFrameworkEndpoint(app.settings, bot, credentials_factory=credentials_factory)
    web_app[TEAMS_ENDPOINT] = endpoint
    web_app.router.add_post(MESSAGES_PATH, endpoint.handle)

    async def shutdown(_: web.Application) -> None:
        await endpoint.drain()
        await bot.close()

    web_app.on_cleanup.append(shutdown)
    return endpoint
