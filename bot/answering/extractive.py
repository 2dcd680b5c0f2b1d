"""The embedded default answerer: extractive, cited, abstaining when evidence is weak.

It never writes new text. Per question part (:mod:`bot.answering.parts`), after follow-up
expansion (:mod:`bot.answering.followup`): retrieve, cut the top passages into structural spans
(:mod:`bot.answering.structure`: sentences, list items, a lead-in with its list, table rows),
score them (:mod:`bot.answering.reader`), and answer with the best span — joined with an adjacent
sentence when the answer runs across both — followed by the ``[n]`` of its source. A part whose
confidence is under ``min_evidence`` is reported as not found; if no part is answered, the whole
answer is "not found" with the closest documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answering.answerability import AnswerabilityCheck
from bot.answering.contrast import ContrastCheck
from bot.answering.followup import asked_frame, discount_carried, expand_follow_up
from bot.answering.parts import split_question
from bot.answering.reader import Reading, SpanReader, TermStats, term_weights
from bot.answering.structure import Span, spans
from bot.models import Answer, Citation, Passage, Question, Turn
from bot.ports import Embedder, Retriever
from bot.text import clip

NOT_FOUND = "I couldn't find this in the knowledge base."
READ_PASSAGES = 8
JOIN_MARGIN = 0.06  # a neighbouring sentence this close to the best one joins it
SECOND_MARGIN = 0.03  # a second, separate span this close to the best one is added
UNANSWERABLE_PENALTY = 0.5  # confidence lost when no close span passes the answerability check
ANSWERABLE_CANDIDATES = 4  # spans tried, best first, ...
ANSWERABLE_MARGIN = 0.05  # ... while their score is this close to the best one's
SHORT_SENTENCE = 8  # words: a sentence this short rarely answers on its own
_CONTINUES = re.compile(r"^(this|that|these|those|it|they|there|otherwise|however|but|if not|in that case)\b", re.I)

__all__ = ["NOT_FOUND", "ExtractiveAnswerer", "TermStats", "retrieval_query"]


def retrieval_query(question: Question) -> str:
    """The question as retrieved: a follow-up gets the previous turn's subject folded in."""
    return expand_follow_up(question.text, question.history)


@dataclass(slots=True)
class _Part:
    text: str
    passages: list[Passage]
    reading: Reading


