"""Plain-dict Teams activity -> core call -> reply activity dicts. No botbuilder types here.

``TeamsBot.on_activity`` is the turn handler ``bf_adapter`` calls for every authenticated activity.
Every failure becomes a short reply (or an invoke status), never a dropped turn.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from typing import Any

from bot.errors import InputError, KbotError
from bot.fair_use import FAIR_USE_REPLY, FairUse
from bot.models import Answer, Asker, Question
from bot.ports import Answerer, FeedbackRecorder, StreamingAnswerer

from . import activity as act
from .invokes import TeamsInvokes
from .memory import ConversationMemory, SentAnswer
from .ports import AccessResolver, AdminHooks, InvokeReply, Replier
from .render import answer_activity, summary_activity, text_activity
from .streaming import DEFAULT_INTERVAL, TeamsStream, stream_answer
from .summaries import TeamsSummaries

log = logging.getLogger(__name__)

HELP_TEXT = (
    "Ask me anything about our internal docs and I'll answer with sources.\n\n"
    "- **summarize** followed by a pasted email (or with an .eml/.msg file attached) gives a summary.\n"
    "- In a channel, use **… > Summarize thread** on a post to summarize its replies.\n"
    "- **reset** forgets this conversation's earlier questions."
)
WELCOME_TEXT = "Hi! I'm kbot, the internal knowledge assistant. " + HELP_TEXT
SEARCHING_TEXT = "Searching the knowledge base…"
MAX_QUESTION_CHARS = 4000

_COMMAND = re.compile(r"^\s*(help|summari[sz]e|reset|forget)\b[:\s]*", re.IGNORECASE)


class TeamsBot:
    def __init__(
        self,
        answerer: Answerer,
        summaries: TeamsSummaries,
        *,
        feedback: FeedbackRecorder | None = None,
        memory: ConversationMemory,
        access: AccessResolver | None = None,
        admin: AdminHooks | None = None,
        stream_interval: float = DEFAULT_INTERVAL,
        fair_use: FairUse | None = None,
    ) -> None:
        self.answerer = answerer
        self.fair_use = fair_use
        self.summaries = summaries
        self.memory = memory
        self.access = access
        self.admin = admin
        self.stream_interval = stream_interval
        self.invokes = TeamsInvokes(self.memory, feedback, summaries, admin)
        # One answer at a time per conversation: Teams allows one stream per chat, and history stays ordered.
        self._turn_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, conversation: str) -> asyncio.Lock:
        lock = self._turn_locks.get(conversation)
        if lock is None:
            lock = self._turn_locks[conversation] = asyncio.Lock()
        return lock

    async def on_activity(self, activity: dict[str, Any], replier: Replier) -> InvokeReply | None:
        kind = activity.get("type")
        try:
            if kind == "invoke":
                return await self.invokes.handle(activity, replier)
            if kind == "message":
                await self._on_message(activity, replier)
            elif kind == "conversationUpdate":
                await self._on_conversation_update(activity, replier)
            else:
                log.debug("teams: ignoring %s activity", kind)
        except _Reported as exc:
            log.warning("teams: %s failed (user told in the stream): %s", kind, exc)
        except KbotError as exc:
            log.warning("teams: %s failed: %s", kind, exc)
            return await self._report(activity, replier, exc.user_message, 400)
        except Exception:  # noqa: BLE001 - one bad turn must not take the endpoint down
            log.exception("teams: unexpected error handling %s activity", kind)
            return await self._report(activity, replier, KbotError.user_message, 500)
        return None

    async def _report(self, activity: dict[str, Any], replier: Replier, text: str, status: int) -> InvokeReply | None:
        if activity.get("type") == "invoke":
            return InvokeReply(status)
        if activity.get("type") == "message":
            try:
                await replier.send(text_activity(text))
            except Exception:  # noqa: BLE001 - the connector itself is failing: logged, nothing else to do
                log.exception("teams: could not send the error reply")
        return None

    async def _on_message(self, activity: dict[str, Any], replier: Replier) -> None:
        text = act.question_text(activity)
        files = act.file_attachments(activity)
        if not text and activity.get("value") is not None:  # Action.Submit from a card
            reply = await self.admin.card_action(activity) if self.admin else None
            await replier.send(reply or text_activity("That button is no longer active. Ask me a question."))
            return
        admin_reply = await self.admin.command(activity) if self.admin else None
        if admin_reply is not None:
            await replier.send(admin_reply)
            return
        match = _COMMAND.match(text)
        command = match.group(1).lower() if match else ""
        rest = text[match.end() :] if match else text
        if command == "help" or (not text and not files):
            await replier.send(text_activity(HELP_TEXT))
        elif command in ("reset", "forget"):
            await self.memory.forget(act.conversation_id(activity))
            await replier.send(text_activity("Done: I've forgotten this conversation's earlier questions."))
        elif command.startswith("summari") or (files and not text):
            await replier.send({"type": "typing"})
            summary = (
                await self.summaries.attached(files[0]["name"], files[0]["url"])
                if files
                else await self.summaries.pasted(rest)
            )
            await replier.send(summary_activity(summary))
        else:
            await self._answer(activity, text, replier)

    async def _answer(self, activity: dict[str, Any], text: str, replier: Replier) -> None:
        if len(text) > MAX_QUESTION_CHARS:
            raise InputError(
                "question too long",
                user_message=(f"That question is too long; keep it under {MAX_QUESTION_CHARS} characters."),
            )
        if self.fair_use is not None and not await self.fair_use.allow(f"teams:{act.user_id(activity)}"):
            await replier.send(text_activity(FAIR_USE_REPLY))
            return
        conversation = act.conversation_id(activity)
        async with self._lock(conversation):
            await self._answer_in_turn(activity, text, conversation, replier)

    async def _answer_in_turn(self, activity: dict[str, Any], text: str, conversation: str, replier: Replier) -> None:
        history = await self.memory.turns(conversation)
        if self.access is None:  # no config store wired (tests of the transport only): unrestricted
            question = Question(text, asker=Asker(act.user_id(activity)), history=history, conversation_id=conversation)
        else:
            access = await self.access.resolve(activity, replier)
            question = access.question(text, history=history, conversation_id=conversation)
        entities = act.entities_supported(activity)
        sent_ids: list[str | None]
        if act.conversation_type(activity) == "personal" and isinstance(self.answerer, StreamingAnswerer):
            stream = TeamsStream(replier, interval=self.stream_interval)
            await stream.informative(SEARCHING_TEXT)
            try:
                answer = await stream_answer(stream, self.answerer.stream(question))
            except Exception as exc:  # noqa: BLE001 - an open stream must be closed, whatever failed
                if not isinstance(exc, KbotError):
                    log.exception("teams: unexpected error while streaming an answer")
                await stream.finish(text_activity(getattr(exc, "user_message", KbotError.user_message)))
                raise _Reported(str(exc)) from exc
            sent_ids = [await stream.finish(answer_activity(answer, entities=entities)), stream.stream_id]
        else:
            await replier.send({"type": "typing"})
            answer = await self.answerer.answer(question)
            sent_ids = [await replier.send(answer_activity(answer, entities=entities))]
        await self._remember(conversation, text, answer, sent_ids)

    async def _remember(self, conversation: str, question: str, answer: Answer, sent_ids: list[str | None]) -> None:
        await self.memory.add_exchange(conversation, question, answer.text)
        sent = SentAnswer(question, answer.text, [c.to_json() for c in answer.citations])
        for sent_id in sent_ids:
            if sent_id:
                await self.memory.remember_answer(sent_id, sent)

    async def _on_conversation_update(self, activity: dict[str, Any], replier: Replier) -> None:
        """Say hello once when the bot is installed in a personal chat."""
        me = act.bot_id(activity)
        added = [m.get("id") for m in activity.get("membersAdded") or [] if isinstance(m, dict)]
        if me and me in added and act.conversation_type(activity) == "personal":
            await replier.send(text_activity(WELCOME_TEXT))


class _Reported(KbotError):
    """A failure already shown to the user (inside a finished stream): logged, not replied to again."""
