"""Reading a generated reply back into the core's terms: ``[n]`` markers -> citations, abstention.

The grounded prompt (:mod:`bot.answering.prompts`) numbers the passages and asks for ``[n]`` markers and the
abstain sentinel. Markers are renumbered by first use *while the reply streams*, so the text shown
in chat as it arrives is exactly the final answer's text and ``[k]`` is always the k-th citation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answering.prompts import ABSTAIN_SENTINEL, NOT_FOUND_MESSAGE
from bot.grounding import snippet
from bot.models import Answer, Citation, Passage, Usage

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_OPEN_MARKER = re.compile(r"[ \t]*\[[\d,\s]{0,30}$")  # a marker cut off at the end of a delta
_DROPPED = "\x00"
_TRAILING_SPACE = re.compile(r"[ \t]+$")


def is_abstention(text: str) -> bool:
    return ABSTAIN_SENTINEL in text or not text.strip()


def not_found(usage: list[Usage] | None = None, session_id: str | None = None) -> Answer:
    return Answer(NOT_FOUND_MESSAGE, grounded=False, usage=usage or [], session_id=session_id)


def citation_for(passage: Passage) -> Citation:
    return Citation(
        title=passage.title or passage.uri,
        uri=passage.uri,
        snippet=snippet(passage.text),
        score=passage.score,
        indexed_at=passage.indexed_at,
    )


class CitationRewriter:
    """Renumbers ``[n]`` markers by first use as text streams in; markers naming no passage are dropped
    (with the space before them). Holds back only a cut-off marker and trailing spaces."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = passages
        self._order: dict[int, int] = {}  # passage number -> citation number
        self._pending = ""

    def _renumber(self, match: re.Match[str]) -> str:
        out: list[str] = []
        for raw in match.group(1).split(","):
            n = int(raw)
            if 1 <= n <= len(self._passages):
                marker = f"[{self._order.setdefault(n, len(self._order) + 1)}]"
                if marker not in out:
                    out.append(marker)
        return "".join(out) or _DROPPED

    def feed(self, delta: str, *, final: bool = False) -> str:
        text = _MARKER.sub(self._renumber, self._pending + delta)
        self._pending = ""
        if not final:
            cut = _OPEN_MARKER.search(text) or _TRAILING_SPACE.search(text)
            if cut:
                text, self._pending = text[: cut.start()], text[cut.start() :]
        return re.sub(rf"[ \t]*{_DROPPED}", "", text)

    def finish(self) -> str:
        return self.feed("", final=True)

    def citations(self) -> list[Citation]:
        return [citation_for(self._passages[n - 1]) for n in self._order]


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

    def flush(self) -> str:
        held, self._held = self._held, ""
        return "" if ABSTAIN_SENTINEL in held else held


class GroundedReply:
    """A model reply over numbered passages, fed as it streams: chat-ready deltas, then the Answer."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = passages
        self._gate = SentinelGate()
        self._citer = CitationRewriter(passages)
        self._raw: list[str] = []
        self._shown: list[str] = []

    def feed(self, delta: str) -> str:
        self._raw.append(delta)
        shown = self._citer.feed(self._gate.feed(delta))
        self._shown.append(shown)
        return shown

    def finish(self) -> str:
        shown = self._citer.feed(self._gate.flush(), final=True)
        self._shown.append(shown)
        return shown

    def answer(self, usage: list[Usage], session_id: str | None) -> Answer:
        if not self._passages or is_abstention("".join(self._raw)):
            return not_found(usage, session_id)
        citations = self._citer.citations()
        text = "".join(self._shown).strip()
        return Answer(text, grounded=bool(citations), citations=citations, usage=usage, session_id=session_id)


def grounded_answer(
    text: str, passages: Sequence[Passage], usage: list[Usage], session_id: str | None
) -> Answer:
    """The final answer for a whole model reply over numbered ``passages`` (abstains when unsupported)."""
    reply = GroundedReply(passages)
    reply.feed(text)
    reply.finish()
    return reply.answer(usage, session_id)


def cite(text: str, passages: Sequence[Passage]) -> tuple[str, list[Citation]]:
    citer = CitationRewriter(passages)
    return (citer.feed(text) + citer.finish()).strip(), citer.citations()


def mark_spans(text: str, marks: Sequence[tuple[int, int]]) -> str:
    """Insert ``[n]`` after offset ``end`` for each ``(end, n)`` (for backends that cite by span)."""
    out, last = [], 0
    for end, number in sorted(set(marks)):
        end = max(last, min(end, len(text)))
        out += [text[last:end], f"[{number}]"]
        last = end
    out.append(text[last:])
    return "".join(out)
