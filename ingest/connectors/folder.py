"""Folder connector: a local path or mounted share. Used by ``kbot ingest`` and ``kbot sync``.

Document ids and uris are paths relative to the folder (posix style), so citations point at
the file a person can open. Each pass is a full listing; files gone from the folder are
reported through ``present_ids`` on the last batch and deleted by the pipeline.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import Field

from bot.errors import ConfigError
from bot.models import Source
from ingest.interfaces import Connector, ConnectorBatch, ConnectorCheckpoint, DocumentFailure, RawDocument
from ingest.kinds import ConnectorContext, SourceKind, SourceSettings

SKIP_DIRS = {".git", ".svn", "__pycache__", "node_modules", ".kbot", ".venv"}


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
    ) -> None:
        self.name = name
        self.root = Path(root)
        self.supports = supports or (lambda _name: True)
        self.batch_size = batch_size
        self.max_bytes = max_bytes
        self.acl_groups = acl_groups or []

    def _listing(self) -> tuple[list[Path], list[DocumentFailure]]:
        if self.root.is_file():
            return [self.root], []
        files: list[Path] = []
        failures: list[DocumentFailure] = []
        for dirpath, dirnames, filenames in os.walk(self.root, onerror=lambda e: failures.append(
            DocumentFailure(None, str(e.filename or self.root), f"cannot list: {e.strerror}"))):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for fn in sorted(filenames):
                if not fn.startswith(".") and not fn.startswith("~$"):
                    files.append(Path(dirpath) / fn)
        return files, failures

    def _rel(self, path: Path) -> str:
        if self.root.is_file():
            return path.name
        return path.relative_to(self.root).as_posix()

    async def load_from_checkpoint(self, checkpoint: FolderCheckpoint | None) -> ConnectorBatch[FolderCheckpoint]:
        files, failures = await asyncio.to_thread(self._listing)
        files.sort(key=self._rel)
        after = checkpoint.after if checkpoint else None
        rels = [self._rel(f) for f in files]
        start = 0
        if after is not None:
            start = next((i for i, r in enumerate(rels) if r > after), len(rels))
        batch_files = files[start : start + self.batch_size]
        has_more = start + self.batch_size < len(files)
        batch: ConnectorBatch[FolderCheckpoint] = ConnectorBatch(failures=failures if start == 0 else [])
        supported_ids = []
        for path, rel in zip(files, rels, strict=True):
            if self.supports(path.name):
                supported_ids.append(rel)
        for path in batch_files:
            rel = self._rel(path)
            if not self.supports(path.name):
                batch.failures.append(DocumentFailure(rel, rel, f"unsupported file type '{path.suffix or path.name}'"))
                continue
            raw = await asyncio.to_thread(self._read, path, rel)
            if isinstance(raw, DocumentFailure):
                batch.failures.append(raw)
            else:
                batch.documents.append(raw)
        batch.has_more = has_more
        batch.checkpoint = FolderCheckpoint(after=self._rel(batch_files[-1])) if has_more and batch_files else None
        if not has_more:
            batch.present_ids = supported_ids
        return batch

    def _read(self, path: Path, rel: str) -> RawDocument | DocumentFailure:
        try:
            stat = path.stat()
            if stat.st_size > self.max_bytes:
                return DocumentFailure(rel, rel, f"file too large ({stat.st_size // (1024 * 1024)} MB)")
            data = path.read_bytes()
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
