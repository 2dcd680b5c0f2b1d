"""Follow-up questions in a conversation: fold the previous turn's subject into a short or
elliptical question ("what about for fathers?") before retrieval. Pure text, no model; any front
end that passes ``Question.history`` gets it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answering.answer_types import frame
from bot.models import Turn
from bot.text import content_words

_ELLIPTICAL = re.compile(r"^\s*(?:and|also|what about|how about|same for|and for|and what about|what if|or)\b", re.I)
_PRONOUN = re.compile(r"\b(it|its|that|this|those|these|they|them|there|one)\b", re.I)
_ASK_WORDS = frozenset("much long many get take often need way does work happen".split())
SHORT = 2  # content words at or below which a question is treated as elliptical
CARRIED_WEIGHT = 0.5  # a subject word folded in from the previous turn counts this much when reading
_FOLDED = re.compile(r"\s*\(([^()]*)\)\s*\??$")  # the "(subject words)" expand_follow_up appends


def subject(previous: str) -> list[str]:
    """The previous question's topic words (its content words less generic asking words)."""
    return [w for w in dict.fromkeys(content_words(previous)) if w not in _ASK_WORDS]


def expand_follow_up(question_text: str, history: Sequence[Turn]) -> str:
    """``question_text`` with the previous user turn's subject appended when it looks like a
    follow-up (short, starts with "and/what about…", or leans on a pronoun); else unchanged."""
    text = question_text.strip()
    previous = [t.text for t in history if t.role == "user" and t.text.strip()]
    if not previous:
        return text
    own = content_words(text)
    follow_up = len(own) <= SHORT or _ELLIPTICAL.search(text) or (_PRONOUN.search(text) and len(own) <= 4)
    if not follow_up:
        return text
    # Walk back to the last turn that had a subject of its own (a chain of follow-ups keeps the topic).
    for earlier in reversed(previous):
        extra = [w for w in subject(earlier) if w not in own]
        if extra:
            return f"{text.rstrip(' ?')} ({' '.join(extra)})" + ("?" if text.endswith("?") else "")
    return text


def discount_carried(weights: dict[str, float], text: str) -> dict[str, float]:
    """Term weights for reading ``text``: the subject words folded in from the previous turn help
    retrieval find the topic, but the span should answer what this turn adds ("what about for
    jury duty (paid time vote)?" -> the jury duty row, not the voting one)."""
    folded = _FOLDED.search(text)
    if folded is None:
        return weights
    carried = set(content_words(folded.group(1))) - set(content_words(text[: folded.start()]))
    return {t: w * CARRIED_WEIGHT if t in carried else w for t, w in weights.items()}


def asked_frame(text: str, previous: str | None) -> str:
    """The text whose wh-frame says what kind of answer ``text`` wants: its own, or — for an
    elliptical follow-up with none ("and for volunteering as a poll worker?") — the previous
    question's ("how much time off do I get to vote?" -> an amount)."""
    own = _FOLDED.sub("", text)  # less the subject expand_follow_up folded in
    if frame(own) or not previous:
        return text
    elliptical = _ELLIPTICAL.search(own) or len(content_words(own)) <= SHORT + 1
    return previous if elliptical else text
