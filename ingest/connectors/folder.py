"""Folder connector: a local path or mounted share. Used by ``kbot ingest`` and ``kbot sync``.

Document ids and uris are paths relative to the folder (posix style), so citations point at
the file a person can open. Each pass lists the folder once (the listing is kept for the pass's
batches); files gone from it are reported through ``present_ids`` on the last batch and deleted
by the pipeline, except under a subfolder whose listing failed (``unlisted``).

Only regular files whose real path is inside the folder are read, and reads are bounded: a
symlink to ``/dev/zero`` or to a file outside the folder, a FIFO or a device is reported, never
read.
"""

from __future__ import annotations

import asyncio
import os
import stat as stat_mode
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import Field

from bot.errors import ConfigError
from bot.models import Source
from ingest.interfaces import Connector, ConnectorBatch, ConnectorCheckpoint, DocumentFailure, RawDocument
from ingest.kinds import ConnectorContext, SourceKind, SourceSettings

SKIP_DIRS = {".git", ".svn", "__pycache__", "node_modules", ".kbot", ".venv"}
Walk = Callable[..., Iterator[tuple[str, list[str], list[str]]]]


@dataclass(slots=True)
class Listing:
    files: list[tuple[str, Path]] = field(default_factory=list)  # (relative id, path), sorted by id
    failures: list[DocumentFailure] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)  # relative folders that could not be listed


class FolderSettings(SourceSettings):
    path: str = Field(..., description="local path or mounted share")


class FolderCheckpoint(ConnectorCheckpoint):
    after: str | None = None  # the last file (relative path, sorted order) of the saved batch


class FolderConnector:
    checkpoint_model = FolderCheckpoint

    def __init__(
        self,
        name: str,
        root: Path,
        *,
        supports: Callable[[str], bool] | None = None,  # unsupported files are reported
        batch_size: int = 25,
        max_bytes: int = 50 * 1024 * 1024,
        acl_groups: list[str] | None = None,
        walk: Walk = os.walk,  # tests: a listing that fails for one subfolder
    ) -> None:
        self.name = name
        self.root = Path(root)
        self.supports = supports or (lambda _name: True)
        self.batch_size = batch_size
        self.max_bytes = max_bytes
        self.acl_groups = acl_groups or []
        self._walk = walk
        self._listing: Listing | None = None
        self._base: Path | None = None  # the root's real path: reads stay under it

    def _list(self) -> Listing:
        if self.root.is_file():
            return Listing(files=[(self.root.name, self.root)])
        listing = Listing()
        root = self.root

        def failed(exc: OSError) -> None:
            where = Path(exc.filename or root)
            rel = "" if where == root else where.relative_to(root).as_posix()
            listing.unlisted.append(rel)
            listing.failures.append(DocumentFailure(None, rel or str(root), f"cannot list: {exc.strerror or exc}"))

        for dirpath, dirnames, filenames in self._walk(root, onerror=failed):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for fn in filenames:
                if not fn.startswith(".") and not fn.startswith("~$"):
                    path = Path(dirpath) / fn
                    listing.files.append((path.relative_to(root).as_posix(), path))
        listing.files.sort(key=lambda item: item[0])
        return listing

    async def load_from_checkpoint(self, checkpoint: FolderCheckpoint | None) -> ConnectorBatch[FolderCheckpoint]:
        if checkpoint is None or self._listing is None:  # a new pass (or a resume): list once
            self._listing = await asyncio.to_thread(self._list)
        listing = self._listing
        after = checkpoint.after if checkpoint else None
        start = 0
        if after is not None:
            start = next((i for i, (rel, _) in enumerate(listing.files) if rel > after), len(listing.files))
        batch_files = listing.files[start : start + self.batch_size]
        has_more = start + self.batch_size < len(listing.files)
        batch: ConnectorBatch[FolderCheckpoint] = ConnectorBatch(failures=list(listing.failures) if start == 0 else [])
        for rel, path in batch_files:
            if not self.supports(path.name):
                batch.failures.append(DocumentFailure(rel, rel, f"unsupported file type '{path.suffix or path.name}'"))
                continue
            raw = await asyncio.to_thread(self._read, path, rel)
            if isinstance(raw, DocumentFailure):
                batch.failures.append(raw)
            else:
                batch.documents.append(raw)
        batch.has_more = has_more
        batch.checkpoint = FolderCheckpoint(after=batch_files[-1][0]) if has_more and batch_files else None
        if not has_more:
            batch.present_ids = [rel for rel, path in listing.files if self.supports(path.name)]
            batch.unlisted = list(listing.unlisted)
            self._listing = None
        return batch

    def _inside(self, real: Path) -> bool:
        if self._base is None:
            self._base = self.root.resolve().parent if self.root.is_file() else self.root.resolve()
        return real.is_relative_to(self._base)

    def _read(self, path: Path, rel: str) -> RawDocument | DocumentFailure:
        try:
            real = path.resolve(strict=True)
            if not self._inside(real):
                return DocumentFailure(rel, rel, "links outside the folder; not read")
            fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)  # a FIFO must not block
            with os.fdopen(fd, "rb") as handle:
                stat = os.fstat(fd)
                if not stat_mode.S_ISREG(stat.st_mode):
                    return DocumentFailure(rel, rel, "not a regular file (FIFO, device or socket); not read")
                if stat.st_size > self.max_bytes:
                    return DocumentFailure(rel, rel, f"file too large ({stat.st_size // (1024 * 1024)} MB)")
                data = handle.read(self.max_bytes + 1)  # bounded even if the file grows meanwhile
                if len(data) > self.max_bytes:
                    return DocumentFailure(rel, rel, f"file too large (over {self.max_bytes // (1024 * 1024)} MB)")
        except OSError as exc:
            return DocumentFailure(rel, rel, f"cannot read file: {exc.strerror or exc}")
        return RawDocument(
            id=rel, uri=rel, title="", content=data, filename=path.name,
            modified=datetime.fromtimestamp(stat.st_mtime, UTC), acl_groups=list(self.acl_groups),
            version=f"{stat.st_mtime_ns}:{stat.st_size}",
        )


async def build(source: Source, settings: FolderSettings, ctx: ConnectorContext) -> Connector:
    root = await asyncio.to_thread(lambda: Path(settings.path).expanduser())
    if not await asyncio.to_thread(root.exists):
        raise ConfigError(f"source {source.name}: folder {root} does not exist")
    return FolderConnector(
        source.name, root, supports=ctx.supports, max_bytes=ctx.max_bytes(settings),
        acl_groups=list(source.audience),
    )


KIND = SourceKind("folder", FolderSettings, FolderCheckpoint, lambda s: s.path, build)
