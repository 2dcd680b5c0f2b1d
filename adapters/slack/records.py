"""Recent answers by id, so a feedback or share click can find the question, answer and citations,
on whichever ``kbot serve`` replica the click lands (kept in the shared state store, with a TTL).

The button value carries only the record id; after the TTL (or if the store is down) a click
falls back on what the clicked message shows.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from bot.errors import KbotError
from bot.models import Answer, Citation
from bot.state import ANSWER_TTL_SECONDS, ConversationState
from bot.state import AnswerRecord as StoredAnswer

log = logging.getLogger(__name__)


@dataclass(slots=True)
class AnswerRecord:
    question: str
    answer: Answer
    user_id: str
    channel: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None

    def citations_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.answer.citations]


def _citation(data: dict[str, Any]) -> Citation:
    return Citation(
        str(data.get("title") or ""), str(data.get("uri") or ""), str(data.get("snippet") or ""),
        float(data.get("score") or 0.0),
    )


class AnswerRecords:
    def __init__(self, state: ConversationState, ttl_seconds: float = ANSWER_TTL_SECONDS) -> None:
        self.state = state
        self.ttl = ttl_seconds

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex[:16]

    async def put(self, record_id: str, record: AnswerRecord) -> None:
        stored = StoredAnswer(
            record.question, record.answer.text, record.citations_json(), record.user_id,
            record.channel, record.thread_ts, record.answer.grounded,
        )
        try:
            await self.state.put_answer(record_id, stored, ttl_seconds=self.ttl)
        except KbotError as exc:  # the answer still goes out; a click falls back to the button's question
            log.warning("could not keep answer record %s: %s", record_id, exc)

    async def get(self, record_id: str) -> AnswerRecord | None:
        try:
            found = await self.state.get_answer(record_id) if record_id else None
        except KbotError as exc:  # the click falls back to the button's question and the message text
            log.warning("answer record %s unavailable: %s", record_id, exc)
            return None
        if found is None:
            return None
        answer = Answer(found.answer, found.grounded, [_citation(c) for c in found.citations])
        return AnswerRecord(found.question, answer, found.asker, found.channel, found.thread)
