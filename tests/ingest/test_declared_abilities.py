"""Abilities are declared in Protocols and implemented, not probed with ``getattr``/``hasattr``."""

from __future__ import annotations

import ast
from pathlib import Path

from adapters.bedrock_sink.manifest import FileManifest
from adapters.bedrock_sink.sink import BedrockKbSink
from adapters.config_store.sqlite_config import SqliteConfigRepository
from adapters.store.sqlite_store import SqliteStore
from bot.admin.ports import DocumentRemover, WorkerSources
from bot.models import Source
from bot.ports import DocumentSink, SourceCatalog
from ingest.connectors.folder import FolderConnector
from ingest.interfaces import Connector
from ingest.local_sink import LocalStoreSink
from ingest.pipeline import FailureMemory, IngestPipeline
from ingest.worker import SyncWorker
from tests.fakes import HashEmbedder
from tests.ingest.fakes import MemoryCheckpoints, MemorySink, MemorySourceRepository, TextParser

REPO = Path(__file__).resolve().parents[2]


def test_the_core_never_probes_for_an_ability() -> None:
    probes = []
    for path in sorted(p for pkg in ("bot", "ingest") for p in (REPO / pkg).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"getattr", "hasattr"}
            ):
                probes.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not probes, f"declare the ability in a Protocol instead: {probes}"


async def test_implementations_declare_what_the_core_calls(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "kbot.db")
    config = SqliteConfigRepository(tmp_path / "kbot.db")
    try:
        assert isinstance(store, SourceCatalog) and isinstance(store, DocumentRemover)
        assert isinstance(LocalStoreSink(store, HashEmbedder()), DocumentSink)
        bedrock = BedrockKbSink(
            agent=object(),
            knowledge_base_id="kb",
            data_source_id="ds",
            manifest=FileManifest(tmp_path),
            data_source_type="CUSTOM",
        )
        assert isinstance(bedrock, DocumentSink) and isinstance(bedrock, FailureMemory)
        await bedrock.record_parse_failures("hb", {"a.pdf": ("h1:p", "corrupt"), "b.pdf": ("h2:p", "x")}, [])
        await bedrock.record_parse_failures("hb", {}, ["b.pdf"])
        assert await bedrock.failed_parses("hb") == {"a.pdf": ("h1:p", "corrupt")}
        assert await bedrock.known("hb") == {}  # the failure file is not the manifest
        assert isinstance(config, WorkerSources)
        assert isinstance(MemorySink(), DocumentSink) and isinstance(MemorySourceRepository(), WorkerSources)
    finally:
        await store.close()
        await config.close()


class RecordingCatalog:
    def __init__(self) -> None:
        self.sources: dict[str, tuple[str, str | None]] = {}

    async def ensure_source(self, name: str, kind: str, location: str | None = None) -> None:
        self.sources[name] = (kind, location)

    async def source_location(self, name: str) -> str | None:
        return self.sources.get(name, ("", None))[1]

    async def delete_source(self, name: str) -> int:
        self.sources.pop(name, None)
        return 0


async def test_worker_records_each_kinds_location_and_finishes_every_sink(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Alpha explains the first topic.")
    wiki = {"api_url": "https://wiki.example.com/w/api.php", "namespaces": [0]}
    repo = MemorySourceRepository(
        [
            Source("docs", "folder", {"path": str(docs)}),
            Source("wiki", "mediawiki", wiki),
        ]
    )

    async def connectors(source: Source) -> Connector:  # no wiki to reach: both read the folder
        return FolderConnector(source.name, docs, supports=TextParser().supports)

    sink, catalog = MemorySink(), RecordingCatalog()
    worker = SyncWorker(repo, IngestPipeline(TextParser(), sink, MemoryCheckpoints()), connectors, catalog=catalog)
    outcomes = await worker.run_once()
    assert [o.error for o in outcomes] == [None, None]
    assert catalog.sources == {"docs": ("folder", str(docs)), "wiki": ("mediawiki", wiki["api_url"])}
    assert sink.finished == ["docs", "wiki"]  # every sync run ends with the sink's finish()
