"""Slack AI-assistant threads: the thread title and the thread context (the channel the user is viewing).

``assistant_thread_started`` and ``assistant_thread_context_changed`` carry
``assistant_thread.context.channel_id`` (https://docs.slack.dev/reference/events/assistant_thread_context_changed);
"summarize this" in the thread summarizes that channel. ``assistant.threads.setTitle`` names the thread
after the first question (https://docs.slack.dev/reference/methods/assistant.threads.setTitle).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.context import SLACK_ERRORS, SlackContext, post_text, user_error_text
from adapters.slack.conversations import fetch_recent, to_conversation

log = logging.getLogger(__name__)

TITLE_LIMIT = 100
_SUMMARIZE_VIEWED = re.compile(
    r"^\s*(?:please\s+)?summari[sz]e(?:\s+(?:this|it|here|this\s+channel|the\s+channel|what\s+i'?m\s+viewing))?\s*[.!?]*\s*$",
    re.IGNORECASE,
)


class AssistantThreads:
    """Per assistant thread: the viewed channel, and whether it has a title yet (bounded, in memory)."""

    def __init__(self, max_threads: int = 5000) -> None:
        self.max_threads = max_threads
        self._viewed: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        self._titled: set[tuple[str, str]] = set()

    def remember(self, payload: dict[str, Any]) -> None:
        """From ``assistant_thread_started`` / ``assistant_thread_context_changed`` events."""
        thread = payload.get("assistant_thread") or {}
        key = (str(thread.get("channel_id") or ""), str(thread.get("thread_ts") or ""))
        if not all(key):
            return
        self._viewed[key] = str((thread.get("context") or {}).get("channel_id") or "") or None
        self._viewed.move_to_end(key)
        while len(self._viewed) > self.max_threads:
            old, _ = self._viewed.popitem(last=False)
            self._titled.discard(old)

    def viewed_channel(self, channel: str, thread_ts: str) -> str | None:
        return self._viewed.get((channel, thread_ts))

    async def set_title_once(self, client: AsyncWebClient, channel: str, thread_ts: str, text: str) -> None:
        key = (channel, thread_ts)
        if key in self._titled or not text.strip():
            return
        self._titled.add(key)
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
        summary = await ctx.app.summarizer.summarize(conversation)
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
