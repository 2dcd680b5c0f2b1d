"""Plain-dict Teams activity -> core call -> reply activity dicts. No botbuilder types here.

``TeamsBot.on_activity`` is the turn handler ``bf_adapter`` calls for every authenticated activity.
Every failure becomes a short reply (or an invoke status), never a dropped turn.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import AsyncIterator
from typing import Any

from bot.conversation.ask import AskResult, AskService, PreparedAsk
from bot.errors import KbotError
from bot.models import Answer
from bot.ports import AnswerDelta

from . import activity as act
from .access import TeamsAccess
from .gate import FollowupsOn, should_answer
from .invokes import TeamsInvokes
from .memory import ConversationMemory, SentAnswer
from .ports import AdminHooks, InvokeReply, Replier
from .render import answer_activity, summary_activity, text_activity
from .streaming import DEFAULT_INTERVAL, StreamStopped, TeamsStream, stream_answer
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

_COMMAND = re.compile(r"^\s*(help|summari[sz]e|reset|forget)\b[:\s]*", re.IGNORECASE)


class TeamsBot:
    """``ask``: the core's question service (access, limits, metering, feedback); this class only
    translates activities to :class:`bot.conversation.ask.AskRequest` and answers to activities."""

    def __init__(
        self,
        ask: AskService,
        summaries: TeamsSummaries,
        *,
        memory: ConversationMemory,
        access: TeamsAccess | None = None,
        admin: AdminHooks | None = None,
        stream_interval: float = DEFAULT_INTERVAL,
        followups: FollowupsOn | None = None,
    ) -> None:
        self.ask = ask
        self.summaries = summaries
        self.memory = memory  # in the shared state store: every replica sees the same conversations
        self.access = access or TeamsAccess()
        self.admin = admin
        self.stream_interval = stream_interval
        self.followups = followups
        self.invokes = TeamsInvokes(self.memory, ask, summaries, admin)
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
        if not await should_answer(activity, self.memory, self.followups):
            return  # RSC delivers every channel post: not addressed to the bot (adapters/teams/gate.py)
        if not await self.memory.first_delivery(activity):
            log.info("teams: activity %s delivered again; already handled", activity.get("id"))
            return
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
            conversation = act.conversation_id(activity)
            async with self._lock(conversation):  # after an answer still being remembered, not before
                await self.memory.forget(conversation)
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
        conversation = act.conversation_id(activity)
        request = self.access.request(activity, replier, text, conversation_id=conversation)
        async with self._lock(conversation):
            request.history = await self.memory.turns(conversation)
            await self._answer_in_turn(activity, await self.ask.prepare(request), conversation, replier)

    async def _answer_in_turn(
        self, activity: dict[str, Any], prepared: PreparedAsk, conversation: str, replier: Replier
    ) -> None:
        text = prepared.question.text
        entities = act.entities_supported(activity)
        sent_ids: list[str | None]
        if act.conversation_type(activity) == "personal" and self.ask.streams:
            stream = TeamsStream(replier, interval=self.stream_interval)
            await stream.informative(SEARCHING_TEXT)
            try:
                answer = await stream_answer(stream, _answers(self.ask.stream(prepared)))
            except StreamStopped:
                log.info("teams: the user stopped the streamed answer")
                return
            except Exception as exc:  # noqa: BLE001 - an open stream must be closed, whatever failed
                if not isinstance(exc, KbotError):
                    log.exception("teams: unexpected error while streaming an answer")
                await stream.finish(text_activity(getattr(exc, "user_message", KbotError.user_message)))
                raise _Reported(str(exc)) from exc
            sent_ids = [await stream.finish(answer_activity(answer, entities=entities)), stream.stream_id]
        else:
            await replier.send({"type": "typing"})
            answer = (await self.ask.answer(prepared)).answer
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


async def _answers(items: AsyncIterator[AnswerDelta | AskResult]) -> AsyncIterator[AnswerDelta | Answer]:
    async for item in items:
        yield item.answer if isinstance(item, AskResult) else item


class _Reported(KbotError):
    """A failure already shown to the user (inside a finished stream): logged, not replied to again."""
