"""Ask the core and post the answer in the thread: streamed (chat.startStream/appendStream/stopStream)
when the backend streams and Slack allows it, otherwise one Block Kit ``chat.postMessage``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.inflight import InFlight
from adapters.slack.records import AnswerRecord, AnswerRecords
from adapters.wiring import App
from bot.errors import KbotError
from bot.fair_use import FairUse
from bot.models import Answer, Question
from bot.ports import AnswerDelta, StreamingAnswerer

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 4000
STREAM_FLUSH_CHARS = 200
TOO_LONG = (
    f"That message is too long for me to answer (over {MAX_QUESTION_CHARS:,} characters). "
    "Please ask a shorter question."
)
SLACK_ERRORS = (SlackApiError, aiohttp.ClientError, TimeoutError)


@dataclass
class SlackContext:
    """What every handler needs: the wiring App and the adapter's own small state."""

    app: App
    inflight: InFlight = field(default_factory=InFlight)
    user_names: dict[str, str] = field(default_factory=dict)
    # Both in the shared state store, so every replica sees the same answers and counts.
    records: AnswerRecords = field(init=False)
    fair_use: FairUse = field(init=False)

    def __post_init__(self) -> None:
        self.records = AnswerRecords(self.app.state)
        self.fair_use = FairUse.from_settings(self.app.state, self.app.settings)


def user_error_text(exc: BaseException) -> str:
    if isinstance(exc, KbotError):
        return exc.user_message
    return "Sorry, something went wrong while answering. Please try again later."


async def post_text(client: AsyncWebClient, channel: str, thread_ts: str | None, text: str) -> None:
    """A plain reply; failures are logged (there is nobody else to tell)."""
    try:
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
    except SLACK_ERRORS:
        log.warning("could not post to Slack channel %s", channel, exc_info=True)


async def _stream(
    client: AsyncWebClient,
    answerer: StreamingAnswerer,
    question: Question,
    *,
    channel: str,
    thread_ts: str,
    team_id: str | None,
    user_id: str,
    record_id: str,
) -> tuple[Answer, bool]:
    """Stream the answer; returns ``(answer, delivered)``. ``delivered`` is False when Slack refused
    streaming before anything was shown, so the caller falls back to ``chat.postMessage``."""
    stream_ts: str | None = None
    try:
        start = await client.chat_startStream(
            channel=channel, thread_ts=thread_ts, recipient_team_id=team_id, recipient_user_id=user_id
        )
        stream_ts = str(start["ts"])
    except (*SLACK_ERRORS, KeyError):
        log.info("chat.startStream unavailable; falling back to chat.postMessage", exc_info=True)
    final: Answer | None = None
    pending, streamed, healthy = "", "", stream_ts is not None
    async for item in answerer.stream(question):
        if isinstance(item, Answer):
            final = item
            continue
        if isinstance(item, AnswerDelta):
            pending += item.text
        if healthy and stream_ts and len(pending) >= STREAM_FLUSH_CHARS:
            try:
                await client.chat_appendStream(channel=channel, ts=stream_ts, markdown_text=pending)
                streamed, pending = streamed + pending, ""
            except SLACK_ERRORS:
                log.warning("chat.appendStream failed; will post the whole answer", exc_info=True)
                healthy = False
    if final is None:
        raise KbotError("streaming answerer ended without a final Answer")
    if stream_ts is None:
        return final, False
    if not healthy:  # close the broken stream (best effort); the caller posts the whole answer
        try:
            await client.chat_stopStream(channel=channel, ts=stream_ts)
        except SLACK_ERRORS:
            log.debug("chat.stopStream after a failed append also failed", exc_info=True)
        return final, False
    rest = pending if streamed or pending else final.text
    try:
        await client.chat_stopStream(
            channel=channel,
            ts=stream_ts,
            markdown_text=rest or None,
            blocks=blocks.trailing_blocks(final, record_id, question.text),
        )
    except SLACK_ERRORS:
        log.warning("chat.stopStream failed; will post the whole answer", exc_info=True)
        return final, False
    return final, True


async def answer_in_thread(
    ctx: SlackContext,
    client: AsyncWebClient,
    question: Question,
    *,
    channel: str,
    thread_ts: str,
    team_id: str | None,
) -> Answer | None:
    """The whole conversational reply: core answer -> Slack thread. Errors become a short reply."""
    if len(question.text) > MAX_QUESTION_CHARS:
        await post_text(client, channel, thread_ts, TOO_LONG)
        return None
    if not question.text.strip():
        await post_text(
            client, channel, thread_ts, "Ask me a question and I'll look it up in the knowledge base."
        )
        return None
    record_id = ctx.records.new_id()
    answerer = ctx.app.answerer
    try:
        delivered = False
        if isinstance(answerer, StreamingAnswerer):
            answer, delivered = await _stream(
                client,
                answerer,
                question,
                channel=channel,
                thread_ts=thread_ts,
                team_id=team_id,
                user_id=question.asker.user_id,
                record_id=record_id,
            )
        else:
            answer = await answerer.answer(question)
        await ctx.records.put(
            record_id, AnswerRecord(question.text, answer, question.asker.user_id, channel, thread_ts)
        )
        if not delivered:
            await post_answer(client, answer, record_id, question.text, channel=channel, thread_ts=thread_ts)
        return answer
    except SLACK_ERRORS:
        log.warning("posting the answer to Slack failed", exc_info=True)
        await post_text(client, channel, thread_ts, "Sorry, I could not post the answer. Please try again.")
    except Exception as exc:  # noqa: BLE001 - every fault becomes a short reply, never silence
        log.warning("answering failed: %s", exc, exc_info=not isinstance(exc, KbotError))
        await post_text(client, channel, thread_ts, user_error_text(exc))
    return None


async def post_answer(
    client: AsyncWebClient,
    answer: Answer,
    record_id: str,
    question: str,
    *,
    channel: str,
    thread_ts: str | None,
    header: str | None = None,
) -> Any:
    return await client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=blocks.fallback_text(answer.text or blocks.NOT_FOUND),
        blocks=blocks.answer_blocks(answer, record_id, question, header=header),
        unfurl_links=False,
    )
