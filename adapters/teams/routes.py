"""Mount the Teams bot on an aiohttp application: ``POST /api/messages``.

The core components are taken from the :class:`adapters.wiring.App` on the first activity, so a
server that never sees Teams traffic never builds them. Tests supply fakes through
:class:`adapters.wiring.AppOverrides` (``teams_thread_reader``, ``feedback``, ``config``, ``groups``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web

from adapters.channel_followups import followups_on
from adapters.http import HttpClient
from adapters.surfaces import SURFACES
from adapters.wiring import App
from adapters.wiring.teams import build_teams_bot
from bot.errors import InputError, KbotError

from .admin import teams_channel_id
from .bf_adapter import BotFrameworkEndpoint
from .graph_thread import build_thread_reader
from .handlers import TeamsBot
from .memory import ConversationMemory
from .ports import InvokeReply, Replier
from .render import text_activity

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


class _LazyTeamsBot:
    """Builds :class:`TeamsBot` (:func:`adapters.wiring.teams.build_teams_bot`) on first use: the
    answerer and summarizer are costly to build."""

    def __init__(self, app: App, stream_interval: float | None) -> None:
        self.app = app
        self.stream_interval = stream_interval
        self.memory = ConversationMemory()
        self._bot: TeamsBot | None = None
        self._session: aiohttp.ClientSession | None = None
        self._lock = asyncio.Lock()

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _build(self) -> TeamsBot:
        return build_teams_bot(
            self.app,
            memory=self.memory,
            thread_reader=build_thread_reader(self.app.settings, self.session()),
            fetcher=HttpFileFetcher(self.session),
            stream_interval=self.stream_interval,
            followups=lambda activity: followups_on(self.app.config, "teams", teams_channel_id(activity)),
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

    async def drain(self, seconds: float = 10.0) -> None:
        """Work promised after an invoke was answered (thread summaries), bounded."""
        if self._bot is not None:
            await self._bot.invokes.drain(seconds)

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
    surfaces = web_app.get(SURFACES)
    if surfaces is not None:  # mounted by adapters.server: kbot serve drains it with Slack (adapters.shutdown)
        surfaces["teams_bot_drain"] = bot.drain

    async def shutdown(_: web.Application) -> None:
        if not (surfaces or {}).get("drained"):  # kbot serve already waited, within its budget
            await asyncio.gather(endpoint.drain(), bot.drain())
        await bot.close()

    web_app.on_cleanup.append(shutdown)
    return endpoint
