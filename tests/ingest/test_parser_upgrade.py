"""A parser upgrade re-indexes files that did not change.

The stored hash decides what a sync skips. When what the parser makes of a file changes (front
matter now gives the title, say), an index built by the older parser would keep the old titles and
text forever for every unchanged file; the parser's ``output_version`` is part of the hash.
"""

from __future__ import annotations

from pathlib import Path

from ingest.connectors.folder import FolderConnector
from ingest.interfaces import ConnectorBatch, ConnectorCheckpoint, RawDocument
from ingest.pipeline import IngestPipeline
from tests.ingest.fakes import MemorySink, TextParser


class NewerTextParser(TextParser):
    output_version = "text-parser-2"


async def test_unchanged_files_are_parsed_again_after_a_parser_upgrade(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nalpha")
    (tmp_path / "b.txt").write_text("beta")
    sink = MemorySink()
    first = await IngestPipeline(TextParser(), sink).sync(FolderConnector("kb", tmp_path), source="kb")
    again = await IngestPipeline(TextParser(), sink).sync(FolderConnector("kb", tmp_path), source="kb")
    upgraded = NewerTextParser()
    after = await IngestPipeline(upgraded, sink).sync(FolderConnector("kb", tmp_path), source="kb")
    settled = await IngestPipeline(NewerTextParser(), sink).sync(FolderConnector("kb", tmp_path), source="kb")
    assert (first.parsed, again.unchanged) == (2, 2)
    assert (after.parsed, after.unchanged, upgraded.parsed) == (2, 0, 2)
    assert (settled.parsed, settled.unchanged, settled.deleted) == (0, 2, 0)


class WikiPages:
    """Pages that arrive as clean text (Confluence, MediaWiki): the file parser never sees them."""

    name = "wiki"
    checkpoint_model = ConnectorCheckpoint

    async def load_from_checkpoint(self, checkpoint: ConnectorCheckpoint | None) -> ConnectorBatch[ConnectorCheckpoint]:
        pages = [RawDocument(id=f"p{i}", uri=f"https://wiki/p{i}", title=f"P{i}", text=f"page {i}") for i in (1, 2)]
        return ConnectorBatch(documents=pages, present_ids=[p.id for p in pages])


async def test_a_parser_upgrade_leaves_text_pages_alone() -> None:
    """Only files go through the parser: a new parser version must not re-index (re-embed) every wiki page."""
    sink = MemorySink()
    await IngestPipeline(TextParser(), sink).sync(WikiPages(), source="wiki")
    after = await IngestPipeline(NewerTextParser(), sink).sync(WikiPages(), source="wiki")
    assert (after.parsed, after.unchanged, after.deleted) == (0, 2, 0)
