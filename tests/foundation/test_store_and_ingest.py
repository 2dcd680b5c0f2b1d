"""Local store + ingest pipeline with the real parser and the fast fake embedder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from adapters.parsing.unstructured_parser import UnstructuredParser
from adapters.store.sqlite_store import SqliteStore
from bot.errors import StoreLocked
from bot.retrieval import HybridRetriever
from ingest.connectors.folder import FolderConnector
from ingest.local_sink import LocalStoreSink
from ingest.pipeline import IngestPipeline
from tests.fakes import HashEmbedder


def write_kb(root: Path) -> None:
    (root / "it").mkdir(parents=True)
    (root / "it" / "vpn.md").write_text(
        "# VPN\n\nConnect with the Pulse client to vpn.acme.example.\n\n## Troubleshooting\n\n"
        "If the tunnel drops, restart the Pulse service and call extension 4400.\n"
    )
    (root / "travel.html").write_text(
        "<html><body><h1>Travel policy</h1><p>Hotels are capped at 210 dollars per night.</p>"
        "<h2>Meals</h2><p>The meal per diem is 65 dollars.</p></body></html>"
    )
    (root / "notes.txt").write_text("Cafeteria\n\nThe cafeteria serves breakfast from 7:30 until 9:30.\n")


@pytest.fixture
async def env(tmp_path: Path):
    store = SqliteStore(tmp_path / "kb.db")
    embedder = HashEmbedder()
    sink = LocalStoreSink(store, embedder)
    pipeline = IngestPipeline(UnstructuredParser(), sink)
    kb = tmp_path / "kb"
    write_kb(kb)
    await store.ensure_source("kb", "folder", str(kb))
    yield store, embedder, sink, pipeline, kb
    await store.close()


def connector(kb: Path, **kw) -> FolderConnector:
    return FolderConnector("kb", kb, supports=UnstructuredParser().supports, **kw)


async def test_ingest_is_incremental_and_honours_deletions(env) -> None:
    store, embedder, sink, pipeline, kb = env
    first = await pipeline.sync(connector(kb), source="kb")
    assert (first.seen, first.parsed, first.unchanged) == (3, 3, 0)
    stats = await store.stats()
    assert stats["documents"] == 3 and stats["chunks"] >= 4
    embedded = embedder.texts_embedded

    again = await pipeline.sync(connector(kb), source="kb")
    assert (again.parsed, again.unchanged, again.deleted) == (0, 3, 0)
    assert embedder.texts_embedded == embedded, "unchanged files must not be re-embedded"

    (kb / "notes.txt").unlink()
    (kb / "it" / "vpn.md").write_text("# VPN\n\nConnect with the GlobalProtect client.\n")
    third = await pipeline.sync(connector(kb), source="kb")
    assert (third.parsed, third.unchanged, third.deleted) == (1, 1, 1)
    assert set(await store.known("kb")) == {"it/vpn.md", "travel.html"}
    hits = await store.search_bm25("Pulse", k=5)
    assert hits == [], "old chunks of an edited file must be gone"


async def test_batches_and_checkpoint_resume(env) -> None:
    store, _, _, pipeline, kb = env
    report = await pipeline.sync(connector(kb, batch_size=1), source="kb")
    assert report.batches == 3 and report.upserted == 3


async def test_bad_files_are_failures_not_crashes(env) -> None:
    store, _, _, pipeline, kb = env
    (kb / "broken.docx").write_bytes(b"PK\x03\x04 this is not really a zip")
    (kb / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (kb / "blob.txt").write_bytes(b"\x00\x01\x02" * 100)
    report = await pipeline.sync(connector(kb), source="kb")
    reasons = {f.uri: f.reason for f in report.failures}
    assert "broken.docx" in reasons and "cannot parse" in reasons["broken.docx"]
    assert "unsupported file type" in reasons["image.png"]
    assert "binary" in reasons["blob.txt"]
    assert report.upserted == 3, "good files are indexed despite bad neighbours"


async def test_hybrid_retrieval_with_filters(env) -> None:
    store, embedder, _, pipeline, kb = env
    await pipeline.sync(connector(kb), source="kb")
    retriever = HybridRetriever(store, embedder)
    top = await retriever.retrieve("hotel nightly cap", k=3)
    assert top[0].uri == "travel.html" and top[0].title == "Travel policy"
    assert await retriever.retrieve("hotel nightly cap", k=3, sources=["other"]) == []


async def test_acl_groups_filter(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "acl.db")
    embedder = HashEmbedder()
    pipeline = IngestPipeline(UnstructuredParser(), LocalStoreSink(store, embedder))
    kb = tmp_path / "kb"
    write_kb(kb)
    await pipeline.sync(FolderConnector("hr", kb, acl_groups=["hr"]), source="hr")
    retriever = HybridRetriever(store, embedder)
    assert await retriever.retrieve("hotel", k=3, groups=["eng"]) == []
    assert await retriever.retrieve("hotel", k=3, groups=["eng", "hr"])
    assert await retriever.retrieve("hotel", k=3, groups=None)
    await store.close()


async def test_locked_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    store = SqliteStore(path, timeout=0.2)
    other = sqlite3.connect(path)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLocked, match="locked"):
            await store.ensure_source("x", "folder")
    finally:
        other.rollback()
        other.close()
    await store.ensure_source("x", "folder")  # usable again, nothing lost
    await store.close()


async def test_answers_are_logged_as_metric_events(caplog: pytest.LogCaptureFixture) -> None:
    from bot.answering.metered import metered
    from bot.models import Answer, Question

    class Fixed:
        async def answer(self, question: Question) -> Answer:
            return Answer(text="x [1]", grounded=True)

    caplog.set_level("INFO", logger="kbot.answers")
    answer = await metered(Fixed()).answer(Question("q"))
    assert answer.grounded
    (record,) = [r for r in caplog.records if r.name == "kbot.answers"]
    assert record.kb_event == "answer" and record.kb_latency_ms >= 0 and record.kb_grounded is True
