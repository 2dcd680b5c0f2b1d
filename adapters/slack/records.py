"""Recent answers by id, so a feedback or share click can find the question, answer and citations.

In memory and bounded: after a restart the button value still carries the question, and the
answer text is read back from the clicked message.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from bot.models import Answer


@dataclass(slots=True)
class AnswerRecord:
    question: str
    answer: Answer
    user_id: str
    channel: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None
    created: float = field(default_factory=time.monotonic)

    def citations_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.answer.citations]


class AnswerRecords:
    def __init__(self, max_size: int = 10_000, ttl_seconds: float = 7 * 24 * 3600) -> None:
        self.max_size = max_size
        self.ttl = ttl_seconds
        self._records: OrderedDict[str, AnswerRecord] = OrderedDict()

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex[:16]

    def put(self, record_id: str, record: AnswerRecord) -> None:
        self._records[record_id] = record
        self._records.move_to_end(record_id)
        while len(self._records) > self.max_size:
            self._records.popitem(last=False)

    def get(self, record_id: str) -> AnswerRecord | None:
        record = self._records.get(record_id)
        if record is None or record.created < time.monotonic() - self.ttl:
            return None
        return record
