"""Verified answers first: an answerer decorator every front end gets through ``AskService``.

A verified answer matching the question (the same retrieval, restricted to the ``verified`` source and
the asker's groups, then a similarity floor on the saved question) is shown first, marked "Verified by
@dana on 12 Mar 2027", with its own citation; the wrapped answerer's answer follows, its citation
numbers shifted. Past its review date a verified answer is not shown first (it stays an ordinary
document of the ``verified`` source).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import numpy as np

from bot.models import Answer, Citation, Question
from bot.ports import AnswerDelta, Answerer, Embedder, Retriever, StreamingAnswerer
from bot.verified.models import SOURCE, VerifiedAnswer
from bot.verified.ports import VerifiedRepository

log = logging.getLogger(__name__)
_REF = re.compile(r"\[(\d+)\]")


@dataclass(slots=True)
class Match:
    answer: VerifiedAnswer
    similarity: float


class VerifiedMatcher:
    def __init__(
        self,
        retriever: Callable[[], Retriever],
        repo: VerifiedRepository,
        *,
        embedder: Callable[[], Embedder | None] = lambda: None,
        min_similarity: float = 0.6,
        candidates: int = 5,
    ) -> None:
        """``retriever``/``embedder`` are built on first need (no model loads while no answer is saved).
        ``embedder``: compare the question with each candidate's saved question (embedded backend);
        without one the retriever's own score is the similarity (Bedrock)."""
        self.retriever = retriever
        self.repo = repo
        self.embedder = embedder
        self.min_similarity = min_similarity
        self.candidates = candidates

    async def match(self, question: Question) -> Match | None:
        if question.sources is not None and SOURCE not in question.sources:
            return None  # the channel is scoped to other sources
        if not await self.repo.list_verified():
            return None
        groups = question.asker.groups
        passages = await self.retriever().retrieve(question.text, k=self.candidates, groups=groups, sources=[SOURCE])
        found: dict[str, tuple[VerifiedAnswer, float]] = {}
        for passage in passages:
            if passage.source != SOURCE or passage.doc_id in found:
                continue
            saved = await self.repo.get_verified(passage.doc_id)
            if saved is None or saved.needs_review():
                continue
            if groups is not None and saved.audience and not set(saved.audience) & set(groups):
                continue  # the store's ACL filter already did this; never show it to the wrong people
            score = passage.dense_score if passage.dense_score is not None else passage.score
            found[passage.doc_id] = (saved, score)
        if not found:
            return None
        embedder = self.embedder()
        if embedder is not None:
            items = list(found.values())
            vectors = await embedder.embed([question.text] + [a.question for a, _ in items])
            sims = vectors[1:] @ vectors[0]
            found = {a.id: (a, float(s)) for (a, _), s in zip(items, np.asarray(sims), strict=True)}
        best, similarity = max(found.values(), key=lambda item: item[1])
        if similarity < self.min_similarity:
            log.debug("verified answer %s below the floor (%.2f)", best.id, similarity)
            return None
        return Match(best, similarity)


def verified_part(match: Match) -> str:
    saved = match.answer
    return f"✅ **{saved.marker()}**\n{saved.answer} [1]"


def combine(match: Match, answer: Answer) -> Answer:
    """The verified answer as citation [1], then the other answer with its citations renumbered."""
    saved = match.answer
    first = Citation(
        f"Verified answer: {saved.question}",
        saved.link or saved.uri,
        saved.answer[:300],
        match.similarity,
        saved.created,
    )
    citations = [first]
    numbers: dict[int, int] = {}
    for old, citation in enumerate(answer.citations, 1):
        if citation.uri in (saved.uri, saved.link):
            numbers[old] = 1
            continue
        citations.append(citation)
        numbers[old] = len(citations)
    parts = [verified_part(match)]
    if answer.grounded and answer.text.strip():
        rest = _REF.sub(lambda m: f"[{numbers.get(int(m.group(1)), int(m.group(1)))}]", answer.text)
        parts.append(f"**From the documents:**\n{rest}")
    else:
        citations = [first]
    return Answer("\n\n".join(parts), True, citations, usage=answer.usage, session_id=answer.session_id)


class VerifiedFirst:
    """Answerer decorator: the matching verified answer first, then the wrapped answer."""

    def __init__(self, inner: Answerer, matcher: VerifiedMatcher) -> None:
        self.inner = inner
        self.matcher = matcher

    async def _match(self, question: Question) -> Match | None:
        try:
            return await self.matcher.match(question)
        except Exception:  # noqa: BLE001 - documents still answer if the verified lookup fails
            log.warning("verified answer lookup failed", exc_info=True)
            return None

    async def answer(self, question: Question) -> Answer:
        match = await self._match(question)
        answer = await self.inner.answer(question)
        return answer if match is None else combine(match, answer)


class StreamingVerifiedFirst(VerifiedFirst):
    inner: StreamingAnswerer

    async def stream(self, question: Question) -> AsyncIterator[AnswerDelta | Answer]:
        match = await self._match(question)
        if match is not None:
            yield AnswerDelta(verified_part(match) + "\n\n")
        async for item in self.inner.stream(question):
            if isinstance(item, Answer):
                yield item if match is None else combine(match, item)
            else:
                yield item


def verified_first(inner: Answerer, matcher: VerifiedMatcher) -> Answerer:
    if isinstance(inner, StreamingAnswerer):
        return StreamingVerifiedFirst(inner, matcher)
    return VerifiedFirst(inner, matcher)
