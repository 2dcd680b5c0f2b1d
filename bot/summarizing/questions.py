"""Open questions: a question nobody else answered within the next few messages."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.summarizing import cues
from bot.summarizing.units import TopK, Unit

_ANSWER_START = re.compile(
    r"^(?:yes|yeah|yep|yup|no|nope|nah|sure|ok(?:ay)?|of course|definitely|absolutely|maybe|probably|"
    r"i think|i guess|i don'?t know|not sure|it'?s|it is|they|we|because|the|done|will do|agreed"
    r"|sounds good)\b",
    re.IGNORECASE,
)
ANSWER_SIMILARITY = 0.45
LOOKAHEAD_MESSAGES = 3


@dataclass(slots=True)
class _Pending:
    unit: Unit
    vector: np.ndarray
    score: float


class QuestionTracker:
    """Streams units in order; a pending question is resolved by a reply from someone else."""

    def __init__(self, max_items: int) -> None:
        self._pending: list[_Pending] = []
        self._open: TopK[Unit] = TopK(max_items)

    def observe(self, unit: Unit, vector: np.ndarray, score: float, *, is_request: bool = False) -> None:
        still_pending = []
        for question in self._pending:
            if unit.message - question.unit.message > LOOKAHEAD_MESSAGES:
                self._open.push(question.score, question.unit)
            elif unit.author != question.unit.author and (
                _ANSWER_START.match(unit.text) or float(vector @ question.vector) >= ANSWER_SIMILARITY
            ):
                continue  # answered
            else:
                still_pending.append(question)
        self._pending = still_pending
        if cues.is_question(unit.text) and not is_request:
            self._pending.append(_Pending(unit, vector.copy(), score))

    def open_questions(self) -> list[Unit]:
        for question in self._pending:
            self._open.push(question.score, question.unit)
        self._pending = []
        return self._open.in_order()
