"""The embedded summarizer: extractive ranking + cue detection, map-reduce over windows.

Map: each window of units is embedded in one call; its best sentences (centrality + coverage)
become candidates and cue sentences (decisions, action items, questions) are collected into
bounded top-k lists. Reduce: candidates are re-ranked against the centroid of the whole thread.
Memory depends on the window size and the caps, not on the thread length.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np

from bot.models import ActionItem, Conversation, Summary, SummaryItem
from bot.ports import Embedder
from bot.summarizing import cues
from bot.summarizing.questions import QuestionTracker
from bot.summarizing.ranking import centrality, length_prior, select
from bot.summarizing.rewrite import strip_lead, third_person
from bot.summarizing.units import InputStats, TopK, Unit, iter_units, windows


class ExtractiveSummarizer:
    def __init__(
        self,
        embedder: Embedder,
        *,
        window: int = 256,
        per_window: int = 8,
        max_candidates: int = 64,
        tldr_sentences: int = 3,
        email_tldr_sentences: int = 1,
        tldr_max_words: int = 45,
        email_thread_max_words: int = 75,
        tldr_min_words: int = 4,
        key_points: int = 5,
        max_items: int = 8,
        length_weight: float = 0.6,
        ideal_words: int = 12,
        position_weight: float = 1.0,
        second_person: bool = True,
    ) -> None:
        self.embedder = embedder
        self.window = window
        self.per_window = per_window
        self.max_candidates = max_candidates
        self.tldr_sentences = tldr_sentences
        self.email_tldr_sentences = email_tldr_sentences
        self.tldr_max_words = tldr_max_words
        self.email_thread_max_words = email_thread_max_words
        self.tldr_min_words = tldr_min_words
        self.position_weight = position_weight
        self.key_points = key_points
        self.max_items = max_items
        self.length_weight = length_weight
        self.ideal_words = ideal_words
        self.second_person = second_person

    async def summarize(self, conversation: Conversation) -> Summary:
        stats = InputStats()
        run = _Run(self, conversation)
        for batch in windows(iter_units(conversation, stats), self.window):
            vectors = np.asarray(await self.embedder.embed([u.text for u in batch]), dtype=np.float32)
            await asyncio.to_thread(run.map_window, batch, vectors)  # CPU work off the event loop
        stats.raise_if_empty()
        return run.reduce(third_person_names=conversation.kind == "chat" or len(stats.authors) > 1)


def _base_scores(
    cfg: ExtractiveSummarizer, vectors: np.ndarray, centroid: np.ndarray, units: list[Unit], email: bool
) -> np.ndarray:
    """Centrality + a length prior; in email the opening sentences of a message carry its point."""
    scores = centrality(vectors, centroid) + cfg.length_weight * length_prior([u.words for u in units], cfg.ideal_words)
    if email:
        scores += cfg.position_weight * np.array([1.0 / (1 + u.position) for u in units], dtype=np.float32)
    return scores


class _Run:
    """State of one summarization: running centroid, candidates and bounded cue lists."""

    def __init__(self, cfg: ExtractiveSummarizer, conversation: Conversation) -> None:
        self.cfg = cfg
        self.email = conversation.kind == "email"
        self.centroid_sum: np.ndarray | None = None
        self.candidates: list[tuple[Unit, np.ndarray]] = []
        self.decisions: TopK[Unit] = TopK(cfg.max_items)
        self.actions: TopK[ActionItem] = TopK(cfg.max_items)
        self.questions = QuestionTracker(cfg.max_items)
        self.participants: list[str] = []

    def map_window(self, batch: list[Unit], vectors: np.ndarray) -> None:
        window_sum = vectors.sum(axis=0)
        self.centroid_sum = window_sum if self.centroid_sum is None else self.centroid_sum + window_sum
        local = _base_scores(self.cfg, vectors, window_sum, batch, self.email)
        for idx in select(vectors, local, self.cfg.per_window):
            self.candidates.append((batch[idx], vectors[idx].copy()))  # a view would pin the window
        if len(self.candidates) > self.cfg.max_candidates:
            self._prune()
        for unit, vector, score in zip(batch, vectors, local, strict=True):
            self._detect(unit, vector, float(score))

    def _prune(self) -> None:
        assert self.centroid_sum is not None
        vecs = np.stack([v for _, v in self.candidates])
        scores = _base_scores(self.cfg, vecs, self.centroid_sum, [u for u, _ in self.candidates], self.email)
        keep = sorted(np.argsort(-scores)[: self.cfg.max_candidates // 2].tolist())
        self.candidates = [self.candidates[i] for i in keep]

    def _detect(self, unit: Unit, vector: np.ndarray, score: float) -> None:
        if unit.author not in self.participants:
            self.participants.append(unit.author)
        cue = cues.action_cue(unit.text)
        self.questions.observe(unit, vector, score, is_request=cue is not None)
        if cues.is_decision(unit.text):
            self.decisions.push(score, unit)
        if cue:
            owner = unit.author if not cue.addressed else cue.mention or self._addressee(unit)
            self.actions.push(score, ActionItem(owner=owner, task=cue.task, due=cue.due, link=unit.link))

    def _addressee(self, unit: Unit) -> str | None:
        """The person spoken to: the only other participant of a chat (unknown in email)."""
        if self.email:
            return None
        others = [p for p in self.participants if p != unit.author]
        return others[0] if len(others) == 1 else None

    def reduce(self, *, third_person_names: bool) -> Summary:
        assert self.centroid_sum is not None
        units = [u for u, _ in self.candidates]
        vecs = np.stack([v for _, v in self.candidates])
        scores = _base_scores(self.cfg, vecs, self.centroid_sum, units, self.email)
        single_email = self.email and len({u.message for u in units}) == 1
        n_tldr = self.cfg.email_tldr_sentences if single_email else self.cfg.tldr_sentences
        # Email sentences run long: an email thread gets a larger word budget for its 3 sentences.
        max_words = self.cfg.email_thread_max_words if self.email else self.cfg.tldr_max_words
        order = select(vecs, scores, max(self.cfg.key_points, n_tldr + 2))

        def render(unit: Unit) -> str:
            if not third_person_names:
                return strip_lead(unit.text)
            return third_person(unit.text, unit.author, self._addressee(unit) if self.cfg.second_person else None)

        def quote(unit: Unit) -> str:
            return f"{unit.author}: {unit.text}" if third_person_names else unit.text

        # The best n_tldr sentences within the word budget; more only while the tldr is too short.
        tldr_units: list[Unit] = []
        for rank, idx in enumerate(order):
            words = sum(u.words for u in tldr_units)
            over_budget = words + units[idx].words > max_words
            long_enough = rank >= n_tldr and words >= self.cfg.tldr_min_words
            if tldr_units and (over_budget or long_enough):
                break
            tldr_units.append(units[idx])
        tldr_units.sort(key=lambda u: (u.message, u.position))
        key_units = sorted((units[i] for i in order[: self.cfg.key_points]), key=lambda u: (u.message, u.position))
        return Summary(
            tldr=" ".join(render(u) for u in tldr_units),
            key_points=[_item(u, quote) for u in key_units],
            decisions=[_item(u, quote) for u in self.decisions.in_order()],
            action_items=_dedupe(self.actions.in_order()),
            open_questions=[_item(u, quote) for u in self.questions.open_questions()],
        )


def _item(unit: Unit, render: Callable[[Unit], str]) -> SummaryItem:
    return SummaryItem(text=render(unit), link=unit.link, author=unit.author)


def _dedupe(items: list[ActionItem]) -> list[ActionItem]:
    seen: set[tuple[str | None, str]] = set()
    out = []
    for item in items:
        key = (item.owner, item.task.lower())
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
