"""Fakes for tests: small, deterministic, real behaviour (no mocks)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")

# Fair-use windows are fixed slices of the wall clock (bot/fair_use.py: a new count every
# ``window_seconds``, 60 by default). A test that counts questions on the real clock fails whenever a
# slice ends between its questions (at hh:mm:00 for the default); with one slice of 10^10 s none ends
# before the year 2286. The rollover itself is tested on a fake clock (tests/state/test_state_contract.py).
ONE_FAIR_USE_WINDOW = 10**10


class HashEmbedder:
    """Bag-of-words hashed into a fixed vector, L2-normalised.

    Texts sharing words get positive cosine similarity, so retrieval and ranking logic behave
    sensibly, at microseconds per text. ``calls``/``texts_embedded`` let tests assert caching.
    """

    model_id = "hash-embedder-v1"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls = 0
        self.texts_embedded = 0

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
            norm = np.linalg.norm(out[i])
            if norm > 0:
                out[i] /= norm
        return out
