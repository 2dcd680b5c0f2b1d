"""Hybrid retrieval: BM25 (FTS5) and dense cosine, fused by their scores (or by rank, RRF).

Score fusion is the default: each leg's score is scaled to 0..1 over its own top ``depth`` (BM25 by
its best score, cosine from the list's lowest to its best) and the two are averaged. Unlike RRF it
keeps the margins — a passage the dense leg rates far above the rest is not outranked by one that
merely sits a few places down both lists (measured in docs/benchmarks.md, "Third pass").
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np

from bot.models import Passage
from bot.ports import Embedder

Mode = Literal["hybrid", "bm25", "dense"]
Fusion = Literal["score", "rrf"]
RRF_K = 60
DENSE_WEIGHT = 0.5  # share of the cosine leg in score fusion (0.4-0.6 measured; 0.5 best on both sets)


class SearchIndex(Protocol):
    """What the local store offers retrieval (implemented by ``adapters.store.SqliteStore``)."""

    async def search_bm25(
        self, query: str, *, k: int, groups: Sequence[str] | None = None, sources: Sequence[str] | None = None
    ) -> list[tuple[int, float]]: ...

    async def search_dense(
        self, vector: np.ndarray, model_id: str, *, k: int,
        groups: Sequence[str] | None = None, sources: Sequence[str] | None = None,
    ) -> list[tuple[int, float]]: ...

    async def passages(self, chunk_ids: Sequence[int]) -> dict[int, Passage]: ...


def rrf(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank + 1)
    return fused


def score_fusion(
    bm25: Sequence[tuple[int, float]], dense: Sequence[tuple[int, float]], dense_weight: float = DENSE_WEIGHT
) -> dict[int, float]:
    """Weighted mean of the legs' scores, each scaled to 0..1 over its own list (a passage missing
    from a list scores 0 there); 1.0 = best in both. With one leg empty, that leg's weight is 0."""
    legs = [(1.0 - dense_weight, _scaled(bm25, floor=0.0)), (dense_weight, _scaled(dense))]
    legs = [(w, scores) for w, scores in legs if scores]
    total = sum(w for w, _ in legs) or 1.0
    fused: dict[int, float] = {}
    for w, scores in legs:
        for item, s in scores.items():
            fused[item] = fused.get(item, 0.0) + w / total * s
    return fused


def _scaled(hits: Sequence[tuple[int, float]], floor: float | None = None) -> dict[int, float]:
    """Scores mapped to 0..1: from ``floor`` (default: the list's lowest) to the list's best."""
    if not hits:
        return {}
    values = [s for _, s in hits]
    hi, lo = max(values), min(values) if floor is None else floor
    span = hi - lo
    return {item: (s - lo) / span if span > 0 else 1.0 for item, s in hits}


class HybridRetriever:
    """``Passage.score`` is the fused score scaled to 0..1 (1 = first in every ranking)."""

    def __init__(
        self,
        index: SearchIndex,
        embedder: Embedder,
        *,
        mode: Mode = "hybrid",
        depth: int = 50,
        fusion: Fusion = "score",
        dense_weight: float = DENSE_WEIGHT,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.depth = depth
        self.fusion = fusion
        self.dense_weight = dense_weight

    async def retrieve(
        self,
        query: str,
        *,
        k: int = 8,
        groups: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[Passage]:
        depth = max(self.depth, k)

        async def dense() -> list[tuple[int, float]]:
            if self.mode not in ("hybrid", "dense"):
                return []
            vec = (await self.embedder.embed([query]))[0]
            return await self.index.search_dense(
                vec, self.embedder.model_id, k=depth, groups=groups, sources=sources
            )

        async def lexical() -> list[tuple[int, float]]:
            if self.mode not in ("hybrid", "bm25"):
                return []
            return await self.index.search_bm25(query, k=depth, groups=groups, sources=sources)

        # The query embedding and the FTS5 search run concurrently (both release the GIL).
        bm25, dense_hits = await asyncio.gather(lexical(), dense())
        if self.fusion == "rrf":
            rankings = [[c for c, _ in r] for r in (bm25, dense_hits) if r]
            fused = rrf(rankings)
            top = len(rankings) / (RRF_K + 1) if rankings else 1.0
        else:
            fused, top = score_fusion(bm25, dense_hits, self.dense_weight), 1.0
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        found = await self.index.passages([c for c, _ in best])
        cosines = dict(dense_hits)
        out = []
        for cid, score in best:
            passage = found.get(cid)
            if passage is not None:
                passage.score = score / top
                passage.dense_score = cosines.get(cid)
                out.append(passage)
        return out


