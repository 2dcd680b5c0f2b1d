"""The one checkpointed connector interface every knowledge source implements.

Modelled on Onyx's ``connectors/interfaces.py``: a connector is asked for the next batch given
the last checkpoint, and returns documents, deletions, per-document failures (data, not
exceptions) and the checkpoint to persist. The worker persists the checkpoint after each batch,
so a crash resumes at the last completed batch: nothing lost, nothing duplicated (upserts are
idempotent by document id + content hash).

Checkpoints are typed: each connector declares its pydantic :class:`ConnectorCheckpoint` model
(``CheckpointedConnector[CT]``, as Onyx does); the stores keep its JSON form, and a checkpoint
stored by an earlier version (a plain dict with the same keys) parses into the model.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, Self, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.models import DocumentFailure

__all__ = ["DocumentFailure"]  # re-exported: connectors report failures with it

log = logging.getLogger(__name__)


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


class ConnectorCheckpoint(BaseModel):
    """Where a connector stopped. Unknown keys are ignored (a newer or older version wrote them)."""

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def from_stored(cls, data: Mapping[str, Any] | None, *, source: str = "") -> Self | None:
        """The stored JSON as this model; ``None`` (start a full sync) when absent or unreadable."""
        if data is None:
            return None
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            log.warning("checkpoint of %s is not a valid %s, starting a full sync: %s",
                        source or "a source", cls.__name__, exc.errors()[0].get("msg", ""))
            return None

    def stored(self) -> dict[str, Any]:
        """The JSON-ready form the checkpoint stores keep."""
        return self.model_dump(mode="json")


CT = TypeVar("CT", bound=ConnectorCheckpoint)


@dataclass(slots=True)
class ConnectorBatch(Generic[CT]):
    documents: list[RawDocument] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)  # document ids removed at the source
    failures: list[DocumentFailure] = field(default_factory=list)
    checkpoint: CT | None = None  # persist this; pass it back next call
    has_more: bool = False  # call again with ``checkpoint`` for the next batch
    # A full listing: ids present at the source. When set on the last batch of a full pass,
    # the worker deletes stored ids not in it (reconciliation for sources without delete events).
    present_ids: list[str] | None = None
    # Folders (id prefixes) the full listing could not read: nothing under them is deleted.
    unlisted: list[str] = field(default_factory=list)


@runtime_checkable
class CheckpointedConnector(Protocol[CT]):
    name: str  # the configured source name
    checkpoint_model: type[CT]  # what ``load_from_checkpoint`` takes and returns

    async def load_from_checkpoint(self, checkpoint: CT | None) -> ConnectorBatch[CT]:
        """Return the next batch after ``checkpoint`` (``None`` = start a full sync)."""
        ...


Connector = CheckpointedConnector[Any]  # any kind's connector (the pipeline and worker take these)
@runtime_checkable
class PendingIngests(Protocol):
    """Durable "staged, not yet indexed" marks, one per (data source, source).

    A sync marks its source *before* staging anything, and the mark is cleared only by the
    ingestion job that started after it was set: a crash between staging and the job leaves the
    mark, so the next run starts the job. ``clear`` keeps a mark set again since ``marks`` was read.
    """

    async def mark(self, data_source: str, source: str) -> None: ...

    async def pending(self, data_source: str) -> dict[str, str]:
        """source -> the mark's token (when it was set), for :meth:`clear`."""
        ...

    async def clear(self, data_source: str, marks: dict[str, str]) -> None: ...
