"""The Teams side of the composition root: the turn handler over the App's services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.teams.access import TeamsAccess
from adapters.teams.gate import FollowupsOn
from adapters.teams.handlers import TeamsBot
from adapters.teams.memory import ConversationMemory
from adapters.teams.ports import FileFetcher, ThreadReader
from adapters.teams.summaries import TeamsSummaries
from adapters.teams.verified import TeamsVerified

if TYPE_CHECKING:
    from adapters.wiring.app import App


class AppAdminHooks:
    """``admin ...`` chat commands and admin card buttons, run against the App's admin service."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def command(self, activity: dict[str, Any]) -> dict[str, Any] | None:
        from adapters.teams.admin import handle_admin_command

        return await handle_admin_command(self.app, activity)

    async def card_action(self, activity: dict[str, Any]) -> dict[str, Any] | None:
        from adapters.teams.admin import handle_admin_card_action

        return await handle_admin_card_action(self.app, activity)


def build_teams_bot(
    app: App,
    *,
    memory: ConversationMemory | None = None,
    thread_reader: ThreadReader | None,
    fetcher: FileFetcher,
    stream_interval: float | None = None,
    followups: FollowupsOn | None = None,
) -> TeamsBot:
    """``thread_reader``: Graph (or the App's override); ``stream_interval``: None = the settings' value;
    ``memory``: None = kept in the App's shared state store (so every replica sees the same conversations)."""
    settings = app.settings
    summaries = TeamsSummaries(
        app.summaries,
        thread_reader=app.overrides.teams_thread_reader or thread_reader,
        fetcher=fetcher,
        parser=app.parser,
        max_file_bytes=settings.kbot_max_file_mb * 1024 * 1024,
    )
    bot = TeamsBot(
        app.ask,
        summaries,
        memory=memory or ConversationMemory(app.state),
        access=TeamsAccess(),
        admin=AppAdminHooks(app),
        stream_interval=settings.kbot_teams_stream_interval if stream_interval is None else stream_interval,
        followups=followups,
    )
    experts = settings.kbot_teams_experts_channel or (
        settings.kbot_experts_channel if (settings.kbot_experts_channel or "").startswith("19:") else None
    )
    bot.invokes.verified = TeamsVerified(
        app.verified, bot.memory, experts, thread_reader=app.overrides.teams_thread_reader or thread_reader
    )
    return bot
