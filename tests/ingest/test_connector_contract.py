"""The connector contract, run against every connector (folder, SharePoint, Confluence, MediaWiki).

1. A full sync delivers every document, in bounded batches, with JSON-serialisable checkpoints.
2. A second sync of an unchanged source parses nothing and deletes nothing.
3. After an edit, an addition and a deletion, the store equals a clean full sync of the source.
4. A crash after N documents, then a restart from the saved checkpoint: the store equals a clean
   full sync, and no more than one batch is delivered twice.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ingest.interfaces import CheckpointedConnector, Connector
from ingest.pipeline import IngestPipeline
from tests.ingest.fakes import InjectedCrash, MemoryCheckpoints, MemorySink, TextParser
from tests.ingest.worlds import World, make_world

KINDS = ["folder", "sharepoint", "confluence", "mediawiki"]
N = 8


@pytest.fixture(params=KINDS)
async def world(request, tmp_path: Path, http_session, sleeps) -> AsyncIterator[World]:
    w = make_world(request.param, tmp_path)
    await w.open(http_session, sleeps)
    w.seed(N)
    yield w
    await w.close()


async def clean_snapshot(world: World) -> dict:
    sink = MemorySink()
    await IngestPipeline(TextParser(), sink).sync(world.connector(), source="src")
    return sink.snapshot("src")


async def test_full_sync_delivers_everything_in_batches(world: World) -> None:
    conn: Connector = world.connector()
    assert isinstance(conn, CheckpointedConnector) and conn.name == "src"
    checkpoint, ids, calls = None, [], 0
    while True:
        calls += 1
        assert calls < 50, "connector never finished"
        batch = await conn.load_from_checkpoint(checkpoint)
        assert batch.checkpoint is None or isinstance(batch.checkpoint, conn.checkpoint_model)
        stored = json.dumps(batch.checkpoint.stored()) if batch.checkpoint else None  # persisted as JSON
        ids += [d.id for d in batch.documents]
        for doc in batch.documents:
            assert doc.id and doc.uri and (doc.text is not None or doc.content is not None)
        checkpoint = conn.checkpoint_model.from_stored(json.loads(stored) if stored else None)
        assert checkpoint == batch.checkpoint  # resumes from exactly what was saved
        if not batch.has_more:
            break
    assert len(ids) == N and len(set(ids)) == N
    assert calls >= 2  # paged: 3 per batch


async def test_unchanged_source_costs_nothing(world: World) -> None:
    parser, sink, checkpoints = TextParser(), MemorySink(), MemoryCheckpoints()
    pipeline = IngestPipeline(parser, sink, checkpoints)
    first = await pipeline.sync(world.connector(), source="src")
    assert first.parsed == N
    again = await pipeline.sync(world.connector(), source="src")
    assert again.parsed == 0 and again.deleted == 0 and again.upserted == 0


async def test_changes_converge_to_a_clean_full_sync(world: World) -> None:
    sink, checkpoints = MemorySink(), MemoryCheckpoints()
    pipeline = IngestPipeline(TextParser(), sink, checkpoints)
    await pipeline.sync(world.connector(), source="src")
    world.edit(1)
    world.add(N + 1)
    world.remove(2)
    report = await pipeline.sync(world.connector(), source="src")
    assert report.upserted == 2 and report.deleted == 1
    assert sink.snapshot("src") == await clean_snapshot(world)
    texts = [text for _, _, text, _ in sink.snapshot("src").values()]
    assert any(t.startswith("Document 1 version 2") for t in texts)
    assert not any(t.startswith("Document 2 ") for t in texts)


@pytest.mark.parametrize("crash_after", [1, 4])
async def test_crash_and_resume_equals_clean_sync(world: World, crash_after: int) -> None:
    checkpoints = MemoryCheckpoints()
    crashing = MemorySink(crash_after=crash_after)
    with pytest.raises(InjectedCrash):
        await IngestPipeline(TextParser(), crashing, checkpoints).sync(world.connector(), source="src")
    committed = crashing.upserts
    crashing.crash_after = None  # the restarted worker: same store, same checkpoints
    report = await IngestPipeline(TextParser(), crashing, checkpoints).sync(world.connector(), source="src")
    assert crashing.snapshot("src") == await clean_snapshot(world)
    assert committed + report.upserted <= N + 3  # at most the interrupted batch is replayed
