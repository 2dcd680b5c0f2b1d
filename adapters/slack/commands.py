"""``/ask``, ``/summarize`` and the "Summarize thread" message shortcut. Replies are ephemeral
(``response_url``), so nobody else sees them until the asker shares."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.access import slack_ask_request
from adapters.slack.context import SlackContext, user_error_text
from adapters.slack.conversations import fetch_recent, fetch_thread, parse_message_link, to_conversation
from adapters.slack.mrkdwn import escape, truncate
from adapters.slack.records import AnswerRecord
from adapters.slack.text_in import decode_slack_text
from bot.conversation.ask import EmptyQuestion, question_problem
from bot.errors import InputError
from bot.models import Conversation
from bot.summarizing.loaders import load_text

log = logging.getLogger(__name__)

ASK_USAGE = "Usage: `/ask <question>`, for example `/ask how do I book a meeting room?`"
SHORTCUT_SUMMARIZE = "kbot_summarize_thread"
NOT_IN_CHANNEL = "I can't read that conversation. Invite me first (`/invite @kbot`), then try again."


def _slack_read_error(exc: SlackApiError) -> InputError:
    code = str(exc.response.get("error") or "") if exc.response is not None else ""
    if code in ("not_in_channel", "channel_not_found", "thread_not_found", "missing_scope", "access_denied"):
        return InputError(f"conversations read failed: {code}", user_message=NOT_IN_CHANNEL)
    return InputError(
        f"conversations read failed: {code}",
        user_message="Slack would not give me that conversation right now. Please try again.",
    )


async def _summary_reply(
    ctx: SlackContext, respond: AsyncRespond, conversation: Conversation, title: str
) -> None:
    summary = await ctx.app.summaries.summarize(conversation)
    await respond(
        text=blocks.summary_fallback(summary, title),
        blocks=blocks.summary_blocks(summary, title),
        response_type="ephemeral",
        replace_original=False,
    )


async def _thread_conversation(
    ctx: SlackContext, client: AsyncWebClient, channel: str, ts: str
) -> Conversation:
    try:
        messages = await fetch_thread(client, channel, ts)
        return await to_conversation(client, channel, messages, ctx.user_names, "Thread summary")
    except SlackApiError as exc:
        raise _slack_read_error(exc) from exc


async def _channel_conversation(ctx: SlackContext, client: AsyncWebClient, channel: str) -> Conversation:
    try:
        messages = await fetch_recent(client, channel)
        return await to_conversation(client, channel, messages, ctx.user_names, "Recent messages summary")
    except SlackApiError as exc:
        raise _slack_read_error(exc) from exc


async def _safely(respond: AsyncRespond, work: Any) -> None:
    """Run ``work``; any fault becomes a short ephemeral reply."""
    try:
        await work
    except Exception as exc:  # noqa: BLE001
        log.info("slash command failed: %s", exc, exc_info=not isinstance(exc, InputError))
        try:
            await respond(text=user_error_text(exc), response_type="ephemeral", replace_original=False)
        except Exception:  # noqa: BLE001 - the response_url may have expired; nothing more to do
            log.warning("could not send the error reply", exc_info=True)


def register_commands(bolt: AsyncApp, ctx: SlackContext) -> None:
    track = ctx.inflight.track

    async def ack_ask(ack: AsyncAck, command: dict[str, Any]) -> None:
        problem = question_problem(decode_slack_text(str(command.get("text") or "")))
        if problem is None:
            await ack()
        else:
            await ack(text=ASK_USAGE if isinstance(problem, EmptyQuestion) else problem.user_message)

    async def ask(command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        text = decode_slack_text(str(command.get("text") or ""))
        if question_problem(text) is not None:  # already answered in the ack
            return

        async def work() -> None:
            request = await slack_ask_request(
                client, text, user_id=str(command.get("user_id")),
                channel=str(command.get("channel_id") or "D"), private=True,
            )
            result = await ctx.app.ask.ask(request)
            asker, answer = result.question.asker, result.answer
            record_id = ctx.records.new_id()
            ctx.records.put(record_id, AnswerRecord(text, answer, asker.user_id, command.get("channel_id")))
            await respond(
                text=blocks.fallback_text(answer.text or blocks.NOT_FOUND),
                response_type="ephemeral",
                blocks=blocks.answer_blocks(
                    answer, record_id, text, share=True, header=f"You asked: {escape(truncate(text, 200))}"
                ),
            )

        await _safely(respond, work())

    async def summarize(command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        text = decode_slack_text(str(command.get("text") or ""))
        channel = str(command.get("channel_id") or "")

        async def work() -> None:
            link = parse_message_link(text) if text else None
            if link:
                conversation = await _thread_conversation(ctx, client, *link)
                await _summary_reply(ctx, respond, conversation, "Thread summary")
            elif text:  # forwarded email or pasted conversation
                conversation = load_text(text)
                title = "Email summary" if conversation.kind == "email" else "Summary"
                await _summary_reply(
                    ctx,
                    respond,
                    conversation,
                    f"{title}: {conversation.title}" if conversation.title else title,
                )
            elif command.get("thread_ts"):
                conversation = await _thread_conversation(ctx, client, channel, str(command["thread_ts"]))
                await _summary_reply(ctx, respond, conversation, "Thread summary")
            else:
                conversation = await _channel_conversation(ctx, client, channel)
                await _summary_reply(ctx, respond, conversation, "Recent messages summary")

        await _safely(respond, work())

    async def summarize_shortcut(
        shortcut: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        message = shortcut.get("message") or {}
        channel = str((shortcut.get("channel") or {}).get("id") or "")
        root = message.get("thread_ts") or message.get("ts") or shortcut.get("message_ts")

        async def work() -> None:
            if not channel or not root:
                raise InputError("Use this shortcut on a message in a conversation.")
            conversation = await _thread_conversation(ctx, client, channel, str(root))
            await _summary_reply(ctx, respond, conversation, "Thread summary")

        await _safely(respond, work())

    async def ack_summarize(ack: AsyncAck) -> None:
        await ack()

    bolt.command("/ask")(ack=ack_ask, lazy=[track(ask)])
    bolt.command("/summarize")(ack=ack_summarize, lazy=[track(summarize)])
    bolt.shortcut(SHORTCUT_SUMMARIZE)(ack=ack_summarize, lazy=[track(summarize_shortcut)])
