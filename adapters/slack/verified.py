"""Slack side of verified answers: the experts-channel post's buttons, saving an expert's thread
reply (directly or after the "Edit, then save" modal), and telling the 👎 asker once.

The post's buttons carry only the expert request's id (the request lives in the config store),
so they keep working after a restart.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.admin import slack_actor
from adapters.slack.context import SLACK_ERRORS, SlackContext, user_error_text
from adapters.slack.mrkdwn import escape, truncate
from bot.admin.models import Actor
from bot.errors import InputError, KbotError
from bot.verified.models import ExpertRequest, VerifiedAnswer

log = logging.getLogger(__name__)

ACTION_SAVE = "kbot_verified_save"
ACTION_EDIT = "kbot_verified_edit"
MODAL = "kbot_verified_modal"
MAX_MEMBER_PAGES = 50
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>|<(https?://[^>]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def expert_post_blocks(text: str, request_id: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Reply in this thread, then save the reply."}]},
        {
            "type": "actions",
            "block_id": "kbot_verified",
            "elements": [
                {
                    "type": "button",
                    "action_id": ACTION_SAVE,
                    "value": request_id,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Save as verified answer"},
                },
                {
                    "type": "button",
                    "action_id": ACTION_EDIT,
                    "value": request_id,
                    "text": {"type": "plain_text", "text": "Edit, then save"},
                },
            ],
        },
    ]


async def expert_post(
    ctx: SlackContext, text: str, question: str, user: str, channel: str | None, thread: str | None
) -> list[dict[str, Any]]:
    """Blocks of the experts-channel post; the expert request is recorded so the expert's answer can
    be saved and reach the asker (without a config store the post simply has no buttons)."""
    where = {"channel": channel or "", "thread_ts": thread or ""}
    try:
        request = await ctx.app.verified.open_request("slack", question, user, where)
    except KbotError:
        log.warning("expert request not recorded; posting without the save buttons", exc_info=True)
        return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return expert_post_blocks(text, request.id)


def slack_to_plain(text: str) -> str:
    """Slack mrkdwn of a message -> the stored answer text (links readable, entities decoded)."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(1) else m.group(3), text)
    text = _USER.sub(lambda m: f"@{m.group(1)}", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class SlackExpertRoster:
    """Members of ``KBOT_EXPERTS_CHANNEL`` (conversations.members, paginated; fetched once per use).
    https://api.slack.com/methods/conversations.members"""

    def __init__(self, client: AsyncWebClient, channel: str | None) -> None:
        self.client = client
        self.channel = channel
        self._members: set[str] | None = None

    async def is_expert(self, actor: Actor) -> bool:
        if not self.channel:
            return False
        if self._members is None:
            self._members = await self._fetch(self.channel)
        return actor.user_id in self._members

    async def _fetch(self, channel: str) -> set[str]:
        members: set[str] = set()
        cursor = None
        try:
            for _ in range(MAX_MEMBER_PAGES):
                page = await self.client.conversations_members(channel=channel, cursor=cursor, limit=200)
                members.update(str(m) for m in page.get("members") or [])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SLACK_ERRORS:
            log.warning("could not list the experts channel %s", channel, exc_info=True)
        return members


async def _display_name(client: AsyncWebClient, user: str) -> str:
    try:
        info = (await client.users_info(user=user)).get("user") or {}
    except SLACK_ERRORS:
        return user
    profile = info.get("profile") or {}
    return str(profile.get("display_name") or profile.get("real_name") or info.get("name") or user)


async def _latest_reply(client: AsyncWebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """The newest human reply under the experts-channel post."""
    page = await client.conversations_replies(channel=channel, ts=ts, limit=200)
    replies = [
        m
        for m in page.get("messages") or []
        if m.get("ts") != ts and m.get("user") and not m.get("bot_id") and m.get("subtype") is None
    ]
    return replies[-1] if replies else None


async def _notify_asker(
    ctx: SlackContext, client: AsyncWebClient, request: ExpertRequest, saved: VerifiedAnswer
) -> None:
    """ "An expert answered your question: …" in the asker's thread, once per request. A private
    (``/ask``) question, or an answer limited to an audience, is told in a direct message instead, so
    nobody else in the channel reads it."""
    channel, thread = request.where.get("channel"), request.where.get("thread_ts")
    if not request.asker_id or not await ctx.app.verified.claim_notification(request.id):
        return
    if not channel or not thread or saved.audience:
        channel, thread = request.asker_id, None  # chat.postMessage to a user id: the app's DM with them
    text = (
        f"<@{request.asker_id}> An expert answered your question: {escape(truncate(saved.answer, 2500))}\n"
        f"_{escape(saved.marker())}_"
    )
    try:
        await client.chat_postMessage(channel=channel, thread_ts=thread or None, text=text, unfurl_links=False)
    except SLACK_ERRORS:
        log.warning("could not tell the asker in %s", channel, exc_info=True)


async def _save(
    ctx: SlackContext,
    client: AsyncWebClient,
    user: str,
    request: ExpertRequest,
    *,
    answer: str,
    author: str,
    question: str | None = None,
    audience: str | None = None,
    review_by: str | None = None,
    link: str | None = None,
) -> VerifiedAnswer:
    actor = await slack_actor(client, user)
    saved = await ctx.app.verified.save(
        actor,
        question=question if question is not None else request.question,
        answer=answer,
        expert=await _display_name(client, author),
        expert_id=f"slack:{author}",
        audience=audience,
        review_by=review_by,
        request_id=request.id,
        link=link,
        roster=SlackExpertRoster(client, ctx.app.settings.kbot_experts_channel),
    )
    await _notify_asker(ctx, client, request, saved)
    return saved


def _where(body: dict[str, Any]) -> tuple[str, str]:
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    return channel, str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")


def _modal(request: ExpertRequest, answer: str, metadata: dict[str, str]) -> dict[str, Any]:
    def field(block: str, label: str, value: str, *, multiline: bool = False, optional: bool = False) -> dict[str, Any]:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
        if value:
            element["initial_value"] = value[:3000]
        return {
            "type": "input",
            "block_id": block,
            "optional": optional,
            "label": {"type": "plain_text", "text": label},
            "element": element,
        }

    return {
        "type": "modal",
        "callback_id": MODAL,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Verified answer"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            field("question", "Question", request.question, multiline=True),
            field("answer", "Answer", answer, multiline=True),
            field("audience", "Audience groups (comma-separated; empty = everyone)", "", optional=True),
            field("review_by", "Review by (YYYY-MM-DD)", "", optional=True),
        ],
    }


def _value(view: dict[str, Any], block: str) -> str | None:
    """A ``plain_text_input`` value, as typed: not decoded with ``decode_slack_text`` (entity escaping is
    for message text and text objects: https://docs.slack.dev/messaging/formatting-message-text#escaping ;
    view state carries the raw value: https://api.slack.com/reference/surfaces/views)."""
    value = ((view.get("state") or {}).get("values") or {}).get(block, {}).get("value", {}).get("value")
    return None if value is None else str(value)


def register_verified(bolt: AsyncApp, ctx: SlackContext) -> None:
    track = ctx.inflight.track

    async def ack_click(ack: AsyncAck) -> None:
        await ack()

    async def save_reply(
        body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        channel, ts = _where(body)
        try:
            request = await ctx.app.verified.request(str(action.get("value") or ""))
            if request is None:
                raise InputError("unknown expert request", user_message="Sorry, I no longer know that question.")
            reply = await _latest_reply(client, channel, ts)
            if reply is None:
                raise InputError(
                    "no reply yet", user_message="Reply in this thread with the answer first, then press Save."
                )
            link = None
            try:
                link = (await client.chat_getPermalink(channel=channel, message_ts=reply["ts"])).get("permalink")
            except SLACK_ERRORS:
                pass
            saved = await _save(
                ctx,
                client,
                user,
                request,
                answer=slack_to_plain(str(reply.get("text") or "")),
                author=str(reply["user"]),
                link=link,
            )
        except KbotError as exc:
            log.info("verified answer not saved: %s", exc)
            await respond(text=user_error_text(exc), response_type="ephemeral", replace_original=False)
            return
        except SLACK_ERRORS as exc:
            log.warning("verified answer not saved: %s", exc, exc_info=True)
            await respond(
                text="Sorry, I couldn't read the thread. Please try again.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        await client.chat_postMessage(
            channel=channel,
            thread_ts=ts,
            text=f"Saved as a verified answer by <@{user}> ({escape(saved.marker())}). I'll show it first next time.",
        )

    async def open_editor(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        channel, ts = _where(body)
        request = await ctx.app.verified.request(str(action.get("value") or ""))
        if request is None:
            await respond(
                text="Sorry, I no longer know that question.", response_type="ephemeral", replace_original=False
            )
            return
        try:
            reply = await _latest_reply(client, channel, ts)
        except SLACK_ERRORS:
            reply = None
        answer = slack_to_plain(str((reply or {}).get("text") or ""))
        author = str((reply or {}).get("user") or (body.get("user") or {}).get("id") or "")
        metadata = {"request": request.id, "channel": channel, "ts": ts, "author": author}
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=_modal(request, answer, metadata))
        except SLACK_ERRORS as exc:  # e.g. expired_trigger_id: triggers live 3 s (https://api.slack.com/docs/triggers)
            log.warning("verified answer editor not opened: %s", exc)
            await respond(
                text="Sorry, the form didn't open in time. Please click *Edit, then save* again.",
                response_type="ephemeral",
                replace_original=False,
            )

    async def submit_editor(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        """Saved before the ack, so a refusal shows in the form (nothing saved) instead of vanishing."""
        user = str((body.get("user") or {}).get("id") or "")
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            request = await ctx.app.verified.request(str(meta.get("request") or ""))
            if request is None:
                raise InputError("unknown expert request", user_message="Sorry, I no longer know that question.")
            saved = await _save(
                ctx,
                client,
                user,
                request,
                answer=_value(view, "answer") or "",
                author=str(meta.get("author") or user),
                question=_value(view, "question") or "",
                audience=_value(view, "audience"),
                review_by=_value(view, "review_by"),
            )
        except KbotError as exc:
            block = (
                "review_by"
                if "review date" in exc.user_message
                else "audience"
                if "Audience" in exc.user_message
                else ("question" if "question" in exc.user_message else "answer")
            )
            await ack(response_action="errors", errors={block: exc.user_message[:150]})
            return
        await ack()
        if meta.get("channel"):
            await client.chat_postMessage(
                channel=meta["channel"],
                thread_ts=meta.get("ts") or None,
                text=f"Saved as a verified answer by <@{user}> ({escape(saved.marker())}).",
            )

    bolt.action(ACTION_SAVE)(ack=ack_click, lazy=[track(save_reply)])
    bolt.action(ACTION_EDIT)(open_editor)
    bolt.view(MODAL)(submit_editor)
