"""Markdown YAML front matter: its ``title`` names the document, its keys never become body text."""

from __future__ import annotations

from pathlib import Path

from adapters.parsing.front_matter import split_front_matter
from adapters.parsing.unstructured_parser import UnstructuredParser
from adapters.store.sqlite_store import SqliteStore
from bot.answering.structure import spans
from bot.retrieval import HybridRetriever
from ingest.connectors.folder import FolderConnector
from ingest.local_sink import LocalStoreSink
from ingest.pipeline import IngestPipeline
from tests.fakes import HashEmbedder

PAGE = """---
title: Going out of office
keywords: out of office, vacation
redirect_from:
  - /ooo/
  - /leave-old/
tags: [travel, leave]
---
## Your overall responsibilities

Submit leave requests at least three business days in advance.

## Time tracking

Record your hours in the timesheet every pay period.
"""


async def test_front_matter_title_is_the_citation_title_and_no_yaml_is_indexed(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "going-out-of-office.md").write_text(PAGE)
    store = SqliteStore(tmp_path / "kb.db")
    embedder = HashEmbedder()
    try:
        await store.ensure_source("kb", "folder", str(kb))
        pipeline = IngestPipeline(UnstructuredParser(), LocalStoreSink(store, embedder))
        report = await pipeline.sync(FolderConnector("kb", kb, supports=UnstructuredParser().supports), source="kb")
        assert report.upserted == 1
        top = await HybridRetriever(store, embedder).retrieve("how early do I submit a leave request", k=5)
        assert top and {p.title for p in top} == {"Going out of office"}
        texts = " ".join(p.text for p in top)
        for key in ("title:", "redirect_from", "/leave-old/", "tags:", "---"):
            assert key not in texts, f"front matter {key!r} leaked into a chunk"
        assert "three business days" in texts and "timesheet" in texts
        # the author's search keywords find the page ("vacation" is not in its prose) ...
        found = await HybridRetriever(store, embedder).retrieve("vacation", k=5)
        assert found and found[0].title == "Going out of office"
        # ... but are context, never an answer span
        answers = [s.text for i, p in enumerate(found) for s in spans(p, i)]
        assert answers and not any("vacation" in a for a in answers)
    finally:
        await store.close()


async def test_parser_reads_the_title_and_keeps_the_headings() -> None:
    parsed = await UnstructuredParser().parse(PAGE.encode(), "going-out-of-office.md")
    assert parsed.title == "Going out of office"
    assert [s.heading for s in parsed.sections] == ["Your overall responsibilities", "Time tracking"]
    assert "redirect_from" not in parsed.text and "title:" not in parsed.text


async def test_malformed_front_matter_is_kept_as_text_not_a_crash() -> None:
    broken = "---\ntitle: [unclosed\n  : : bad\n---\n# Badges\n\nBadges are issued in room 12.\n"
    parsed = await UnstructuredParser().parse(broken.encode(), "badges.md")
    assert parsed.title == "Badges"
    assert "Badges are issued in room 12." in parsed.text
    assert "unclosed" in parsed.text, "a block that is not YAML is the author's text: kept"


def test_split_front_matter_edge_cases() -> None:
    assert split_front_matter("---\ntitle: A\n---\nBody") == ({"title": "A"}, "Body")
    assert split_front_matter("---\r\ntitle: A\r\n...\r\nBody") == ({"title": "A"}, "Body")
    # no closing fence, a scalar instead of a mapping, a thematic break later in the page: not front matter
    for text in ("---\ntitle: A\nBody", "---\njust words\n---\nBody", "Intro\n---\ntitle: A\n---\n"):
        assert split_front_matter(text) == ({}, text)
    # an empty block is front matter with no keys; a non-string title is ignored by callers
    assert split_front_matter("---\n---\nBody") == ({}, "Body")
