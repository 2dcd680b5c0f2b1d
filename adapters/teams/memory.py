"""Bounded in-memory state of the Teams adapter: recent turns per conversation and sent answers.

Process-local on purpose (one ``kbot serve`` process): a restart forgets the history, which only
costs follow-up context. Both maps are LRU-bounded so memory stays flat under load.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from bot.models import Turn


@dataclass(slots=True)
class SentAnswer:
    """What the bot answered in one activity, kept so feedback on it can be recorded in full."""

    question: str
    answer: str
    citations: list[dict[str, Any]] = field(default_factory=list)


class ConversationMemory:
    def __init__(self, max_turns: int = 10, max_conversations: int = 2000, max_answers: int = 5000) -> None:
        self.max_turns = max_turns
        self.max_conversations = max_conversations
        self.max_answers = max_answers
        self._turns: OrderedDict[str, list[Turn]] = OrderedDict()
        self._answers: OrderedDict[str, SentAnswer] = OrderedDict()

    def turns(self, conversation_id: str) -> list[Turn]:
        return list(self._turns.get(conversation_id, []))

    def add_exchange(self, conversation_id: str, question: str, answer: str) -> None:
        turns = self._turns.pop(conversation_id, [])
        turns += [Turn("user", question), Turn("assistant", answer)]
        self._turns[conversation_id] = turns[-self.max_turns :]
        while len(self._turns) > self.max_conversations:
            self._turns.popitem(last=False)

    def forget(self, conversation_id: str) -> None:
        self._turns.pop(conversation_id, None)

    def remember_answer(self, activity_id: str, sent: SentAnswer) -> None:
        self._answers[activity_id] = sent
        self._answers.move_to_end(activity_id)
        while len(self._answers) > self.max_answers:
            self._answers.popitem(last=False)

    def sent_answer(self, activity_id: str | None) -> SentAnswer | None:
        return self._answers.get(activity_id) if activity_id else None
