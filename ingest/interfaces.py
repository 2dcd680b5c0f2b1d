"""The one checkpointed connector interface every knowledge source implements.

Modelled on Onyx's ``connectors/interfaces.py``: a connector is asked for the next batch given
the last checkpoint, and returns documents, deletions, per-document failures (data, not
exceptions) and the checkpoint to persist. The worker persists the checkpoint after each batch,
so a crash resumes at the last completed batch: nothing lost, nothing duplicated (upserts are
idempotent by document id + content hash).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(slots=True)
class RawDocument:
    """A document as a connector delivers it: text, or file bytes to be parsed."""

    id: str  # stable within the source (file path, driveItem id, page id ...)
    uri: str  # where a person opens it (relative path for folders, web URL otherwise)
    title: str
    text: str | None = None  # already-clean text (wiki/Confluence pages) ...
    content: bytes | None = None  # ... or raw bytes to parse
    filename: str | None = None  # name with extension, tells the parser the type
    author: str | None = None
    modified: datetime | None = None
    acl_groups: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    version: str | None = None  # cheap change marker (etag, revision id, mtime+size) if known


@dataclass(slots=True)
class DocumentFailure:
    doc_id: str | None
    uri: str
    reason: str


@dataclass(slots=True)
class ConnectorBatch:
    documents: list[RawDocument] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)  # document ids removed at the source
    failures: list[DocumentFailure] = field(default_factory=list)
    checkpoint: dict[str, Any] | None = None  # persist this; pass it back next call
    has_more: bool = False  # call again with ``checkpoint`` for the next batch
    # A full listing: ids present at the source. When set on the last batch of a full pass,
    # the worker deletes stored ids not in it (reconciliation for sources without delete events).
    present_ids: list[str] | None = None
    # Folders (id prefixes) the full listing could not read: nothing under them is deleted.
    unlisted: list[str] = field(default_factory=list)


@runtime_checkable
class Connector(Protocol):
    name: str  # the configured source name

    async def load_from_checkpoint(self, checkpoint: dict[str, Any] | None) -> ConnectorBatch:
        """Return the next batch after ``checkpoint`` (``None`` = start a full sync)."""
        ...
