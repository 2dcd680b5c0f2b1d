"""Issue 19 items 5, 6 and 7 (listing): the folder connector reads regular files inside its root only,
with bounded reads, never deletes under a subtree it could not list, and lists once per pass."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from ingest.connectors.folder import FolderConnector
from ingest.interfaces import ConnectorBatch
from ingest.pipeline import IngestPipeline
from tests.ingest.fakes import MemorySink, TextParser


async def drain(connector: FolderConnector) -> list[ConnectorBatch]:
    batches, checkpoint = [], None
    while True:
        batch = await asyncio.wait_for(connector.load_from_checkpoint(checkpoint), timeout=10)
        batches.append(batch)
        if not batch.has_more:
            return batches
        checkpoint = batch.checkpoint


def hostile_folder(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "good.md").write_text("# Good\n\nThe helpdesk number is 555-0199.\n")
    (root / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(root / "pipe.md")
    outside = tmp_path / "secret.md"
    outside.write_text("# Payroll\n\nThe CEO earns a lot.\n")
    (root / "leak.md").symlink_to(outside)
    (root / "inside.md").symlink_to(root / "good.md")
    return root


async def test_special_files_and_outside_links_are_reported_not_read(tmp_path: Path) -> None:
    root = hostile_folder(tmp_path)
    [batch] = await drain(FolderConnector("kb", root, max_bytes=1024 * 1024))
    assert sorted(d.id for d in batch.documents) == ["good.md", "inside.md"]
    reasons = {f.uri: f.reason for f in batch.failures}
    assert set(reasons) == {"zero.txt", "pipe.md", "leak.md"}
    assert "outside" in reasons["leak.md"] and "outside" in reasons["zero.txt"]
    assert "not a regular file" in reasons["pipe.md"]


async def test_reads_are_bounded(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "big.txt").write_bytes(b"x" * 5000)
    [batch] = await drain(FolderConnector("kb", root, max_bytes=1000))
    assert not batch.documents and "too large" in batch.failures[0].reason


def walk_that_cannot_list(unlistable: str):
    def walk(top, onerror=None, **kw):
        for dirpath, dirnames, filenames in os.walk(top, onerror=onerror, **kw):
            if Path(dirpath).name == unlistable:
                onerror(PermissionError(13, "Permission denied", dirpath))
                dirnames[:] = []
                continue
            yield dirpath, dirnames, filenames

    return walk


async def test_an_unlistable_subfolder_keeps_its_documents(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "hr").mkdir(parents=True)
    (root / "hr" / "leave.md").write_text("# Leave\n\nParental leave is 20 weeks.\n")
    (root / "it.md").write_text("# IT\n\nCall 555-0199.\n")
    sink = MemorySink()
    pipeline = IngestPipeline(TextParser(), sink)
    await pipeline.sync(FolderConnector("kb", root), source="kb")
    assert {d for _, d in sink.docs} == {"hr/leave.md", "it.md"}

    (root / "it.md").unlink()
    report = await pipeline.sync(FolderConnector("kb", root, walk=walk_that_cannot_list("hr")), source="kb")
    assert any("cannot list" in f.reason for f in report.failures)
    assert {d for _, d in sink.docs} == {"hr/leave.md"}, "only the file really gone is deleted"
    assert report.deleted == 1


async def test_folder_is_listed_once_per_pass(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    for i in range(60):
        (root / f"f{i:03}.md").write_text(f"# F{i}\n\nline {i}\n")
    walks = 0

    def counting_walk(top, **kw):
        nonlocal walks
        walks += 1
        return os.walk(top, **kw)

    batches = await drain(FolderConnector("kb", root, batch_size=25, walk=counting_walk))
    assert len(batches) == 3 and sum(len(b.documents) for b in batches) == 60
    assert walks == 1
