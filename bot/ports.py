"""Ports: the Protocols the core depends on. Adapters implement them; wiring plugs them in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from bot.models import (
    Answer,
    Conversation,
    Document,
    Feedback,
    IndexOutcome,
    Passage,
    Question,
    Source,
    SourceStatus,
    Summary,
)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (shape ``(len(texts), dim)``)."""

    model_id: str
    dim: int

    async def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class Retriever(Protocol):
    async def retrieve(
        self,
        query: str,
        *,
        k: int = 8,
        groups: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[Passage]:
        """Best passages for ``query``, limited to documents readable by ``groups``
        (``None`` = unrestricted) and to ``sources`` (``None`` = all enabled sources)."""
        ...


@dataclass(slots=True)
class AnswerDelta:
    """A piece of answer text as it is generated (streaming backends)."""

    text: str


@runtime_checkable
class Answerer(Protocol):
    async def answer(self, question: Question) -> Answer: ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    def stream(self, question: Question) -> AsyncIterator[AnswerDelta | Answer]:
        """Yield text deltas as they arrive, then the final :class:`Answer` (always last)."""
        ...


@runtime_checkable
class Summarizer(Protocol):
    async def summarize(self, conversation: Conversation) -> Summary: ...


@dataclass(slots=True)
class ParsedFile:
    title: str
    text: str
    sections: list  # list[bot.models.Section]


@runtime_checkable
class FileParser(Protocol):
    """Parses file bytes into titled sections. Raises InputError/UnsupportedFileType.

    ``fingerprint`` names the parser's version and limits: a file that failed to parse is not parsed
    again until its content or the fingerprint changes (raised limits retry it). ``output_version``
    changes when what the parser makes of a file changes: it is part of the stored hash, so an index
    built by an older parser is re-parsed on the next sync, unchanged files included."""

    fingerprint: str
    output_version: str

    def supports(self, filename: str) -> bool: ...

    async def parse(self, data: bytes, filename: str) -> ParsedFile: ...


@runtime_checkable
class DocumentSink(Protocol):
    """Where ingested documents go: the local store or a Bedrock Knowledge Base."""

    chunks_embedded: int  # work counters of this run (0 when the backend embeds by itself)
    chunks_reused: int

    async def known(self, source: str) -> dict[str, str]:
        """Map of document id -> content hash already stored for ``source``."""
        ...

    async def upsert(self, documents: Sequence[Document]) -> None: ...

    async def delete(self, source: str, doc_ids: Sequence[str]) -> None: ...

    async def finish(self, source: str) -> IndexOutcome | None:
        """After a sync run of ``source``: the Bedrock KB sink runs (or defers) its ingestion job and
        returns its outcome, failed documents included; the local store has nothing left (``None``)."""
        ...


@runtime_checkable
class SourceCatalog(Protocol):
    """The local store's record of each source it holds (kind and location, for ``kbot sources``)."""

    async def ensure_source(self, name: str, kind: str, location: str | None = None) -> None: ...

    async def source_location(self, name: str) -> str | None: ...

    async def delete_source(self, name: str) -> int:
        """Drop the source and all its documents; returns how many documents were removed."""
        ...


@runtime_checkable
class FeedbackRecorder(Protocol):
    async def record_feedback(self, feedback: Feedback) -> None: ...


@runtime_checkable
class SourceRepository(Protocol):
    """Configured knowledge sources and their sync status (SQLite locally, DynamoDB on AWS)."""

    async def list_sources(self) -> list[Source]: ...

    async def get_source(self, name: str) -> Source:
        """Raises NotFoundError for an unknown name."""
        ...

    async def save_source(self, source: Source) -> None: ...

    async def remove_source(self, name: str) -> None: ...

    async def get_status(self, name: str) -> SourceStatus: ...

    async def save_status(self, status: SourceStatus) -> None: ...


@runtime_checkable
class CheckpointStore(Protocol):
    """Connector checkpoints, persisted after every batch so a crash resumes where it stopped."""

    async def load_checkpoint(self, source: str) -> dict | None: ...

    async def save_checkpoint(self, source: str, checkpoint: dict | None) -> None: ...
