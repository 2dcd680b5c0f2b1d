"""State of the Teams adapter kept across turns: recent turns per conversation and sent answers.

Kept in the shared state store (:mod:`bot.state`), so a follow-up that lands on another
``kbot serve`` replica still has the conversation, and feedback on an answer sent by another
replica is recorded in full. Turns are capped per conversation and expire; so do sent answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.models import Turn
from bot.state import ANSWER_TTL_SECONDS, TURNS_TTL_SECONDS, AnswerRecord, ConversationState


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

    async def turns(self, conversation_id: str) -> list[Turn]:
        return await self.state.turns(f"teams:{conversation_id}")

    async def add_exchange(self, conversation_id: str, question: str, answer: str) -> None:
        await self.state.add_turns(
            f"teams:{conversation_id}",
            [Turn("user", question), Turn("assistant", answer)],
            max_turns=self.max_turns,
            ttl_seconds=self.turns_ttl,
        )

    async def forget(self, conversation_id: str) -> None:
        await self.state.forget_turns(f"teams:{conversation_id}")

    async def remember_answer(self, activity_id: str, sent: SentAnswer) -> None:
        record = AnswerRecord(sent.question, sent.answer, sent.citations)
        await self.state.put_answer(f"teams:{activity_id}", record, ttl_seconds=self.answers_ttl)

    async def sent_answer(self, activity_id: str | None) -> SentAnswer | None:
        found = await self.state.get_answer(f"teams:{activity_id}") if activity_id else None
        return SentAnswer(found.question, found.answer, found.citations) if found else None
