"""Answers only the asker sees (``chat.postEphemeral``): channels whose visibility is ``ephemeral``."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.answering import MAX_QUESTION_CHARS, SLACK_ERRORS, TOO_LONG, SlackContext, user_error_text
from adapters.slack.records import AnswerRecord
from bot.models import Question

log = logging.getLogger(__name__)


async def answer_privately(
    ctx: SlackContext, client: AsyncWebClient, question: Question, *, channel: str, thread_ts: str
) -> None:
    user = question.asker.user_id
    try:
        if len(question.text) > MAX_QUESTION_CHARS:
            await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=TOO_LONG)
            return
        answer = await ctx.app.answerer.answer(question)
        record_id = ctx.records.new_id()
        await ctx.records.put(record_id, AnswerRecord(question.text, answer, user, channel, thread_ts))
        await client.chat_postEphemeral(
            channel=channel,
            user=user,
            thread_ts=thread_ts,
            text=blocks.fallback_text(answer.text or blocks.NOT_FOUND),
            blocks=blocks.answer_blocks(
                answer, record_id, question.text, header="Only you can see this answer."
            ),
        )
    except Exception as exc:  # noqa: BLE001 - every failure becomes a short private reply
        log.info("private answer failed: %s", exc)
        try:
            await client.chat_postEphemeral(
                channel=channel, user=user, thread_ts=thread_ts, text=user_error_text(exc)
            )
        except SLACK_ERRORS:
            log.warning("could not post the private error reply", exc_info=True)
