"""Teams side of verified answers (:class:`~.ports.VerifiedHooks`).

After a 👎 the asker gets an "Ask an expert" card; that posts the question as a new thread in the
Teams experts channel (``KBOT_TEAMS_EXPERTS_CHANNEL``) with a card form: the expert replies in the
thread, or types/tidies the answer in the form, and presses "Save as verified answer" (an empty form
saves the thread's latest reply, read through Graph). Only members of the experts channel's team or
kbot admins may save; the asker is told once, in their conversation. Card data carries only the
expert request's id plus the form's inputs.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from bot.admin.models import Actor
from bot.errors import InputError, KbotError
from bot.verified.models import ExpertRequest
from bot.verified.service import VerifiedAnswers

from . import activity as act
from .access import channel_id
from .admin import teams_actor
from .admin_cards import card, card_activity
from .memory import ConversationMemory
from .ports import InvokeReply, Replier, ThreadReader

log = logging.getLogger(__name__)

VERB_ASK = "kbot.expert.ask"
VERB_SAVE = "kbot.verified.save"
_CARD_MESSAGE = "application/vnd.microsoft.activity.message"
_TAG = re.compile(r"<[^>]+>")
MAX_ROSTER = 5000


def html_to_text(content: str) -> str:
    """Graph ``chatMessage.body`` (HTML) -> text; entities decoded after the tags are gone."""
    text = re.sub(r"<br\s*/?>|</p>|</div>", "\n", content, flags=re.IGNORECASE)
    return html.unescape(_TAG.sub("", text)).strip()


def _message(text: str) -> InvokeReply:
    return InvokeReply(200, {"statusCode": 200, "type": _CARD_MESSAGE, "value": text})


def _text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def offer_card(request_id: str) -> dict[str, Any]:
    return card(
        [_text_block("Thanks, noted. Want a person to look at it? I can post your question to the experts channel.")],
        [{"type": "Action.Execute", "title": "Ask an expert", "verb": VERB_ASK, "data": {"request": request_id}}],
    )


def expert_card(request: ExpertRequest, asker_name: str) -> dict[str, Any]:
    return card(
        [
            _text_block(f"**Question from {asker_name}** (the bot's answer did not help):", weight="Bolder"),
            {"type": "Input.Text", "id": "question", "isMultiline": True, "value": request.question[:1500]},
            _text_block("Reply in this thread, then save your reply. Or write or tidy the answer here:", isSubtle=True),
            {"type": "Input.Text", "id": "answer", "isMultiline": True, "placeholder": "Empty: the latest reply"},
            {
                "type": "Input.Text",
                "id": "audience",
                "placeholder": "Audience groups, comma-separated (empty = everyone)",
            },
            {"type": "Input.Date", "id": "review_by", "label": "Review by"},
        ],
        [
            {
                "type": "Action.Execute",
                "title": "Save as verified answer",
                "verb": VERB_SAVE,
                "data": {"request": request.id},
            }
        ],
    )


class TeamsExpertRoster:
    """The experts channel's people (the connector's roster of the channel's team)."""

    def __init__(self, replier: Replier, channel: str | None) -> None:
        self.replier = replier
        self.channel = channel

    async def is_expert(self, actor: Actor) -> bool:
        if not self.channel:
            return False
        try:
            members = await self.replier.members(self.channel, MAX_ROSTER) or []
        except Exception:  # noqa: BLE001 - the connector failed: nobody is an expert this time
            log.warning("teams: could not read the experts channel roster", exc_info=True)
            return False
        return any(actor.user_id in (m.get("aadObjectId"), m.get("id")) for m in members)


