"""``invoke`` activities: feedback buttons, Adaptive Card actions, the "Summarize thread" message action.

Each returns the invoke response Teams expects: ``message/submitAction`` a 200 with body ``{}``;
``adaptiveCard/action`` a 200 whose body carries the Universal Action status; message extension
actions a 200 with a dialog (``task``) or a ``composeExtension`` result. Unknown invokes: 501.

Teams waits five seconds for an invoke, then shows "Unable to reach the app" and ignores a late answer
(https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/action-commands/respond-to-task-module-submit):
"Summarize thread" answers at once and posts the summary (Graph + summarizer) as a message afterwards.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

from bot.errors import KbotError
from bot.models import Feedback
from bot.ports import FeedbackRecorder

from . import activity as act
from .memory import ConversationMemory
from .ports import AdminHooks, InvokeReply, Replier, VerifiedHooks
from .render import summary_activity, text_activity
from .summaries import TeamsSummaries

log = logging.getLogger(__name__)

SUMMARIZE_COMMAND = "summarizeThread"
_CARD_MESSAGE = "application/vnd.microsoft.activity.message"
_CARD_ERROR = "application/vnd.microsoft.error"
SUMMARY_ON_ITS_WAY = "Summarizing this thread… the summary is on its way and will appear in the conversation."


class TeamsInvokes:
    def __init__(
        self,
        memory: ConversationMemory,
        feedback: FeedbackRecorder | None,
        summaries: TeamsSummaries,
        admin: AdminHooks | None = None,
    ) -> None:
        self.memory = memory
        self.feedback = feedback
        self.summaries = summaries
        self.admin = admin
        self._background: set[asyncio.Task[None]] = set()
        self.verified: VerifiedHooks | None = None  # set by adapters.wiring.teams

    async def handle(self, activity: dict[str, Any], replier: Replier) -> InvokeReply:
        name = activity.get("name")
        value = activity.get("value")
        if name == "message/submitAction":
            reply = await self._feedback_loop(activity, value)
            if self.verified is not None and reply.status == 200:
                await self.verified.after_feedback(activity, replier)
            return reply
        if name == "adaptiveCard/action" and self.verified is not None:
            verified_reply = await self.verified.card_action(activity, replier)
            if verified_reply is not None:
                return verified_reply
        if name == "adaptiveCard/action":
            admin_body = await self.admin.card_action(activity) if self.admin else None
            if admin_body is not None:
                return InvokeReply(200, admin_body)
            return await self._card_action(activity, value)
        if name in ("composeExtension/fetchTask", "composeExtension/submitAction"):
            return await self._message_action(activity, replier, fetch=name.endswith("fetchTask"))
        log.info("teams: unsupported invoke %r", name)
        return InvokeReply(501)

    async def _feedback_loop(self, activity: dict[str, Any], value: Any) -> InvokeReply:
        """The 👍/👎 buttons of ``feedbackLoopEnabled`` messages; Teams wants an empty 200 body."""
        if not isinstance(value, dict) or value.get("actionName") != "feedback":
            return InvokeReply(400)
        action = act.as_dict(value.get("actionValue"))
        rating = _rating(action.get("reaction"))
        if rating is None:
            return InvokeReply(400)
        await self._record(activity, rating, _feedback_text(action.get("feedback")))
        return InvokeReply(200, {})

    async def _card_action(self, activity: dict[str, Any], value: Any) -> InvokeReply:
        """``Action.Execute`` from the Adaptive Card fallback (verb ``feedback``)."""
        action = act.as_dict(act.as_dict(value).get("action"))
        if not action:
            return InvokeReply(400)
        data = act.as_dict(action.get("data"))
        rating = _rating(data.get("reaction"))
        if action.get("verb") != "feedback" or rating is None:
            error = {"code": "BadRequest", "message": "This button is not supported."}
            return InvokeReply(200, {"statusCode": 400, "type": _CARD_ERROR, "value": error})
        await self._record(activity, rating, data.get("comment"))
        thanks = "Thanks for the feedback!"
        return InvokeReply(200, {"statusCode": 200, "type": _CARD_MESSAGE, "value": thanks})

    async def _record(self, activity: dict[str, Any], rating: Literal["up", "down"], comment: Any) -> None:
        sent = await self.memory.sent_answer(activity.get("replyToId"))
        if sent is None:
            log.warning("teams: feedback on message %s whose answer is no longer in memory", activity.get("replyToId"))
        feedback = Feedback(
            user_id=act.user_id(activity),
            rating=rating,
            question=sent.question if sent else "",
            answer=sent.answer if sent else "",
            citations=sent.citations if sent else [],
            platform="teams",
            comment=str(comment) if comment else None,
            created=datetime.now(UTC),
        )
        if self.feedback is None:
            log.warning(
                "teams: no feedback recorder configured; feedback not stored: %s %s",
                feedback.rating,
                feedback.comment or "",
            )
            return
        await self.feedback.record_feedback(feedback)

    async def _message_action(self, activity: dict[str, Any], replier: Replier, *, fetch: bool) -> InvokeReply:
        value = activity.get("value")
        if not isinstance(value, dict):
            return InvokeReply(400)
        if value.get("commandId") != SUMMARIZE_COMMAND:
            return _task_message(f"Unknown command {value.get('commandId')!r}.")
        try:
            self.summaries.check_thread(activity)  # no I/O: wrong place or not set up -> say so now
        except KbotError as exc:
            log.warning("teams: thread summary refused: %s", exc)
            return _task_message(exc.user_message)
        task = asyncio.create_task(self._post_thread_summary(activity, replier))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        if fetch:
            return _task_message(SUMMARY_ON_ITS_WAY)
        return InvokeReply(200, {})  # submitAction: "no response", the summary follows as a message

    async def _post_thread_summary(self, activity: dict[str, Any], replier: Replier) -> None:
        """After the invoke was answered: read the thread (Graph), summarize, post it as a message."""
        try:
            summary, _link = await self.summaries.thread(activity, replier)
            reply = summary_activity(summary)
        except KbotError as exc:
            log.warning("teams: thread summary failed: %s", exc)
            reply = text_activity(exc.user_message)
        except Exception:  # noqa: BLE001 - a background task: report, never crash silently
            log.exception("teams: thread summary failed")
            reply = text_activity(KbotError.user_message)
        try:
            await replier.send(reply)
        except Exception:  # noqa: BLE001 - the connector refused; nothing else to tell the user with
            log.exception("teams: could not post the thread summary")

    async def drain(self, seconds: float) -> None:
        """Shutdown: let summaries already promised finish (bounded)."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=seconds)


def _task_message(text: str) -> InvokeReply:
    return InvokeReply(200, {"task": {"type": "message", "value": text}})


def _rating(reaction: Any) -> Literal["up", "down"] | None:
    return {"like": "up", "dislike": "down"}.get(str(reaction).lower())  # type: ignore[return-value]


def _feedback_text(raw: Any) -> str | None:
    """``actionValue.feedback`` is a JSON string like ``{"feedbackText": "..."}``."""
    if not raw:
        return None
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return str(raw)
    if isinstance(parsed, dict):
        return str(parsed.get("feedbackText") or "") or None
    return str(parsed)
