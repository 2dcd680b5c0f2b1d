"""Summaries from Teams: a pasted/attached email (``summarize`` command) and a channel thread (Graph)."""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any
from urllib.parse import parse_qs, urlparse

from adapters.parsing.email_parser import parse_email_file
from bot.errors import ConfigError, ConnectorError, InputError
from bot.models import Conversation, Summary
from bot.ports import FileParser, Summarizer
from bot.summarizing.chat_loaders import from_teams
from bot.summarizing.loaders import from_email_text, load_text

from .activity import as_dict
from .ports import FileFetcher, Replier, ThreadReader

log = logging.getLogger(__name__)

EMAIL_SUFFIXES = {".eml", ".msg"}


class TeamsSummaries:
    def __init__(
        self,
        summarizer: Summarizer,
        *,
        thread_reader: ThreadReader | None,
        fetcher: FileFetcher | None,
        parser: FileParser | None,
        max_file_bytes: int,
    ) -> None:
        self.summarizer = summarizer
        self.thread_reader = thread_reader
        self.fetcher = fetcher
        self.parser = parser
        self.max_file_bytes = max_file_bytes

    async def pasted(self, text: str) -> Summary:
        """``summarize <pasted email, forwarded chain or chat transcript>``."""
        if not text.strip():
            raise InputError(
                "nothing to summarize",
                user_message="Paste the email (or attach the .eml/.msg file) after `summarize`.",
            )
        return await self._summarize(load_text(text))

    async def attached(self, name: str, url: str) -> Summary:
        if self.fetcher is None:
            raise ConfigError("file downloads are not configured for the Teams adapter")
        try:
            data = await self.fetcher.fetch(url, max_bytes=self.max_file_bytes)
        except ConnectorError as exc:
            raise InputError(
                f"download of {name} failed: {exc}",
                user_message=(f"I couldn't download {name} (the link may have expired). Please send it again."),
            ) from exc
        return await self._summarize(await self._file_conversation(name, data))

    async def _file_conversation(self, name: str, data: bytes) -> Conversation:
        if PurePath(name).suffix.lower() in EMAIL_SUFFIXES:
            return await parse_email_file(data, name)
        if self.parser is None or not self.parser.supports(name):
            raise InputError(
                f"cannot summarize {name}",
                user_message=(f"I can't read {name}. Attach an .eml or .msg email, or paste the text."),
            )
        parsed = await self.parser.parse(data, name)
        return from_email_text(parsed.text, subject=parsed.title or None)

    def check_thread(self, activity: dict[str, Any]) -> None:
        """The checks of :meth:`thread` that need no I/O (raises the same errors), so an invoke can be
        refused at once and the slow part run after the invoke was answered."""
        self._thread_target(activity)

    def _thread_target(self, activity: dict[str, Any]) -> tuple[dict[str, Any], str, dict[str, Any]]:
        payload = as_dict(as_dict(activity.get("value")).get("messagePayload"))
        if not payload.get("id"):
            raise InputError(
                "message action without messagePayload",
                user_message="Use “Summarize thread” from the … menu of a channel message.",
            )
        channel_data = as_dict(activity.get("channelData"))
        channel_id = as_dict(channel_data.get("channel")).get("id") or channel_data.get("teamsChannelId")
        team = as_dict(channel_data.get("team"))
        if not channel_id or not (team.get("id") or team.get("aadGroupId")):
            raise InputError(
                "thread summary outside a channel",
                user_message=(
                    "“Summarize thread” works on channel posts. In a chat, paste the text after `summarize`."
                ),
            )
        if self.thread_reader is None:
            raise ConfigError(
                "thread summaries need Microsoft Graph (ChannelMessage.Read.All) credentials",
                user_message="Thread summaries are not set up yet (Microsoft Graph access). An admin has been told.",
            )
        return payload, str(channel_id), team

    async def thread(self, activity: dict[str, Any], replier: Replier) -> tuple[Summary, str | None]:
        """The thread of the message a "Summarize thread" action was used on (channel posts only)."""
        payload, channel_id, team = self._thread_target(activity)
        channel_data = as_dict(activity.get("channelData"))
        reader = self.thread_reader
        if reader is None:  # checked by _thread_target; for the type checker
            raise ConfigError("thread summaries need Microsoft Graph credentials")
        group_id = team.get("aadGroupId") or _group_from_link(payload.get("linkToMessage"))
        if not group_id:
            group_id = await replier.team_group_id(str(team["id"]))
        if not group_id:
            raise InputError("team group id unknown", user_message="I couldn't identify this team. Try again later.")
        root_id = str(payload.get("replyToId") or payload["id"])
        tenant = as_dict(channel_data.get("tenant")).get("id")
        messages = await reader.channel_thread(tenant, str(group_id), str(channel_id), root_id)
        conversation = from_teams({"value": messages})
        conversation.title = payload.get("subject") or None
        return await self._summarize(conversation), payload.get("linkToMessage")

    async def _summarize(self, conversation: Conversation) -> Summary:
        if not any(m.text.strip() for m in conversation.messages):
            raise InputError("nothing to summarize", user_message="There's nothing to summarize in that.")
        return await self.summarizer.summarize(conversation)


def _group_from_link(link: Any) -> str | None:
    """``groupId`` from a Teams deep link (``https://teams.microsoft.com/l/message/...?groupId=...``)."""
    if not isinstance(link, str):
        return None
    values = parse_qs(urlparse(link).query).get("groupId")
    return values[0] if values else None
