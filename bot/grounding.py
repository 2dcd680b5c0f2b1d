"""Reading generated answers back into the core's terms: ``[n]`` markers -> citations, abstention.

Works with :mod:`bot.prompts`: the prompt numbers the passages and asks for ``[n]`` markers and
the abstain sentinel; this module turns the model's text into an :class:`Answer`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.models import Answer, Citation, Passage, Turn, Usage
from bot.prompts import (
    ABSTAIN_SENTINEL,
    CONDENSE_USER_TEMPLATE,
    NOT_FOUND_MESSAGE,
    PASSAGE_TEMPLATE,
    PASSAGES_BLOCK,
    QUESTION_BLOCK,
)

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
SNIPPET_CHARS = 300


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def format_passages(passages: Sequence[Passage]) -> str:
    return "\n\n".join(
        PASSAGE_TEMPLATE.format(number=i, title=p.title or p.uri, text=p.text.strip())
        for i, p in enumerate(passages, 1)
    )


def grounded_user_parts(question: str, passages: Sequence[Passage]) -> tuple[str, str]:
    """The passages block and the question block of the grounded prompt's user turn."""
    return PASSAGES_BLOCK.format(passages=format_passages(passages)), QUESTION_BLOCK.format(question=question.strip())


def condense_user_message(question: str, history: Sequence[Turn], max_turns: int = 8) -> str:
    lines = [f"{t.role}: {' '.join(t.text.split())}" for t in history[-max_turns:]]
    return CONDENSE_USER_TEMPLATE.format(history="\n".join(lines), question=question.strip())


def is_abstention(text: str) -> bool:
    return ABSTAIN_SENTINEL in text or not text.strip()


def not_found(usage: list[Usage] | None = None, session_id: str | None = None) -> Answer:
    return Answer(NOT_FOUND_MESSAGE, grounded=False, usage=usage or [], session_id=session_id)


def cite(text: str, passages: Sequence[Passage]) -> tuple[str, list[Citation]]:
    """Renumber the ``[n]`` markers by first use and return the matching citations.

    Markers pointing at no passage are dropped, so every marker left in the text has a citation.
    """
    order: dict[int, int] = {}  # passage number -> citation number

    def renumber(match: re.Match[str]) -> str:
        out = []
        for raw in match.group(1).split(","):
            n = int(raw)
            if 1 <= n <= len(passages):
                order.setdefault(n, len(order) + 1)
                if f"[{order[n]}]" not in out:
                    out.append(f"[{order[n]}]")
        return "".join(out)

    cleaned = _MARKER.sub(renumber, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned).strip()
    citations = [citation_for(passages[n - 1]) for n in order]
    return cleaned, citations


def citation_for(passage: Passage) -> Citation:
    return Citation(
        title=passage.title or passage.uri,
        uri=passage.uri,
        snippet=snippet(passage.text),
        score=passage.score,
        indexed_at=passage.indexed_at,
    )


def grounded_answer(text: str, passages: Sequence[Passage], usage: list[Usage], session_id: str | None) -> Answer:
    """The final answer for a model reply over numbered ``passages`` (abstains when unsupported)."""
    if not passages or is_abstention(text):
        return not_found(usage, session_id)
    cleaned, citations = cite(text, passages)
    return Answer(cleaned, grounded=bool(citations), citations=citations, usage=usage, session_id=session_id)


def mark_spans(text: str, marks: Sequence[tuple[int, int]]) -> str:
    """Insert ``[n]`` after character offset ``end`` for each ``(end, n)`` (for backends that cite by span)."""
    out, last = [], 0
    for end, number in sorted(set(marks)):
        end = max(last, min(end, len(text)))
        out += [text[last:end], f"[{number}]"]
        last = end
    out.append(text[last:])
    return "".join(out)


class SentinelGate:
    """Holds streamed text back while it could still be the abstain sentinel, so it never shows in chat."""

    def __init__(self) -> None:
        self._held = ""
        self._open = False

    def feed(self, delta: str) -> str:
        if self._open:
            return delta
        self._held += delta
        head = self._held.lstrip()
        if ABSTAIN_SENTINEL.startswith(head) or head.startswith(ABSTAIN_SENTINEL):
            return ""
        self._open = True
        released, self._held = self._held, ""
        return released
