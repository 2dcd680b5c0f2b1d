"""A folder indexed with the real parser and the bundled model, and the default answerer over it:
what the embedded `kbot ingest` + `kbot ask` do, for tests that need real reading."""

from __future__ import annotations

import asyncio
from pathlib import Path

from adapters.parsing.unstructured_parser import UnstructuredParser
from adapters.store.sqlite_store import SqliteStore
from bot.answering.extractive import ExtractiveAnswerer
from bot.ports import Embedder
from bot.retrieval import HybridRetriever
from bot.settings import Settings
from ingest.connectors.folder import FolderConnector
from ingest.local_sink import LocalStoreSink
from ingest.pipeline import IngestPipeline


def index_folder(folder: Path, db: Path, embedder: Embedder, *, source: str = "kb") -> Path:
    """Index ``folder`` into a new store at ``db`` (sync: module fixtures build it once)."""

    async def build() -> None:
        store = SqliteStore(db)
        pipeline = IngestPipeline(UnstructuredParser(), LocalStoreSink(store, embedder))
        await pipeline.sync(FolderConnector(source, folder), source=source)
        await store.close()

    asyncio.run(build())
    return db


def default_answerer(store: SqliteStore, embedder: Embedder) -> ExtractiveAnswerer:
    """The answerer as configured by default (top-k, evidence threshold, term statistics)."""
    return ExtractiveAnswerer(
        HybridRetriever(store, embedder),
        embedder,
        term_stats=store,
        min_evidence=Settings().kbot_min_evidence,
    )
