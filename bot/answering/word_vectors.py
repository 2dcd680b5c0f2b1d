"""Word vectors kept across questions (the same words recur), for the word-level synonym tests of
the reader, the answerability check and the contrast check. Each keeps its own instance, so words
are embedded in the same batches as when the thresholds were measured (a batch's make-up can shift
the int8 model's vectors slightly)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.ports import Embedder

WORD_CACHE = 20_000  # words kept; past this the cache starts again (memory bound)


class WordVectors:
    def __init__(self, embedder: Embedder, *, limit: int = WORD_CACHE) -> None:
        self.embedder = embedder
        self.limit = limit
        self._vectors: dict[str, np.ndarray] = {}

    async def embed(self, words: Sequence[str]) -> None:
        """Make sure every one of ``words`` has its vector (a full cache is emptied first: then all of
        ``words`` are embedded, not only the new ones)."""
        todo = [w for w in dict.fromkeys(words) if w not in self._vectors]
        if not todo:
            return
        if len(self._vectors) > self.limit:
            self._vectors.clear()
            todo = list(dict.fromkeys(words))
        self._vectors.update(zip(todo, await self.embedder.embed(todo), strict=True))

    def __getitem__(self, word: str) -> np.ndarray:
        return self._vectors[word]

    async def closest(self, term: str, vocab: Sequence[str]) -> float:
        """The highest cosine of ``term`` with a word of ``vocab`` (not empty)."""
        await self.embed([term, *vocab])
        vecs = np.stack([self._vectors[w] for w in vocab])
        return float((vecs @ self._vectors[term]).max())
