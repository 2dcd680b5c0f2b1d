"""Typed checkpoints: each kind's pydantic model reads the dict checkpoints earlier versions stored."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from adapters.store.checkpoints import SqliteCheckpointStore
from ingest.connectors.confluence import ConfluenceCheckpoint
from ingest.connectors.folder import FolderCheckpoint, FolderConnector
from ingest.connectors.mediawiki import MediaWikiCheckpoint
from ingest.connectors.sharepoint import SharePointCheckpoint
from ingest.interfaces import ConnectorCheckpoint
from ingest.pipeline import IngestPipeline
from ingest.registry import KINDS
from tests.ingest.fakes import MemorySink, TextParser

# Exactly what the dict-based connectors wrote (between passes and in the middle of one).
LEGACY: list[tuple[type[ConnectorCheckpoint], dict[str, Any]]] = [
    (FolderCheckpoint, {"after": "policies/leave.md"}),
    (
        SharePointCheckpoint,
        {"delta": {"b!d1": "https://graph.microsoft.com/v1.0/drives/b!d1/root/delta?token=x"}, "queue": []},
    ),
    (
        SharePointCheckpoint,
        {
            "delta": {},
            "queue": ["b!d1", "b!d2"],
            "names": {"b!d1": "Documents", "b!d2": "Shared"},
            "link": "https://graph.microsoft.com/v1.0/drives/b!d1/root/delta?x=1",
        },
    ),
    (ConfluenceCheckpoint, {"since": "2026-03-01T10:00:00+00:00", "reconciled": None}),
    (
        ConfluenceCheckpoint,
        {
            "since": None,
            "phase": "full",
            "started": "2026-03-01T10:00:00+00:00",
            "space": 1,
            "next": "/wiki/api/v2/spaces/9/pages?cursor=abc",
            "ids": ["1", "2"],
        },
    ),
    (MediaWikiCheckpoint, {"since": "2026-03-01T10:00:00Z", "reconciled": "2026-03-01T10:05:00+00:00"}),
    (
        MediaWikiCheckpoint,
        {
            "since": "2026-03-01T10:00:00Z",
            "reconciled": None,
            "phase": "incremental",
            "started": "2026-03-02T10:00:00Z",
            "cont": {"rccontinue": "20260302|7", "continue": "-||"},
            "dirty": True,
            "ns": 0,
        },
    ),
]


@pytest.mark.parametrize(("model", "legacy"), LEGACY, ids=lambda v: getattr(v, "__name__", ""))
def test_stored_dict_checkpoints_load_into_the_typed_model(model: type[ConnectorCheckpoint], legacy: dict) -> None:
    parsed = model.from_stored(json.loads(json.dumps(legacy)))
    assert isinstance(parsed, model)
    stored = parsed.stored()
    assert {k: stored[k] for k in legacy} == legacy  # nothing the old checkpoint held is lost
    assert model.from_stored(stored) == parsed  # and the new form reads back the same


def test_every_kind_declares_its_checkpoint_model() -> None:
    assert {name: kind.checkpoint for name, kind in KINDS.items()} == {
        "folder": FolderCheckpoint,
        "sharepoint": SharePointCheckpoint,
        "confluence": ConfluenceCheckpoint,
        "mediawiki": MediaWikiCheckpoint,
    }


def test_an_unreadable_checkpoint_means_a_full_sync_with_a_warning(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="ingest.interfaces"):
        assert ConfluenceCheckpoint.from_stored({"space": "second", "ids": "1,2"}, source="wiki") is None
    assert "checkpoint of wiki" in caplog.text
    assert FolderCheckpoint.from_stored(None) is None


async def test_sync_resumes_from_a_dict_checkpoint_stored_by_the_previous_version(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(6):
        (folder / f"doc-{i}.txt").write_text(f"Document {i} explains topic {i}.")
    store = SqliteCheckpointStore(tmp_path / "kbot.db")
    try:
        await store.save_checkpoint("docs", {"after": "doc-2.txt"})  # as the dict connectors saved it
        sink = MemorySink()
        connector = FolderConnector("docs", folder, supports=TextParser().supports, batch_size=2)
        report = await IngestPipeline(TextParser(), sink, store).sync(connector, source="docs")
        assert sorted(d for _, d in sink.docs) == ["doc-3.txt", "doc-4.txt", "doc-5.txt"]  # resumed, not restarted
        assert report.batches == 2
        assert await store.load_checkpoint("docs") is None  # the pass finished
    finally:
        await store.close()
