"""``SummarizeService``: summaries of a thread, a channel's recent messages or an email, from any front end.

It owns the limit (only the most recent ``MAX_SUMMARY_MESSAGES`` messages are summarized; an empty
conversation is the summarizer's clear :class:`~bot.errors.InputError`) and metering (one ``summary``
metric event each),
so Slack, Teams and the CLI behave the same. It is itself a :class:`bot.ports.Summarizer`.
"""

from __future__ import annotations

import logging
import time

from bot.models import Conversation, Summary
from bot.ports import Summarizer

log = logging.getLogger("kbot.summaries")

MAX_SUMMARY_MESSAGES = 2000


class SummarizeService:
    def __init__(self, summarizer: Summarizer) -> None:
        self.summarizer = summarizer

    async def summarize(self, conversation: Conversation) -> Summary:
        messages = conversation.messages
        if len(messages) > MAX_SUMMARY_MESSAGES:
            messages = messages[-MAX_SUMMARY_MESSAGES:]
            conversation = Conversation(conversation.kind, messages, conversation.title)
        started = time.perf_counter()
        failed = None
        try:
            return await self.summarizer.summarize(conversation)
        except Exception as exc:
            failed = type(exc).__name__
            raise
        finally:
            extra = {
                "kb_event": "summary",
                "kb_latency_ms": round((time.perf_counter() - started) * 1000, 1),
                "kb_messages": len(messages),
            }
            if failed:
                extra["kb_error"] = failed
            log.info("summary in %.0f ms", extra["kb_latency_ms"], extra=extra)
