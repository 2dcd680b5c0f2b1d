"""Answers only the asker sees (``chat.postEphemeral``): channels whose visibility is ``ephemeral``."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.context import SLACK_ERRORS, SlackContext, user_error_text
from adapters.slack.records import AnswerRecord
from bot.conversation.ask import PreparedAsk

log = logging.getLogger(__name__)


async def answer_privately(
    ctx: SlackContext, client: AsyncWebClient, prepared: PreparedAsk, *, channel: str, thread_ts: str
) -> None:
    question = prepared.question
    user = question.asker.user_id
    try:
        answer = (await ctx.app.ask.answer(prepared)).answer
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