class TeamsVerified:
    def __init__(
        self,
        verified: VerifiedAnswers,
        memory: ConversationMemory,
        experts_channel: str | None,
        thread_reader: ThreadReader | None = None,
    ) -> None:
        self.verified = verified
        self.memory = memory
        self.experts_channel = experts_channel
        self.thread_reader = thread_reader

    async def after_feedback(self, activity: dict[str, Any], replier: Replier) -> None:
        action = act.as_dict(act.as_dict(activity.get("value")).get("actionValue"))
        sent = await self.memory.sent_answer(activity.get("replyToId"))
        if str(action.get("reaction")).lower() != "dislike" or not self.experts_channel or sent is None:
            return
        where = {
            "conversation": act.conversation_id(activity),
            "service_url": str(activity.get("serviceUrl") or ""),
            "asker_name": str(act.sender(activity).get("name") or ""),
            "conversation_type": act.conversation_type(activity),
        }
        try:
            request = await self.verified.open_request("teams", sent.question, act.user_id(activity), where)
            await replier.send(card_activity(offer_card(request.id)))
        except Exception:  # noqa: BLE001 - the feedback itself was recorded; the offer is a bonus
            log.warning("teams: could not offer an expert", exc_info=True)

    async def card_action(self, activity: dict[str, Any], replier: Replier) -> InvokeReply | None:
        action = act.as_dict(act.as_dict(activity.get("value")).get("action"))
        verb = action.get("verb")
        if verb not in (VERB_ASK, VERB_SAVE):
            return None
        data = act.as_dict(action.get("data"))
        try:
            request = await self.verified.request(str(data.get("request") or ""))
            if request is None:
                raise InputError("unknown expert request", user_message="Sorry, I no longer know that question.")
            if verb == VERB_ASK:
                return await self._ask(request, replier)
            return await self._save(activity, request, data, replier)
        except KbotError as exc:
            log.info("teams: verified-answer action refused: %s", exc)
            return _message(exc.user_message)

    async def _ask(self, request: ExpertRequest, replier: Replier) -> InvokeReply:
        if not self.experts_channel:
            raise InputError("no experts channel", user_message="Sorry, no experts channel is set up.")
        asker = request.where.get("asker_name") or "a colleague"
        try:
            await replier.start_thread(self.experts_channel, card_activity(expert_card(request, asker)))
        except Exception as exc:  # noqa: BLE001 - tell the asker instead of failing the click
            log.warning("teams: could not post to the experts channel", exc_info=True)
            raise KbotError(
                "experts channel unreachable", user_message="Sorry, I couldn't reach the experts channel."
            ) from exc
        return _message("I've posted your question to the experts channel. You'll hear back here.")

    async def _save(
        self, activity: dict[str, Any], request: ExpertRequest, data: dict[str, Any], replier: Replier
    ) -> InvokeReply:
        actor = teams_actor(activity)
        answer = str(data.get("answer") or "").strip()
        expert, expert_id = actor.display_name or actor.user_id, f"teams:{actor.user_id}"
        if not answer:
            reply = await self._latest_reply(activity, replier)
            if reply is None:
                raise InputError(
                    "no reply", user_message="Reply in the thread (or write the answer in the card) first."
                )
            answer = html_to_text(str(act.as_dict(reply.get("body")).get("content") or ""))
            user = act.as_dict(act.as_dict(reply.get("from")).get("user"))
            expert = str(user.get("displayName") or expert)
            expert_id = f"teams:{user.get('id') or actor.user_id}"
        saved = await self.verified.save(
            actor,
            question=str(data.get("question") or "").strip() or request.question,
            answer=answer,
            expert=expert,
            expert_id=expert_id,
            audience=str(data.get("audience") or ""),
            review_by=str(data.get("review_by") or "") or None,
            request_id=request.id,
            roster=TeamsExpertRoster(replier, self.experts_channel),
        )
        await self._notify(request, saved.answer, saved.marker(), activity, replier, private=bool(saved.audience))
        return _message(f"Saved as a verified answer ({saved.marker()}). I'll show it first next time.")

    async def _latest_reply(self, activity: dict[str, Any], replier: Replier) -> dict[str, Any] | None:
        """The newest human reply in the experts thread (Graph), or None."""
        channel_data = act.as_dict(activity.get("channelData"))
        team = act.as_dict(channel_data.get("team"))
        conversation = act.conversation_id(activity)
        root = conversation.partition(";messageid=")[2] or str(activity.get("replyToId") or "")
        if self.thread_reader is None or not team.get("id") or not root:
            return None
        group = team.get("aadGroupId") or await replier.team_group_id(str(team["id"]))
        if not group:
            return None
        tenant = act.as_dict(channel_data.get("tenant")).get("id")
        messages = await self.thread_reader.channel_thread(tenant, str(group), channel_id(activity), root)
        humans = [m for m in messages[1:] if act.as_dict(act.as_dict(m.get("from")).get("user")).get("id")]
        return humans[-1] if humans else None

    async def _notify(
        self,
        request: ExpertRequest,
        answer: str,
        marker: str,
        activity: dict[str, Any],
        replier: Replier,
        *,
        private: bool,
    ) -> None:
        conversation = request.where.get("conversation")
        if not conversation or not await self.verified.claim_notification(request.id):
            return
        if request.where.get("service_url", "").rstrip("/") != str(activity.get("serviceUrl") or "").rstrip("/"):
            log.warning("teams: the asker is on another connector; not told")
            return
        text = f"An expert answered your question: {answer}\n\n_{marker}_"
        if private and request.where.get("conversation_type") != "personal":  # others read this thread
            text = "An expert answered your question. Ask me again in a 1:1 chat to see the answer."
        try:
            await replier.send_to(conversation, {"type": "message", "text": text, "textFormat": "markdown"})
        except Exception:  # noqa: BLE001 - saved anyway; logged
            log.warning("teams: could not tell the asker", exc_info=True)