class ExtractiveAnswerer:
    def __init__(
        self,
        retriever: Retriever,
        embedder: Embedder,
        *,
        top_k: int = 8,
        min_evidence: float = 0.28,
        term_stats: TermStats | None = None,
        **_legacy: object,  # max_sentences / min_coverage of the first answerer: accepted, unused
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self.top_k = top_k
        self.min_evidence = min_evidence
        self.term_stats = term_stats
        self.reader = SpanReader(embedder)
        self.answerability = AnswerabilityCheck(embedder)
        self.contrast = ContrastCheck(embedder, term_stats)

    async def answer(self, question: Question) -> Answer:
        parts = split_question(retrieval_query(question))
        read: list[_Part] = []
        previous = next((t.text for t in reversed(question.history) if t.role == "user"), None)
        for i, part in enumerate(parts):
            if i:
                part = expand_follow_up(part, [Turn("user", parts[i - 1])])
            read.append(await self.read(part, question, asked=asked_frame(part, parts[i - 1] if i else previous)))
        if not any(p.passages for p in read):
            return Answer(text=NOT_FOUND + " The knowledge base has no matching documents.", grounded=False)
        answered = [p for p in read if p.reading.spans and p.reading.confidence >= self.min_evidence]
        if not answered:
            return self._not_found([x for p in read for x in p.passages])
        return self._compose(read)

    async def read(self, part: str, question: Question, *, asked: str | None = None) -> _Part:
        """Retrieve for one question part and score the spans of its top passages (``asked``: the
        text that sets the answer type, see :func:`bot.answering.followup.asked_frame`)."""
        passages = await self.retriever.retrieve(
            part, k=self.top_k, groups=question.asker.groups, sources=question.sources
        )
        top = passages[:READ_PASSAGES]
        candidates = [s for i, p in enumerate(top) for s in spans(p, i)]
        weights = discount_carried(await term_weights(part, self.term_stats), part)
        if not passages:
            return _Part(part, [], Reading([], 0.0, 0.0))
        qvec = (await self.embedder.embed([part]))[0]  # same text as retrieval: a cache hit
        reading = await self.reader.read(part, top, candidates, weights, qvec, asked=asked)
        await check_answerable(self.answerability, part, top, reading, contrast=self.contrast, weights=weights)
        return _Part(part, passages, reading)

    def _compose(self, parts: list[_Part]) -> Answer:
        numbers: dict[str, int] = {}  # one citation per document, however many of its spans are used
        citations: list[Citation] = []
        lines: list[str] = []
        used: set[str] = set()
        for part in parts:
            r = part.reading
            if not r.spans or r.confidence < self.min_evidence:
                lines.append(f'I couldn\'t find an answer to "{part.text.rstrip("?")}" in the knowledge base.')
                continue
            pieces: list[tuple[str, int]] = []
            chosen = choose_spans(r, used)
            used.update(s.text for s in chosen)
            for i, span in enumerate(chosen):
                p = part.passages[span.passage]
                if p.uri not in numbers:
                    numbers[p.uri] = len(numbers) + 1
                    citations.append(
                        Citation(
                            title=p.title,
                            uri=p.uri,
                            snippet=clip(span.text, 300),
                            score=round(span.score, 4),
                            indexed_at=p.indexed_at,
                        )
                    )
                text = _with_context(span, chosen[i - 1] if i else None)
                pieces.append((text, numbers[p.uri]))
            lines.append(_join(pieces))
        return Answer(text="\n".join(lines), grounded=True, citations=citations)

    def _not_found(self, passages: list[Passage]) -> Answer:
        seen: list[str] = []
        for p in passages[:3]:
            label = f"{p.title} ({p.uri})"
            if label not in seen:
                seen.append(label)
        text = NOT_FOUND
        if seen:
            text += " The closest documents were: " + "; ".join(seen) + "."
        return Answer(text=text, grounded=False)


async def check_answerable(
    check: AnswerabilityCheck,
    question: str,
    passages: list[Passage],
    reading: Reading,
    *,
    contrast: ContrastCheck | None = None,
    weights: dict[str, float] | None = None,
) -> None:
    """The best span must answer *this* question (:mod:`bot.answering.answerability`) and not name a
    rival of its constraint instead (:mod:`bot.answering.contrast`, given the question's term
    ``weights``): if it fails, a close runner-up that passes takes its place; if none does, the
    confidence drops."""
    if not reading.spans:
        return
    original = list(reading.spans)
    for span in original[:ANSWERABLE_CANDIDATES]:
        if span.score < original[0].score - ANSWERABLE_MARGIN:
            break
        reading.spans[:] = [span, *(s for s in original if s is not span)]
        p = passages[span.passage]
        body = f"{span.label} {span.context} {span.text} {p.title} {p.heading}"
        answer = " ".join(s.text for s in choose_spans(reading))
        if not (await check.check(question, body, answer)).answerable:
            continue
        if contrast is None or weights is None:
            return
        document = " ".join(f"{x.title} {x.heading} {x.text}" for x in passages if x.uri == p.uri)
        if not await contrast.check(question, weights, answer, f"{body} {document}"):
            return
    reading.spans[:] = original
    reading.confidence -= UNANSWERABLE_PENALTY


def choose_spans(reading: Reading, used: set[str] | frozenset[str] = frozenset()) -> list[Span]:
    """The best span (not already ``used`` by an earlier question part), the sentence it runs on
    into, and a separate span nearly as good."""
    fresh = [s for s in reading.spans if s.text not in used] or reading.spans
    best = fresh[0]
    chosen = [best]
    if best.kind == "sentence":
        prev = _previous_sentence(reading.candidates, best)
        nxt = _next_sentence(reading.candidates, best)
        if prev is not None and _CONTINUES.match(best.text):
            chosen.append(prev)  # "However, terms are renewed every two years." needs what it qualifies
        elif nxt is not None and _joins(best, nxt, reading):
            chosen.append(nxt)
    for other in fresh[1:3]:
        if other in chosen or other.score < best.score - SECOND_MARGIN or len(chosen) >= 2:
            continue
        if other.passage == best.passage and other.line == best.line:
            continue
        if any(other.text in c.text or c.text in other.text for c in chosen):
            continue  # a row already shown inside its table's lead-in list, or the same text twice
        chosen.append(other)
    return sorted(chosen, key=lambda s: (s.passage != best.passage, s.passage, s.line, s.order))


def _next_sentence(candidates: list[Span], span: Span) -> Span | None:
    """The sentence right after ``span`` in its passage (same paragraph or the next one)."""
    after = [
        c
        for c in candidates
        if c.passage == span.passage and c.kind == "sentence" and (c.line, c.order) > (span.line, span.order)
    ]
    nxt = min(after, key=lambda c: (c.line, c.order), default=None)
    if nxt is None or nxt.line > span.line + 1 or (nxt.line == span.line + 1 and nxt.order != 0):
        return None
    return nxt


def _previous_sentence(candidates: list[Span], span: Span) -> Span | None:
    """The sentence right before ``span`` in the same paragraph."""
    before = [c for c in candidates if c.passage == span.passage and c.kind == "sentence" and c.line == span.line]
    return max((c for c in before if c.order < span.order), key=lambda c: c.order, default=None)


def _joins(best: Span, nxt: Span, reading: Reading) -> bool:
    """The answer runs on into the next sentence: it scores nearly as well, it carries the answer
    type the best one lacks ("how much" -> "4 hours"), or it continues it ("This …", "It …")."""
    if nxt in reading.spans and nxt.score >= best.score - JOIN_MARGIN:
        return True
    wanted = reading.wanted
    if wanted is not None and wanted.fit(best.text, best.kind) < 1.0 <= wanted.fit(nxt.text, nxt.kind):
        return True
    if len(best.text.split()) <= SHORT_SENTENCE and nxt.line == best.line:
        return True  # "Lock your computer before leaving it." — a run-in lead, the how follows
    return bool(_CONTINUES.match(nxt.text)) and nxt.line == best.line


def _with_context(span: Span, previous: Span | None) -> str:
    """A table row or list item that cannot stand alone gets its heading ("Meals: …")."""
    label = span.label.rstrip(":")
    if span.kind in ("row", "item") and label and (previous is None or previous.label != span.label):
        if len(label) <= 60 and label.lower() not in span.text.lower():
            return f"{label}: {span.text}"
    return span.text


def _join(pieces: list[tuple[str, int]]) -> str:
    """Consecutive pieces from one source share one ``[n]`` marker."""
    out: list[str] = []
    for i, (text, number) in enumerate(pieces):
        last = i + 1 == len(pieces) or pieces[i + 1][1] != number
        out.append(f"{text} [{number}]" if last else text)
    return " ".join(out)
