"""Conversations: ``app_mention`` in channels, direct messages, follow-ups in threads the bot is in,
and Slack's AI-assistant threads. Every listener acks at once; the work runs lazily after the ack."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncAssistant, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.channel_followups import followups_on
from adapters.slack.access import slack_ask_request
from adapters.slack.assistant_threads import AssistantThreads, asks_to_summarize_viewed, summarize_viewed_channel
from adapters.slack.context import SLACK_ERRORS, SlackContext, post_text, user_error_text
from adapters.slack.conversations import BotIdentity, fetch_thread, history_turns
from adapters.slack.emails import EMAIL_SUFFIXES, summarize_shared_emails
from adapters.slack.private_answer import answer_privately
from adapters.slack.text_in import decode_slack_text
from adapters.slack.thread_answer import answer_in_thread
from bot.errors import InputError

log = logging.getLogger(__name__)

THINKING = "is thinking…"
SUGGESTED_PROMPTS = [
    {"title": "What can you do?", "message": "What kinds of questions can you answer?"},
    {"title": "Find a policy", "message": "What is our policy on working from home?"},
    {"title": "How do I…", "message": "How do I request access to a new system?"},
]
GREETING = "Hi! Ask me anything about our internal docs. I answer with sources you can check."


async def ack_now(ack: AsyncAck) -> None:
    await ack()


def _identity(context: AsyncBoltContext) -> BotIdentity:
    return BotIdentity(user_id=context.bot_user_id, bot_id=context.bot_id)


def _question(event: dict[str, Any], context: AsyncBoltContext) -> str:
    """The event's text, decoded once (``adapters.slack.text_in``)."""
    return decode_slack_text(str(event.get("text") or ""), bot_user_id=context.bot_user_id)


def _is_user_message(event: dict[str, Any]) -> bool:
    """Plain messages from people: no edits, deletions, joins or bot posts."""
    return (
        event.get("subtype") in (None, "file_share") and not event.get("bot_id") and bool(event.get("user"))
    )


def _email_files(event: dict[str, Any]) -> list[dict[str, Any]]:
    files = event.get("files") or []
    return [
        f for f in files if isinstance(f, dict) and str(f.get("name") or "").lower().endswith(EMAIL_SUFFIXES)
    ]


async def _reply(
    ctx: SlackContext,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    event: dict[str, Any],
    text: str,
    *,
    fetch_history: bool,
) -> None:
    """Answer ``text`` in the event's thread, with earlier thread messages as history."""
    channel, ts = str(event["channel"]), str(event["ts"])
    thread_ts = str(event.get("thread_ts") or ts)
    history = []
    if fetch_history and thread_ts != ts:
        try:
            history = history_turns(await fetch_thread(client, channel, thread_ts), ts, _identity(context))
        except SLACK_ERRORS:
            log.info("could not read thread history for %s/%s", channel, thread_ts, exc_info=True)
    try:
        request = await slack_ask_request(
            client, text, user_id=str(event["user"]), channel=channel, bot_user_id=context.bot_user_id,
            history=history, conversation_id=thread_ts,
        )
        prepared = await ctx.app.ask.prepare(request)
    except InputError as exc:  # too long, empty, over the fair-use limit
        await post_text(client, channel, thread_ts, exc.user_message)
        return
    except Exception as exc:  # noqa: BLE001 - no access decision, no answer; say so instead of silence
        log.warning("access check failed for %s: %s", event.get("user"), exc, exc_info=True)
        await post_text(client, channel, thread_ts, user_error_text(exc))
        return
    if prepared.ephemeral:  # the channel's setting: answer only the asker, from what they may read
        await answer_privately(ctx, client, prepared, channel=channel, thread_ts=thread_ts)
        return
    await answer_in_thread(
        ctx, client, prepared, channel=channel, thread_ts=thread_ts, team_id=context.team_id
    )


