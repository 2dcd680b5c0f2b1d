"""DocumentSink for the local store: chunk, reuse cached embeddings, embed the rest, write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from bot.models import Chunk, Document, IndexOutcome
from bot.ports import Embedder
from ingest.chunking import chunk_document, chunk_hash, embedding_text


class ChunkStore(Protocol):
    async def known(self, source: str) -> dict[str, str]: ...

    async def cached_vectors(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]: ...

    async def write_documents(
        self, items: Sequence[tuple[Document, Sequence[Chunk], Sequence[str]]],
        vectors: dict[str, np.ndarray], model_id: str,
    ) -> None: ...

    async def delete(self, source: str, doc_ids: Sequence[str]) -> None: ...

    async def failed_parses(self, source: str) -> dict[str, tuple[str, str]]:
        """doc id -> (content hash + parser limits, reason) of files that failed to parse."""
        ...

    async def record_parse_failures(
        self, source: str, failed: dict[str, tuple[str, str]], cleared: Sequence[str]
    ) -> None: ...


class LocalStoreSink:
    def __init__(self, store: ChunkStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self.chunks_embedded = 0  # work counters, printed by the CLI
        self.chunks_reused = 0

    async def known(self, source: str) -> dict[str, str]:
        return await self.store.known(source)

    async def upsert(self, documents: Sequence[Document]) -> None:
        items = []
        texts: dict[str, str] = {}
        for doc in documents:
            chunks = chunk_document(doc)
            hashes = [chunk_hash(doc.title, c.heading, c.text) for c in chunks]
            items.append((doc, chunks, hashes))
            for c, h in zip(chunks, hashes, strict=True):
                texts[h] = embedding_text(doc.title, c.heading, c.text)
        cached = await self.store.cached_vectors(self.embedder.model_id, list(texts))
        missing = [h for h in texts if h not in cached]
        vectors = dict(cached)
        if missing:
            embedded = await self.embedder.embed([texts[h] for h in missing])
            vectors.update(zip(missing, embedded, strict=True))
        self.chunks_embedded += len(missing)
        self.chunks_reused += len(texts) - len(missing)
        new_vectors = {h: vectors[h] for h in missing}
        await self.store.write_documents(items, new_vectors, self.embedder.model_id)

    async def delete(self, source: str, doc_ids: Sequence[str]) -> None:
        await self.store.delete(source, doc_ids)

    async def finish(self, source: str) -> IndexOutcome | None:
        """Nothing to do: every upsert was written (and embedded) already."""
        return None

    # FailureMemory (ingest.pipeline): the local store remembers failed parses by content hash
    async def failed_parses(self, source: str) -> dict[str, tuple[str, str]]:
        return await self.store.failed_parses(source)

    async def record_parse_failures(
        self, source: str, failed: dict[str, tuple[str, str]], cleared: Sequence[str]
    ) -> None:
        await self.store.record_parse_failures(source, failed, cleared)
