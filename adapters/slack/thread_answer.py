"""Post an answer in the thread: streamed (chat.startStream/appendStream/stopStream) when the backend
streams and Slack allows it, otherwise one Block Kit ``chat.postMessage``. The answer itself comes from
:class:`bot.conversation.ask.AskService`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.context import SLACK_ERRORS, SlackContext, post_text, user_error_text
from adapters.slack.records import AnswerRecord
from bot.conversation.ask import AskResult, PreparedAsk
from bot.errors import KbotError
from bot.models import Answer
from bot.ports import AnswerDelta

log = logging.getLogger(__name__)

STREAM_FLUSH_CHARS = 200
STREAM_INTERRUPTED = "\n\n_(The answer was interrupted. Please ask again.)_"


async def _stream(
    client: AsyncWebClient,
    items: AsyncIterator[AnswerDelta | AskResult],
    question: str,
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
    except (*SLACK_ERRORS, KeyError, AttributeError):  # AttributeError: an slack-sdk without the method
        log.info("chat.startStream unavailable; falling back to chat.postMessage", exc_info=True)
    final: Answer | None = None
    pending, streamed, healthy = "", "", stream_ts is not None
    async for item in items:
        if isinstance(item, AskResult):
            final = item.answer
            continue
        pending += item.text
        if healthy and stream_ts and len(pending) >= STREAM_FLUSH_CHARS:
            try:
                await client.chat_appendStream(channel=channel, ts=stream_ts, markdown_text=pending)
                streamed, pending = streamed + pending, ""
            except SLACK_ERRORS:
                log.warning("chat.appendStream failed; finishing the stream with a note", exc_info=True)
                healthy = False
    if final is None:
        raise KbotError("streaming answerer ended without a final Answer")
    if stream_ts is None:
        return final, False
    if not healthy:  # part of the answer is on screen: end it with a note, never a second full copy
        await finish_interrupted(
            client, channel=channel, thread_ts=thread_ts, stream_ts=stream_ts, replace=(final, record_id, question)
        )
        return final, True
    rest = pending if streamed or pending else final.text
    try:
        await client.chat_stopStream(
            channel=channel,
            ts=stream_ts,
            markdown_text=rest or None,
            blocks=blocks.trailing_blocks(final, record_id, question),
        )
    except SLACK_ERRORS:
        log.warning("chat.stopStream failed", exc_info=True)
        if streamed:  # part of it is already on screen: a note, not a second copy
            await post_text(client, channel, thread_ts, STREAM_INTERRUPTED.strip())
            return final, True
        return final, False
    return final, True


async def finish_interrupted(
    client: AsyncWebClient,
    *,
    channel: str,
    thread_ts: str,
    stream_ts: str,
    replace: tuple[Answer, str, str] | None = None,
) -> None:
    """A stream that failed midway: close it with a short note. If Slack already closed it
    (``message_not_in_streaming_state``), edit that message into the whole answer (``chat.update``,
    ``replace`` = answer, record id, question) rather than posting a second copy."""
    try:
        await client.chat_stopStream(channel=channel, ts=stream_ts, markdown_text=STREAM_INTERRUPTED)
        return
    except SLACK_ERRORS:
        log.warning("chat.stopStream after a failed append also failed", exc_info=True)
    try:
        if replace is None:
            raise KbotError("nothing to replace the stream with")
        answer, record_id, question = replace
        await client.chat_update(
            channel=channel,
            ts=stream_ts,
            text=blocks.fallback_text(answer.text or blocks.NOT_FOUND),
            blocks=blocks.answer_blocks(answer, record_id, question),
        )
    except (*SLACK_ERRORS, KbotError):
        log.warning("could not edit the interrupted stream", exc_info=True)
        await post_text(client, channel, thread_ts, STREAM_INTERRUPTED.strip())


async def answer_in_thread(
    ctx: SlackContext,
    client: AsyncWebClient,
    prepared: PreparedAsk,
    *,
    channel: str,
    thread_ts: str,
    team_id: str | None,
) -> Answer | None:
    """The whole conversational reply: core answer -> Slack thread. Errors become a short reply."""
    question = prepared.question
    record_id = ctx.records.new_id()
    service = ctx.app.ask
    try:
        delivered = False
        if service.streams:
            answer, delivered = await _stream(
                client,
                service.stream(prepared),
                question.text,
                channel=channel,
                thread_ts=thread_ts,
                team_id=team_id,
                user_id=question.asker.user_id,
                record_id=record_id,
            )
        else:
            answer = (await service.answer(prepared)).answer
        ctx.records.put(
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