async def _dm_or_assistant(
    ctx: SlackContext,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    event: dict[str, Any],
    *,
    status: bool,
) -> None:
    if not _is_user_message(event) or "channel" not in event or "ts" not in event:
        return
    channel, thread_ts = str(event["channel"]), str(event.get("thread_ts") or event["ts"])
    if _email_files(event):
        await summarize_shared_emails(
            ctx, client, event, _email_files(event), channel=channel, thread_ts=thread_ts
        )
        return
    if event.get("files") and not str(event.get("text") or "").strip():
        await post_text(
            client,
            channel,
            thread_ts,
            "I can summarize emails: share a .eml or .msg file with me. Other files I can't read here.",
        )
        return
    if status:
        try:
            await client.assistant_threads_setStatus(channel_id=channel, thread_ts=thread_ts, status=THINKING)
        except SLACK_ERRORS:
            log.debug("assistant.threads.setStatus failed (not an assistant thread?)", exc_info=True)
    await _reply(
        ctx, client, context, event, _question(event, context), fetch_history=True
    )


def register_events(bolt: AsyncApp, ctx: SlackContext) -> None:
    track = ctx.inflight.track

    async def answer_mention(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if not _is_user_message(event) or "channel" not in event or "ts" not in event:
            return
        await _reply(
            ctx, client, context, event, _question(event, context), fetch_history=True
        )

    async def answer_message(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if event.get("channel_type") == "im":
            await _dm_or_assistant(ctx, client, context, event, status=False)
            return
        # Channel follow-ups: only in threads the bot already answered; mentions come as app_mention.
        thread_ts, ts = event.get("thread_ts"), event.get("ts")
        text = str(event.get("text") or "")
        if (
            not _is_user_message(event)
            or not thread_ts
            or thread_ts == ts
            or _identity(context).mentioned_in(text)
        ):
            return
        if not await followups_on(ctx.app.config, "slack", str(event["channel"])):
            return  # `kbot channels set slack C.. --followups off`
        try:
            thread = await fetch_thread(client, str(event["channel"]), str(thread_ts))
        except SLACK_ERRORS:
            log.info("could not read thread %s", thread_ts, exc_info=True)
            return
        if any(_identity(context).wrote(m) for m in thread):
            await _reply(ctx, client, context, event, _question(event, context), fetch_history=True)

    async def ignore(ack: AsyncAck) -> None:
        await ack()

    bolt.event("app_mention")(ack=ack_now, lazy=[track(answer_mention)])
    bolt.event("message")(ack=ack_now, lazy=[track(answer_message)])
    # Everything else Slack may send (unknown or unsubscribed types) is acknowledged and ignored,
    # so Slack does not retry it or disable the subscription.
    bolt.event(re.compile(".*"))(ignore)


def register_assistant(bolt: AsyncApp, ctx: SlackContext) -> None:
    assistant = AsyncAssistant()
    threads = AssistantThreads(ctx.app.state)

    async def greet(payload: dict[str, Any], client: AsyncWebClient) -> None:
        await threads.remember(payload)
        thread = payload.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if not channel or not thread_ts:
            return
        try:
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING)
            await client.assistant_threads_setSuggestedPrompts(
                channel_id=channel, thread_ts=thread_ts, prompts=SUGGESTED_PROMPTS
            )
        except SLACK_ERRORS:
            log.warning("could not greet assistant thread %s", thread_ts, exc_info=True)

    async def respond_in_thread(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        channel, thread_ts = str(event.get("channel") or ""), str(event.get("thread_ts") or "")
        text = _question(event, context)
        if _is_user_message(event) and channel and thread_ts:
            await threads.set_title_once(client, channel, thread_ts, text)
            viewed = await threads.viewed_channel(channel, thread_ts)
            if viewed and asks_to_summarize_viewed(text):
                await summarize_viewed_channel(ctx, client, viewed=viewed, channel=channel, thread_ts=thread_ts)
                return
        await _dm_or_assistant(ctx, client, context, event, status=True)

    async def context_changed(payload: dict[str, Any]) -> None:
        await threads.remember(payload)

    assistant.thread_started(lazy=[ctx.inflight.track(greet)])(ack_now)  # type: ignore[list-item]
    assistant.thread_context_changed(lazy=[ctx.inflight.track(context_changed)])(ack_now)  # type: ignore[list-item]
    assistant.user_message(lazy=[ctx.inflight.track(respond_in_thread)])(ack_now)  # type: ignore[list-item]
    bolt.use(assistant)
