"""Hybrid retrieval: BM25 (FTS5) and dense cosine, fused with reciprocal-rank fusion."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np

from bot.models import Passage
from bot.ports import Embedder

Mode = Literal["hybrid", "bm25", "dense"]
RRF_K = 60


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


class HybridRetriever:
    """``Passage.score`` is the fused score scaled to 0..1 (1 = first in every ranking)."""

    def __init__(self, index: SearchIndex, embedder: Embedder, *, mode: Mode = "hybrid", depth: int = 50) -> None:
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.depth = depth

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
        rankings = [[c for c, _ in r] for r in (bm25, dense_hits) if r]
        fused = rrf(rankings)
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        found = await self.index.passages([c for c, _ in best])
        cosines = dict(dense_hits)
        top = len(rankings) / (RRF_K + 1) if rankings else 1.0
        out = []
        for cid, score in best:
            passage = found.get(cid)
            if passage is not None:
                passage.score = score / top
                passage.dense_score = cosines.get(cid)
                out.append(passage)
        return out


