"""In-memory matrix of chunk embeddings for brute-force cosine search.

Rebuilt lazily when this connection wrote, or when another process committed
(``PRAGMA data_version`` changes). 100k × 384 float32 is ~150 MB and a matrix-vector
product over it takes a few milliseconds — simpler and as fast as an ANN index at this scale.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np


class VectorIndex:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._key: tuple[str, int] | None = None
        self._chunk_ids = np.zeros(0, dtype=np.int64)
        self._doc_pks = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def invalidate(self) -> None:
        self._key = None

    def _load(self, model_id: str) -> None:
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if self._key == (model_id, version):
            return
        rows = self._conn.execute(
            "SELECT c.id, c.doc_pk, e.vector FROM chunks c JOIN embeddings e"
            " ON e.text_hash = c.text_hash AND e.model_id = ? ORDER BY c.id",
            (model_id,),
        ).fetchall()
        self._chunk_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self._doc_pks = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        self._matrix = (
            np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), -1)
            if rows
            else np.zeros((0, 0), dtype=np.float32)
        )
        self._key = (model_id, version)

    def search(
        self, vector: np.ndarray, model_id: str, *, k: int, allowed_docs: Sequence[int] | None
    ) -> list[tuple[int, float]]:
        self._load(model_id)
        if self._matrix.shape[0] == 0:
            return []
        scores = self._matrix @ np.asarray(vector, dtype=np.float32)
        if allowed_docs is not None:
            mask = np.isin(self._doc_pks, np.asarray(allowed_docs, dtype=np.int64))
            scores = np.where(mask, scores, -np.inf)
        k = min(k, scores.shape[0])
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(self._chunk_ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]
