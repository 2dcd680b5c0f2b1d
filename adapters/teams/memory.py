"""State of the Teams adapter kept across turns: recent turns per conversation and sent answers.

Kept in the shared state store (:mod:`bot.state`), so a follow-up that lands on another
``kbot serve`` replica still has the conversation, and feedback on an answer sent by another
replica is recorded in full. Turns are capped per conversation and expire; so do sent answers.
If the store is unavailable the bot still answers, without history (and says nothing of it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.errors import KbotError
from bot.models import Turn
from bot.state import ANSWER_TTL_SECONDS, TURNS_TTL_SECONDS, AnswerRecord, ConversationState

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SentAnswer:
    """What the bot answered in one activity, kept so feedback on it can be recorded in full."""

    question: str
    answer: str
    citations: list[dict[str, Any]] = field(default_factory=list)


class ConversationMemory:
    def __init__(
        self,
        state: ConversationState,
        max_turns: int = 10,
        *,
        turns_ttl: float = TURNS_TTL_SECONDS,
        answers_ttl: float = ANSWER_TTL_SECONDS,
    ) -> None:
        self.state = state
        self.max_turns = max_turns
        self.turns_ttl = turns_ttl
        self.answers_ttl = answers_ttl

    async def first_delivery(self, activity: dict[str, Any]) -> bool:
        """False when this message activity (conversation + activity id) was already taken by a replica:
        the Bot Connector may deliver an activity again, possibly to another replica behind the load
        balancer (https://learn.microsoft.com/azure/bot-service/bot-builder-basics#the-activity-processing-stack
        : activities are processed at least once). Store down: answer anyway."""
        conversation = str((activity.get("conversation") or {}).get("id") or "")
        activity_id = str(activity.get("id") or "")
        if not (conversation and activity_id):
            return True
        key = f"teams-activity:{conversation}:{activity_id}"
        try:
            if not await self.state.claim(key, "teams", lease_seconds=60, ttl_seconds=self.answers_ttl):
                return False
            await self.state.complete(key, "teams")
        except KbotError as exc:
            log.warning("teams: delivery check unavailable: %s", exc)
        return True

    async def turns(self, conversation_id: str) -> list[Turn]:
        try:
            return await self.state.turns(f"teams:{conversation_id}")
        except KbotError as exc:
            log.warning("teams: conversation history unavailable: %s", exc)
            return []

    async def add_exchange(self, conversation_id: str, question: str, answer: str) -> None:
        try:
            await self.state.add_turns(
                f"teams:{conversation_id}",
                [Turn("user", question), Turn("assistant", answer)],
                max_turns=self.max_turns,
                ttl_seconds=self.turns_ttl,
            )
        except KbotError as exc:
            log.warning("teams: could not keep the conversation turn: %s", exc)

    async def forget(self, conversation_id: str) -> None:
        await self.state.forget_turns(f"teams:{conversation_id}")

    async def remember_answer(self, activity_id: str, sent: SentAnswer) -> None:
        record = AnswerRecord(sent.question, sent.answer, sent.citations)
        try:
            await self.state.put_answer(f"teams:{activity_id}", record, ttl_seconds=self.answers_ttl)
        except KbotError as exc:
            log.warning("teams: could not keep sent answer %s: %s", activity_id, exc)

    async def sent_answer(self, activity_id: str | None) -> SentAnswer | None:
        try:
            found = await self.state.get_answer(f"teams:{activity_id}") if activity_id else None
        except KbotError as exc:
            log.warning("teams: sent answer %s unavailable: %s", activity_id, exc)
            return None
        return SentAnswer(found.question, found.answer, found.citations) if found else None
