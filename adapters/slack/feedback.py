"""Answer buttons: 👍/👎 (recorded through the core's FeedbackRecorder), "ask an expert" after 👎,
and "Share in channel" for ``/ask`` answers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Literal

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.access import slack_ask_request
from adapters.slack.context import SLACK_ERRORS, SlackContext, user_error_text
from adapters.slack.mrkdwn import escape, truncate
from adapters.slack.records import AnswerRecord
from adapters.slack.verified import expert_post
from bot.errors import InputError
from bot.models import Answer, Feedback

log = logging.getLogger(__name__)


async def _record(ctx: SlackContext, body: dict[str, Any], value: str | None) -> AnswerRecord:
    """The clicked answer: from memory, or (after a restart) rebuilt from the button and message."""
    record_id, question = blocks.parse_button_value(value)
    found = await ctx.records.get(record_id)
    if found is not None:
        return found
    message = body.get("message") or {}
    container = body.get("container") or {}
    return AnswerRecord(
        question=question,
        answer=Answer(text=str(message.get("text") or ""), grounded=True),
        user_id=str((body.get("user") or {}).get("id") or ""),
        channel=container.get("channel_id"),
        thread_ts=message.get("thread_ts"),
        message_ts=container.get("message_ts"),
    )


def _expert_offer(value: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Thanks, noted. Want a person to look at it? I can post your question "
                "to the experts channel.",
            },
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": blocks.ACTION_EXPERT,
                    "value": value,
                    "text": {"type": "plain_text", "text": "Ask an expert"},
                }
            ],
        },
    ]


def register_feedback(bolt: AsyncApp, ctx: SlackContext) -> None:
    track = ctx.inflight.track

    async def ack_click(ack: AsyncAck) -> None:
        await ack()

    async def record(body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond) -> None:
        rating: Literal["up", "down"] = "up" if action.get("action_id") == blocks.ACTION_UP else "down"
        rec = await _record(ctx, body, action.get("value"))
        feedback = Feedback(
            user_id=str((body.get("user") or {}).get("id") or ""),
            rating=rating,
            question=rec.question,
            answer=rec.answer.text,
            citations=rec.citations_json(),
            platform="slack",
            created=datetime.now(UTC),
        )
        try:
            await ctx.app.ask.record_feedback(feedback)
        except Exception as exc:  # noqa: BLE001 - tell the user it was not saved
            log.warning("feedback not recorded: %s", exc, exc_info=True)
            await respond(
                text=f"Sorry, I couldn't save your feedback. {user_error_text(exc)}",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        if rating == "down" and ctx.app.settings.kbot_experts_channel:
            await respond(
                text="Thanks, noted. Want to ask an expert?",
                blocks=_expert_offer(action.get("value") or ""),
                response_type="ephemeral",
                replace_original=False,
            )
        else:
            await respond(text="Thanks for the feedback!", response_type="ephemeral", replace_original=False)

    async def ask_expert(
        body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        channel = ctx.app.settings.kbot_experts_channel
        rec = await _record(ctx, body, action.get("value"))
        user = str((body.get("user") or {}).get("id") or "")
        if not channel or not rec.question:
            await respond(
                text="Sorry, I can't forward that question (no experts channel is set up).",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        where = ""
        anchor = rec.message_ts or rec.thread_ts
        if rec.channel and anchor:
            try:
                link = await client.chat_getPermalink(channel=rec.channel, message_ts=anchor)
                where = f"\n<{link['permalink']}|Original conversation>"
            except (*SLACK_ERRORS, KeyError):
                where = ""
        text = (
            f"*Question from <@{user}>* (the bot's answer did not help):\n"
            f">{escape(truncate(rec.question, 1500))}"
            f"\n*Bot's answer:* {escape(truncate(rec.answer.text, 1000)) or '(none)'}{where}"
        )
        try:
            post = await expert_post(ctx, text, rec.question, user, rec.channel, rec.thread_ts or rec.message_ts)
            await client.chat_postMessage(channel=channel, text=text, blocks=post, unfurl_links=False)
        except SLACK_ERRORS:
            log.warning("could not post to the experts channel %s", channel, exc_info=True)
            await respond(
                text="Sorry, I couldn't reach the experts channel. Please ask there directly.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        await respond(
            text=f"I've posted your question to <#{channel}>. Someone will follow up there.",
            response_type="ephemeral",
            replace_original=False,
        )

    async def share(
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """Post an ``/ask`` answer publicly. The private answer used the asker's own access, so the
        question is answered again with what the channel's members may read."""
        record_id, question = blocks.parse_button_value(action.get("value"))
        rec = await ctx.records.get(record_id)
        question = rec.question if rec is not None else question
        user = str((body.get("user") or {}).get("id") or "")
        channel = str(
            (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        )
        try:
            if not question or not channel:
                raise InputError(
                    "nothing to share", user_message="Sorry, I can't share that answer any more."
                )
            request = await slack_ask_request(
                client, question, user_id=user, channel=channel, bot_user_id=context.bot_user_id
            )
            request.repeat = True  # the /ask it shares was counted for fair use
            prepared = await ctx.app.ask.prepare(request)
            if prepared.ephemeral:
                raise InputError(
                    "channel answers are private",
                    user_message="Answers in this channel are private, so I can't share one here.",
                )
            answer = (await ctx.app.ask.answer(prepared)).answer
            shared_id = ctx.records.new_id()
            await ctx.records.put(shared_id, AnswerRecord(question, answer, user, channel))
            header = f"<@{user}> asked: {escape(truncate(question, 200))}"
            await respond(
                text=blocks.fallback_text(answer.text or blocks.NOT_FOUND),
                response_type="in_channel",
                blocks=blocks.answer_blocks(answer, shared_id, question, header=header),
                replace_original=False,
            )
            await respond(delete_original=True)
        except Exception as exc:  # noqa: BLE001
            log.info("share failed: %s", exc, exc_info=not isinstance(exc, InputError))
            await respond(text=user_error_text(exc), response_type="ephemeral", replace_original=False)

    bolt.action(blocks.ACTION_UP)(ack=ack_click, lazy=[track(record)])
    bolt.action(blocks.ACTION_DOWN)(ack=ack_click, lazy=[track(record)])
    bolt.action(blocks.ACTION_EXPERT)(ack=ack_click, lazy=[track(ask_expert)])
    bolt.action(blocks.ACTION_SHARE)(ack=ack_click, lazy=[track(share)])
