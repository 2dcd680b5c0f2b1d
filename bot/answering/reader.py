"""The reading stage: score candidate spans of the top passages against the question.

No package on PyPI ships cross-encoder or extractive-QA weights inside its wheel (see
docs/benchmarks.md), so this is an engineered scorer over what the embedded backend has:

* lexical — the IDF-weighted share of the question's terms the span states (its context —
  heading, lead-in, row label — counts at a discount), so "guest" picks the NW-Guest item over
  the NW-Corp one even when both mention the password;
* dense — MiniLM cosine of question and span (only for the best lexical candidates: latency);
* answer type — "how long" wants a duration, "when" a date, "who" an address, "what form" a
  form's name (:mod:`bot.answering.answer_types`);
* passage — the retrieval evidence of the span's passage.

``confidence`` (0..1) is what abstention is decided on: the best span's score blended with how
much of the question's information the top passages hold at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from bot.answering.answer_types import AnswerType, answer_type
from bot.answering.structure import Span
from bot.answering.word_vectors import WordVectors
from bot.models import Passage
from bot.ports import Embedder
from bot.text import compact, content_words, stem_key, words

DENSE_CANDIDATES = 16  # spans embedded per question part (the latency budget; 12 -> 16: docs/benchmarks.md)
TIE = 0.95  # terms this close to the top weight are all key terms ("keep my bicycle": keep, bicycle)
SYNONYM = 0.58  # word cosine at which a span word stands in for the key term ("bikes" for "bicycle")
MAX_WORDS = 40
MISSING_KEY_PENALTY = 0.5  # calibrated with bench/abstention.py (see docs/benchmarks.md)
EMBED_CHARS = 300  # of each span: ~70 word pieces keep the batch short
LOOSE = 0.5  # share of a term's weight for an abbreviation or "un-" form of it
ABBREVIATION = (3, 5)  # lengths of a question term that may abbreviate a span word ("org", "info")
_NEGATED = re.compile(r"\b(?:not|never|no|\w+n[’']t|didnt|dont|doesnt|havent|cant|wont|isnt|arent)\s+(\w+)", re.I)
TYPE_WEIGHT = 0.2  # a span without the asked-for kind of answer loses this (0.1 -> 0.2: docs/benchmarks.md)


class TermStats(Protocol):
    """Document frequencies of terms in the indexed chunks (the local store implements it)."""

    async def term_document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]: ...


@dataclass(slots=True)
class Reading:
    spans: list[Span]  # the shortlist, scored, best first
    confidence: float
    coverage: float  # IDF share of the question found anywhere in the top passages
    candidates: list[Span] = field(default_factory=list)  # every span, in reading order
    wanted: AnswerType | None = None  # the kind of answer the question asks for
    missing: float = 0.0  # weight share of the key term when the best span lacks it (in any words)


async def term_weights(question: str, stats: TermStats | None) -> dict[str, float]:
    terms = list(dict.fromkeys(content_words(question)))
    if not terms:
        return {}
    if stats is None:
        return {t: 1.0 for t in terms}
    total, dfs = await stats.term_document_frequencies(terms)
    return {t: max(0.1, math.log((total + 1) / (dfs.get(t, 0) + 0.5))) for t in terms}


def _matcher(text: str) -> tuple[set[str], set[str]]:
    """Stems of the text's content words, and its words and word pairs with punctuation removed
    ("wi-fi" -> "wifi", "401 (k)" -> "401k") — whole tokens, so "dress" does not match "address"."""
    tokens = [compact(w) for w in words(text)]
    pairs = (a + b for a, b in zip(tokens, tokens[1:], strict=False))
    return {stem_key(w) for w in content_words(text)}, {*tokens, *pairs}


def lexical(weights: dict[str, float], text: str, context: str = "", *, negated: frozenset[str] | None = None) -> float:
    """IDF share of the question's terms stated by ``text`` (context terms count half).

    With ``negated`` (span scoring), a term also counts — at half — when a span word abbreviates
    to it ("org" for "organizational") or, if the question negates it, says it with "un-"
    ("hours I didn't use" -> "unused hours").
    """
    total = sum(weights.values())
    if not total:
        return 0.0
    own, own_flat = _matcher(text)
    ctx, ctx_flat = _matcher(context)
    loose = negated is not None
    own_words, ctx_words = (set(content_words(text)), set(content_words(context))) if loose else (set(), set())
    found = 0.0
    for term, w in weights.items():
        key = stem_key(term)
        if key in own or (len(term) > 3 and compact(term) in own_flat):
            found += w
        elif key in ctx or (len(term) > 3 and compact(term) in ctx_flat):
            found += 0.5 * w
        elif loose and _loosely(term, own_words, negated or frozenset()):
            found += LOOSE * w
        elif loose and _loosely(term, ctx_words, negated or frozenset()):
            found += 0.5 * LOOSE * w
    return found / total


def negated_terms(question: str) -> frozenset[str]:
    """Words the question negates ("hours I didn't *use*", "not *paid*")."""
    return frozenset(m.group(1).lower() for m in _NEGATED.finditer(question))


def _loosely(term: str, span_words: set[str], negated: frozenset[str]) -> bool:
    if ABBREVIATION[0] <= len(term) <= ABBREVIATION[1] and any(
        w.startswith(term) and len(w) >= 2 * len(term) for w in span_words
    ):
        return True
    return term in negated and any(w.startswith("un" + term.rstrip("e")) for w in span_words)


def key_terms(weights: dict[str, float], text: str) -> list[str]:
    """The question's most informative terms (ties included) when ``text`` states none of them.

    "Does Northwind offer *pet* insurance?" read against the insurance policy: everything matches
    but the one word that makes the question specific — the typical unanswerable question.
    """
    if not weights:
        return []
    top = max(weights.values())
    tied = [t for t, w in weights.items() if w >= TIE * top]
    stems, flat = _matcher(text)
    if any(stem_key(t) in stems or (len(t) > 3 and compact(t) in flat) for t in tied):
        return []
    return tied


class SpanReader:
    def __init__(self, embedder: Embedder, *, dense_candidates: int = DENSE_CANDIDATES) -> None:
        self.embedder = embedder
        self.dense_candidates = dense_candidates
        self._words = WordVectors(embedder)

    async def read(
        self,
        question: str,
        passages: Sequence[Passage],
        candidates: list[Span],
        weights: dict[str, float],
        qvec: np.ndarray,
        *,
        asked: str | None = None,
    ) -> Reading:
        """``asked``: the text whose frame sets the answer type when it isn't the question's own
        (an elliptical follow-up: "and for poll workers?" after "how much leave …")."""
        coverage = max((lexical(weights, p.text, f"{p.title} {p.heading}") for p in passages[:3]), default=0.0)
        if not candidates:
            return Reading([], 0.0, coverage)
        wanted = answer_type(asked or question)
        negated = negated_terms(question)
        rank_prior = {i: 1.0 / (1 + 0.25 * i) for i in range(len(passages))}
        for s in candidates:
            p = passages[s.passage]
            s.lexical = lexical(weights, s.text, f"{s.context} {p.title} {p.heading}", negated=negated)
            s.score = 0.55 * s.lexical + 0.25 * (p.dense_score or 0.0) + 0.2 * rank_prior[s.passage]
        shortlist = sorted(candidates, key=lambda s: -s.score)[: self.dense_candidates]
        vecs = await self.embedder.embed([f"{s.label} {s.text}".strip()[:EMBED_CHARS] for s in shortlist])
        for s, cos in zip(shortlist, vecs @ qvec, strict=True):
            p = passages[s.passage]
            s.cosine = float(cos)
            fit = 1.0 if wanted is None else wanted.fit(s.text, s.kind)
            s.score = (
                0.40 * s.cosine
                + 0.35 * s.lexical
                + 0.10 * (p.dense_score or 0.0)
                + 0.05 * rank_prior[s.passage]
                + 0.10
                - TYPE_WEIGHT * (1.0 - fit)
            )
        shortlist.sort(key=lambda s: -s.score)
        best = shortlist[0]
        p = passages[best.passage]
        # the passage that answers counts however far down it ranks (not only the top three)
        coverage = max(coverage, lexical(weights, p.text, f"{p.title} {p.heading}"))
        body = f"{best.label} {best.context} {best.text} {p.title} {p.heading}"
        missing = 0.0
        terms = key_terms(weights, body)
        if terms and not any([await self._synonym_in(t, body) for t in terms]):
            missing = max(weights.values()) / sum(weights.values())
        confidence = 0.5 * best.score + 0.25 * coverage + 0.25 * best.cosine - MISSING_KEY_PENALTY * missing
        return Reading(shortlist, confidence, coverage, candidates, wanted, missing)

    async def _synonym_in(self, term: str, text: str) -> bool:
        """Does ``text`` say ``term`` in other words ("parents" for "fathers")? Word-level MiniLM cosine."""
        vocab = list(dict.fromkeys(content_words(text)))[:MAX_WORDS]
        return bool(vocab) and await self._words.closest(term, vocab) >= SYNONYM
