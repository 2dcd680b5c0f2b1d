"""In-memory fakes for ingest tests: source repository, sink, checkpoints, a text parser."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import PurePath

from bot.admin.models import SyncRequest
from bot.errors import InputError, NotFoundError, UnsupportedFileType
from bot.models import Document, Section, Source, SourceStatus
from bot.ports import ParsedFile


class MemorySourceRepository:
    """``bot.ports.SourceRepository`` in memory (until tests use the admin helper's SQLite one)."""

    def __init__(self, sources: Sequence[Source] = ()) -> None:
        self.sources = {s.name: s for s in sources}
        self.statuses: dict[str, SourceStatus] = {}
        self.status_history: list[SourceStatus] = []
        self.sync_requests: list[SyncRequest] = []

    async def list_sources(self) -> list[Source]:
        return list(self.sources.values())

    async def get_source(self, name: str) -> Source:
        if name not in self.sources:
            raise NotFoundError(f"unknown source '{name}'")
        return self.sources[name]

    async def save_source(self, source: Source) -> None:
        self.sources[source.name] = source

    async def remove_source(self, name: str) -> None:
        self.sources.pop(name, None)

    async def get_status(self, name: str) -> SourceStatus:
        return copy.deepcopy(self.statuses.get(name) or SourceStatus(source=name))

    async def save_status(self, status: SourceStatus) -> None:
        self.statuses[status.source] = copy.deepcopy(status)
        self.status_history.append(copy.deepcopy(status))

    async def add_sync_request(self, request: SyncRequest) -> None:
        self.sync_requests.append(request)

    async def pending_sync_requests(self) -> list[SyncRequest]:
        return list(self.sync_requests)

    async def complete_sync_request(self, request_id: str) -> None:
        self.sync_requests = [r for r in self.sync_requests if r.id != request_id]


class InjectedCrash(BaseException):
    """A simulated kill: a BaseException, so no ``except Exception`` in the code under test stops it."""


class MemorySink:
    """``DocumentSink`` that keeps documents in a dict; ``crash_after`` simulates a killed worker."""

    chunks_embedded = 0  # no chunking here
    chunks_reused = 0

    def __init__(self, crash_after: int | None = None) -> None:
        self.docs: dict[tuple[str, str], Document] = {}
        self.upserts = 0
        self.crash_after = crash_after
        self.finished: list[str] = []  # sources whose sync run ended (``finish`` calls)

    async def known(self, source: str) -> dict[str, str]:
        return {d.id: d.content_hash for (s, _), d in self.docs.items() if s == source}

    async def upsert(self, documents: Sequence[Document]) -> None:
        for doc in documents:
            if self.crash_after is not None and self.upserts >= self.crash_after:
                raise InjectedCrash("injected crash")
            self.docs[(doc.source, doc.id)] = doc
            self.upserts += 1

    async def delete(self, source: str, doc_ids: Sequence[str]) -> None:
        for d in doc_ids:
            self.docs.pop((source, d), None)

    async def finish(self, source: str) -> str | None:
        self.finished.append(source)
        return None

    def snapshot(self, source: str) -> dict[str, tuple[str, str, str, tuple[str, ...]]]:
        docs = [d for (s, _), d in self.docs.items() if s == source]
        return {d.id: (d.title, d.uri, d.text, tuple(d.acl_groups)) for d in docs}


class MemoryCheckpoints:
    def __init__(self) -> None:
        self.saved: dict[str, dict | None] = {}
        self.saves = 0

    async def load_checkpoint(self, source: str) -> dict | None:
        return copy.deepcopy(self.saved.get(source))

    async def save_checkpoint(self, source: str, checkpoint: dict | None) -> None:
        self.saves += 1
        self.saved[source] = copy.deepcopy(checkpoint)


class TextParser:
    """``FileParser`` for .txt/.md bytes (fast, no unstructured); 'CORRUPT' content fails to parse."""

    SUPPORTED = {".txt", ".md", ".docx", ".pdf"}
    fingerprint = "text-parser"
    output_version = "text-parser-1"

    def __init__(self) -> None:
        self.parsed = 0

    def supports(self, filename: str) -> bool:
        return PurePath(filename).suffix.lower() in self.SUPPORTED

    async def parse(self, data: bytes, filename: str) -> ParsedFile:
        if not self.supports(filename):
            raise UnsupportedFileType(f"unsupported file type: {filename}")
        if data.startswith(b"CORRUPT"):
            raise InputError(f"{filename}: cannot be parsed (corrupt file)")
        self.parsed += 1
        text = data.decode("utf-8", errors="replace")
        return ParsedFile(title=PurePath(filename).stem, text=text, sections=[Section(heading="", text=text)])
