"""The first embedded answerer (sentence similarity only), kept as a baseline for ``kbot eval answers``.

Superseded by :mod:`bot.answering.extractive` (span reading + structure-aware composition).

It never writes new text: the answer is the retrieved sentences that best answer the question,
each followed by the ``[n]`` of its source. Sentences are scored by embedding similarity to the
question, by how many of the question's content words they (and their section heading) cover,
and by the strength of their passage.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.models import Answer, Citation, Passage, Question
from bot.ports import Embedder, Retriever
from bot.text import clip, compact, content_words, split_sentences, stem

STRONG_MATCH = 0.55  # sentence cosine at which a paraphrase is trusted without shared terms
NOT_FOUND = "I couldn't find this in the knowledge base."
_FOLLOW_UP = re.compile(r"\b(it|its|that|this|those|these|they|them|there|he|she|one)\b", re.I)


@dataclass(slots=True)
class _Candidate:
    sentence: str
    passage: int
    position: int
    score: float = 0.0
    cosine: float = 0.0


def retrieval_query(question: Question) -> str:
    """Fold the previous user turn into a short or pronoun-laden follow-up (no model needed)."""
    previous = [t.text for t in question.history if t.role == "user"]
    text = question.text.strip()
    if previous and (len(content_words(text)) <= 3 or _FOLLOW_UP.search(text)):
        return f"{previous[-1]} {text}"
    return text


class TermStats(Protocol):
    """Document frequencies of terms in the indexed chunks (the local store implements it)."""

    async def term_document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]: ...


async def idf_coverage(stats: TermStats, question: str, passages: Sequence[Passage]) -> float:
    """Share of the question's information (IDF-weighted content words) found in the best passage.

    Topic-similar passages that lack the question's specific terms ("holiday *party*", "dress
    code") score low: a strong sign that the knowledge base does not hold the answer.
    """
    terms = list(dict.fromkeys(content_words(question)))
    if not terms or not passages:
        return 0.0
    total, dfs = await stats.term_document_frequencies(terms)
    idf = {t: math.log((total + 1) / (dfs.get(t, 0) + 0.5)) for t in terms}
    weight = sum(idf.values()) or 1.0
    best = 0.0
    for p in passages:
        body = f"{p.title} {p.heading} {p.text}"
        stems = {stem(w) for w in content_words(body)}
        flat = compact(body)
        found = sum(idf[t] for t in terms if stem(t) in stems or compact(t) in flat)
        best = max(best, found / weight)
    return best


class LegacyExtractiveAnswerer:
    def __init__(
        self,
        retriever: Retriever,
        embedder: Embedder,
        *,
        top_k: int = 8,
        min_evidence: float = 0.35,
        min_coverage: float = 0.3,
        max_sentences: int = 3,
        term_stats: TermStats | None = None,
    ) -> None:
        self.term_stats = term_stats
        self.min_coverage = min_coverage
        self.retriever = retriever
        self.embedder = embedder
        self.top_k = top_k
        self.min_evidence = min_evidence
        self.max_sentences = max_sentences

    async def answer(self, question: Question) -> Answer:
        query = retrieval_query(question)
        passages = await self.retriever.retrieve(
            query, k=self.top_k, groups=question.asker.groups, sources=question.sources
        )
        if not passages:
            return Answer(text=NOT_FOUND + " The knowledge base has no matching documents.", grounded=False)
        candidates = self._candidates(passages[:5])
        if not candidates:
            return self._not_found(passages)
        qvec = (await self.embedder.embed([query]))[0]  # same text as retrieval: a cache hit
        svecs = await self.embedder.embed([c.sentence for c in candidates])
        cosines = svecs @ qvec
        qwords = set(content_words(question.text)) or set(content_words(query))
        for cand, cos in zip(candidates, cosines, strict=True):
            p = passages[cand.passage]
            covered = qwords & set(content_words(f"{p.title} {p.heading} {cand.sentence}"))
            coverage = len(covered) / len(qwords) if qwords else 0.0
            cand.cosine = float(cos)
            cand.score = 0.55 * cand.cosine + 0.25 * coverage + 0.20 * (p.dense_score or 0.0) + 0.05 * p.score
        best = max(candidates, key=lambda c: c.score)
        evidence = max(best.cosine, max((p.dense_score or 0.0) for p in passages[:3]))
        if evidence < self.min_evidence or best.score < self.min_evidence:
            return self._not_found(passages)
        if self.term_stats is not None and best.cosine < STRONG_MATCH:
            # Moderate semantic match: require the question's specific terms to be present.
            coverage = await idf_coverage(self.term_stats, question.text, passages[:3])
            if coverage < self.min_coverage:
                return self._not_found(passages)
        chosen = self._choose(candidates, svecs, best.score)
        return self._compose(chosen, passages)

    def _candidates(self, passages: list[Passage]) -> list[_Candidate]:
        out = []
        for i, p in enumerate(passages):
            for j, sent in enumerate(split_sentences(p.text)):
                if len(sent) >= 20 and len(sent.split()) >= 4:
                    out.append(_Candidate(sentence=clip(sent, 400), passage=i, position=j))
        return out

    def _choose(self, candidates: list[_Candidate], vectors: np.ndarray, best: float) -> list[_Candidate]:
        order = sorted(range(len(candidates)), key=lambda i: -candidates[i].score)
        chosen: list[int] = []
        for i in order:
            if len(chosen) >= self.max_sentences or candidates[i].score < best - 0.08:
                break
            other_doc = chosen and candidates[i].passage != candidates[chosen[0]].passage
            if other_doc and candidates[i].score < best - 0.04:
                continue  # a second source must be nearly as good as the best one
            if any(float(vectors[i] @ vectors[j]) > 0.9 for j in chosen):
                continue
            chosen.append(i)
        # Passages in order of their best sentence; within a passage, in reading order.
        picked = [candidates[i] for i in chosen]
        rank = {c.passage: -max(x.score for x in picked if x.passage == c.passage) for c in picked}
        return sorted(picked, key=lambda c: (rank[c.passage], c.passage, c.position))

    def _compose(self, chosen: list[_Candidate], passages: list[Passage]) -> Answer:
        numbers: dict[str, int] = {}  # one citation per document, however many of its chunks are used
        parts: list[str] = []
        citations: list[Citation] = []
        for cand in chosen:
            p = passages[cand.passage]
            if p.uri not in numbers:
                numbers[p.uri] = len(numbers) + 1
                citations.append(
                    Citation(title=p.title, uri=p.uri, snippet=_snippet(p.text, cand.sentence),
                             score=round(cand.score, 4), indexed_at=p.indexed_at)
                )
            sentence = cand.sentence.lstrip("-*• ").strip()
            parts.append(f"{sentence} [{numbers[p.uri]}]")
        return Answer(text=" ".join(parts), grounded=True, citations=citations)

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


def _snippet(text: str, sentence: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    at = flat.find(sentence[:60])
    if at <= 0:
        return clip(flat, limit)
    start = max(0, at - 60)
    return ("…" if start else "") + clip(flat[start:], limit)
