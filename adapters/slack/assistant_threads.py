"""Slack AI-assistant threads: the thread title and the thread context (the channel the user is viewing).

``assistant_thread_started`` and ``assistant_thread_context_changed`` carry
``assistant_thread.context.channel_id`` (https://docs.slack.dev/reference/events/assistant_thread_context_changed);
"summarize this" in the thread summarizes that channel. ``assistant.threads.setTitle`` names the thread
after the first question (https://docs.slack.dev/reference/methods/assistant.threads.setTitle).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.context import SLACK_ERRORS, SlackContext, post_text, user_error_text
from adapters.slack.conversations import fetch_recent, to_conversation
from bot.errors import KbotError
from bot.state import ConversationState

log = logging.getLogger(__name__)

TITLE_LIMIT = 100
THREAD_TTL_SECONDS = 7 * 24 * 3600  # an assistant thread's context is kept a week
_SUMMARIZE_VIEWED = re.compile(
    r"^\s*(?:please\s+)?summari[sz]e(?:\s+(?:this|it|here|this\s+channel|the\s+channel|what\s+i'?m\s+viewing))?\s*[.!?]*\s*$",
    re.IGNORECASE,
)


class AssistantThreads:
    """Per assistant thread: the viewed channel, and whether it has a title yet. Kept in the shared
    conversation state (:mod:`bot.state`), not process memory: the context event and the question that
    uses it may reach different ``kbot serve`` replicas."""

    def __init__(self, state: ConversationState) -> None:
        self.state = state

    @staticmethod
    def _key(channel: str, thread_ts: str) -> str:
        return f"slack-assistant:{channel}:{thread_ts}"

    async def remember(self, payload: dict[str, Any]) -> None:
        """From ``assistant_thread_started`` / ``assistant_thread_context_changed`` events."""
        thread = payload.get("assistant_thread") or {}
        channel, thread_ts = str(thread.get("channel_id") or ""), str(thread.get("thread_ts") or "")
        viewed = str((thread.get("context") or {}).get("channel_id") or "")
        if not (channel and thread_ts):
            return
        key = self._key(channel, thread_ts)
        try:
            if viewed:  # the thread's "session" value: the channel the user is looking at
                await self.state.put_session_id(key, viewed, ttl_seconds=THREAD_TTL_SECONDS)
            else:
                await self.state.forget_session_id(key)
        except KbotError:
            log.warning("could not store the assistant thread context", exc_info=True)

    async def viewed_channel(self, channel: str, thread_ts: str) -> str | None:
        try:
            return await self.state.session_id(self._key(channel, thread_ts))
        except KbotError:
            log.warning("could not read the assistant thread context", exc_info=True)
            return None

    async def set_title_once(self, client: AsyncWebClient, channel: str, thread_ts: str, text: str) -> None:
        if not text.strip():
            return
        key = "title:" + self._key(channel, thread_ts)
        try:  # claim-once: one replica titles the thread, once
            if not await self.state.claim(key, "title", lease_seconds=60, ttl_seconds=THREAD_TTL_SECONDS):
                return
            await self.state.complete(key, "title")
        except KbotError:
            log.warning("could not record the assistant thread title", exc_info=True)
            return
        title = " ".join(text.split())
        title = title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"
        try:
            await client.assistant_threads_setTitle(channel_id=channel, thread_ts=thread_ts, title=title)
        except SLACK_ERRORS:
            log.debug("assistant.threads.setTitle failed", exc_info=True)


def asks_to_summarize_viewed(text: str) -> bool:
    return bool(_SUMMARIZE_VIEWED.match(text))


async def summarize_viewed_channel(
    ctx: SlackContext, client: AsyncWebClient, *, viewed: str, channel: str, thread_ts: str
) -> None:
    """The recent messages of the channel the user is looking at, summarized into the assistant thread."""
    title = "Recent messages summary"
    try:
        messages = await fetch_recent(client, viewed)
        conversation = await to_conversation(client, viewed, messages, ctx.user_names, title)
        summary = await ctx.app.summaries.summarize(conversation)
        await client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=blocks.summary_fallback(summary, title),
            blocks=blocks.summary_blocks(summary, title),
        )
    except Exception as exc:  # noqa: BLE001 - every fault becomes a short reply in the thread
        log.info("summarizing the viewed channel %s failed: %s", viewed, exc, exc_info=True)
        text = user_error_text(exc)
        if isinstance(exc, SLACK_ERRORS):
            text = "I can't read that channel. Invite me there first (`/invite @kbot`), then ask again."
        await post_text(client, channel, thread_ts, text)
