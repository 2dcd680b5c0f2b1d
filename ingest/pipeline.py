"""The ingest pipeline: connector batches → change detection → parse → sink, checkpointed.

Per batch: documents whose content hash is already stored are skipped (no parsing, no
embedding), the rest are parsed and upserted, deletions applied, and only then is the
checkpoint saved (the JSON of the connector's checkpoint model). A crash therefore replays at
most one batch, and replay is idempotent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.errors import InputError
from bot.models import Document, Section, content_hash
from bot.ports import CheckpointStore, DocumentSink, FileParser
from ingest.interfaces import Connector, ConnectorBatch, DocumentFailure, RawDocument

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SyncReport:
    source: str
    seen: int = 0
    parsed: int = 0
    unchanged: int = 0
    upserted: int = 0
    deleted: int = 0
    batches: int = 0
    failures: list[DocumentFailure] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.source}: {self.seen} seen, {self.parsed} parsed, {self.unchanged} unchanged, "
            f"{self.upserted} upserted, {self.deleted} deleted, {len(self.failures)} failed"
        )


@runtime_checkable
class FailureMemory(Protocol):
    """Parse failures by content hash, so a file that failed is not parsed again until it changes."""

    async def failed_parses(self, source: str) -> dict[str, tuple[str, str]]: ...  # id -> (hash, reason)

    async def record_parse_failures(
        self, source: str, failed: dict[str, tuple[str, str]], cleared: Sequence[str]
    ) -> None: ...


def raw_hash(raw: RawDocument, parser_output: str = "") -> str:
    body = raw.content if raw.content is not None else (raw.text or "").encode()
    # Title and ACLs are part of what is indexed: a permission change must re-index; so is the
    # parser's output version for files (text pages never reach the parser: an upgrade leaves them).
    parser_output = parser_output if raw.content is not None else ""
    meta = f"{raw.title}\x00{raw.uri}\x00{','.join(sorted(raw.acl_groups))}\x00{parser_output}".encode()
    return content_hash(meta + b"\x00" + body)


class IngestPipeline:
    def __init__(
        self,
        parser: FileParser,
        sink: DocumentSink,
        checkpoints: CheckpointStore | None = None,
        *,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> None:
        self.parser = parser
        self.sink = sink
        self.checkpoints = checkpoints
        self.on_progress = on_progress  # (documents done, total if known)
        self.failure_memory = sink if isinstance(sink, FailureMemory) else None

    async def sync(self, connector: Connector, *, source: str, max_batches: int = 1_000_000) -> SyncReport:
        report = SyncReport(source=source)
        stored = await self.checkpoints.load_checkpoint(source) if self.checkpoints else None
        checkpoint = connector.checkpoint_model.from_stored(stored, source=source)
        known = await self.sink.known(source)
        memory = self.failure_memory
        failed_before = await memory.failed_parses(source) if memory else {}
        for _ in range(max_batches):
            batch = await connector.load_from_checkpoint(checkpoint)
            report.batches += 1
            report.failures.extend(batch.failures)
            docs: list[Document] = []
            failed: dict[str, tuple[str, str]] = {}
            for raw in batch.documents:
                report.seen += 1
                digest = raw_hash(raw, self.parser.output_version)
                if known.get(raw.id) == digest:
                    report.unchanged += 1
                    continue
                before = failed_before.get(raw.id)
                # the parser's limits are part of the key: raising a limit retries what it refused
                failure_key = f"{digest}:{self.parser.fingerprint}"
                if before is not None and before[0] == failure_key:
                    reason = f"{before[1]} (unchanged since it failed; not parsed again)"
                    report.failures.append(DocumentFailure(raw.id, raw.uri, reason))
                    continue
                try:
                    docs.append(await self._to_document(raw, source, digest))
                    report.parsed += 1
                except InputError as exc:
                    report.failures.append(DocumentFailure(raw.id, raw.uri, str(exc)))
                    failed[raw.id] = (failure_key, str(exc))
            if docs:
                await self.sink.upsert(docs)
                report.upserted += len(docs)
                known.update({d.id: d.content_hash for d in docs})
            gone = [d for d in batch.deletions if d in known]
            if batch.present_ids is not None and not batch.has_more:
                present = set(batch.present_ids)
                gone += [d for d in known if d not in present and d not in gone and not _unlisted(d, batch.unlisted)]
            if gone:
                await self.sink.delete(source, gone)
                report.deleted += len(gone)
                for d in gone:
                    known.pop(d, None)
            if memory:
                await _remember(memory, source, batch, failed_before, failed, [doc.id for doc in docs])
            checkpoint = batch.checkpoint
            if self.checkpoints:
                await self.checkpoints.save_checkpoint(source, checkpoint.stored() if checkpoint else None)
            if self.on_progress:
                self.on_progress(report.seen, None)
            if not batch.has_more:
                break
        for failure in report.failures:
            # INFO: the CLI and the source status report failures to people; a WARNING here printed them twice
            log.info("ingest failure in %s: %s: %s", source, failure.uri, failure.reason)
        return report

    async def _to_document(self, raw: RawDocument, source: str, digest: str) -> Document:
        if raw.content is not None:
            parsed = await self.parser.parse(raw.content, raw.filename or raw.uri)
            title = raw.title or parsed.title
            text, sections = parsed.text, list(parsed.sections)
        else:
            title, text = raw.title, raw.text or ""
            sections = sections_from_text(text)
        if not text.strip():
            raise InputError("no text could be extracted (empty or image-only document)")
        doc = Document(
            id=raw.id, source=source, uri=raw.uri, title=title, text=text, sections=sections,
            content_hash=digest, modified=raw.modified, acl_groups=list(raw.acl_groups),
            author=raw.author, metadata=dict(raw.metadata),
        )
        return doc


async def _remember(
    memory: FailureMemory, source: str, batch: ConnectorBatch, failed_before: dict[str, tuple[str, str]],
    failed: dict[str, tuple[str, str]], parsed: list[str],
) -> None:
    """Record this batch's parse failures; forget those now parsed, deleted or gone from the listing."""
    cleared = [d for d in (*parsed, *batch.deletions) if d in failed_before]
    if batch.present_ids is not None and not batch.has_more:
        present = set(batch.present_ids)
        cleared += [d for d in failed_before if d not in present and not _unlisted(d, batch.unlisted)]
    await memory.record_parse_failures(source, failed, cleared)
    failed_before.update(failed)
    for d in cleared:
        failed_before.pop(d, None)


def _unlisted(doc_id: str, folders: list[str]) -> bool:
    """True if ``doc_id`` lies under a folder whose listing failed ("" = the whole source)."""
    return any(not f or doc_id.startswith(f.rstrip("/") + "/") for f in folders)


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def sections_from_text(text: str) -> list[Section]:
    """Split clean text on Markdown-style headings (connectors keep headings that way)."""
    sections: list[Section] = []
    heading = ""
    lines: list[str] = []
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            if any(s.strip() for s in lines):
                sections.append(Section(heading=heading, text="\n".join(lines).strip()))
            heading, lines = match.group(2), []
        else:
            lines.append(line)
    if any(s.strip() for s in lines):
        sections.append(Section(heading=heading, text="\n".join(lines).strip()))
    return sections
