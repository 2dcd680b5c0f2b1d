"""Reading Slack threads and channels: conversation history as core Turns / Conversations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.mrkdwn import strip_mentions
from bot.errors import InputError
from bot.models import Conversation, Turn
from bot.summarizing.chat_loaders import from_slack, slack_text

MAX_HISTORY_TURNS = 12
MAX_THREAD_MESSAGES = 1000
_PAGE = 200
_MESSAGE_LINK = re.compile(
    r"https://[\w.-]+\.slack(?:-gov)?\.com/archives/([CGD][A-Z0-9]+)/p(\d{10})(\d{6})(?:\?[^\s>|]*?thread_ts=(\d+\.\d+))?"
)


@dataclass(slots=True, frozen=True)
class BotIdentity:
    user_id: str | None
    bot_id: str | None

    def wrote(self, message: Mapping[str, Any]) -> bool:
        return bool(
            (self.bot_id and message.get("bot_id") == self.bot_id)
            or (self.user_id and message.get("user") == self.user_id)
        )

    def mentioned_in(self, text: str) -> bool:
        return bool(self.user_id) and f"<@{self.user_id}" in text


def parse_message_link(text: str) -> tuple[str, str] | None:
    """A Slack message link -> ``(channel, thread root ts)``."""
    match = _MESSAGE_LINK.search(text)
    if not match:
        return None
    channel, secs, micros, thread_ts = match.groups()
    return channel, thread_ts or f"{secs}.{micros}"


async def fetch_thread(client: AsyncWebClient, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    """All messages of a thread (root first), bounded to ``MAX_THREAD_MESSAGES``."""
    messages: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(messages) < MAX_THREAD_MESSAGES:
        resp = await client.conversations_replies(channel=channel, ts=thread_ts, limit=_PAGE, cursor=cursor)
        messages.extend(m for m in resp.get("messages") or [] if isinstance(m, dict))
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not cursor or not resp.get("has_more", True):
            break
    return messages[:MAX_THREAD_MESSAGES]


async def fetch_recent(client: AsyncWebClient, channel: str, limit: int = 100) -> list[dict[str, Any]]:
    """The channel's latest top-level messages, oldest first."""
    resp = await client.conversations_history(channel=channel, limit=limit)
    messages = [m for m in resp.get("messages") or [] if isinstance(m, dict)]
    return sorted(messages, key=lambda m: float(m.get("ts") or 0))


def history_turns(messages: list[dict[str, Any]], current_ts: str, bot: BotIdentity) -> list[Turn]:
    """Earlier messages of the thread as conversation turns for the core (latest ``MAX_HISTORY_TURNS``)."""
    turns: list[Turn] = []
    for msg in messages:
        ts = str(msg.get("ts") or "")
        if not ts or ts == current_ts or (current_ts and float(ts) > float(current_ts)):
            continue
        if msg.get("subtype") not in (None, "bot_message", "thread_broadcast", "file_share"):
            continue
        text = slack_text(strip_mentions(str(msg.get("text") or ""))).strip()
        if text:
            turns.append(Turn(role="assistant" if bot.wrote(msg) else "user", text=text))
    return turns[-MAX_HISTORY_TURNS:]


async def user_names(
    client: AsyncWebClient, messages: list[dict[str, Any]], cache: dict[str, str], limit: int = 25
) -> dict[str, str]:
    """Display names of the thread's authors (``users.info``, cached; unknown ids stay ids)."""
    wanted = {str(m["user"]) for m in messages if m.get("user")}
    for text in (str(m.get("text") or "") for m in messages):
        wanted.update(re.findall(r"<@([UW][A-Z0-9]+)", text))
    for uid in sorted(wanted - cache.keys())[:limit]:
        try:
            user = (await client.users_info(user=uid)).get("user") or {}
        except SlackApiError:
            continue
        profile = user.get("profile") or {}
        cache[uid] = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or uid
        )
    return {uid: cache[uid] for uid in wanted if uid in cache}


async def to_conversation(
    client: AsyncWebClient, channel: str, messages: list[dict[str, Any]], names: dict[str, str], title: str
) -> Conversation:
    """Slack messages -> Conversation via the summarization loader, with names and permalinks."""
    if not messages:
        raise InputError("There are no messages there to summarize.")
    base: str | None = None
    try:
        permalink = (await client.chat_getPermalink(channel=channel, message_ts=messages[0]["ts"])).get(
            "permalink"
        )
        base = str(permalink).split("?")[0].rsplit("/", 1)[0] if permalink else None
    except (SlackApiError, KeyError):
        base = None
    directory = await user_names(client, messages, names)
    conversation = from_slack(messages, directory, permalink_base=base)
    conversation.title = title
    if not any(m.text.strip() for m in conversation.messages):
        raise InputError("There are no messages with text there to summarize.")
    return conversation
