"""The worker: status records, a killed sync restarted on the real local store, the loop, ``kbot sync``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest

from adapters.store.checkpoints import SqliteCheckpointStore
from adapters.store.sqlite_store import SqliteStore
from bot.models import Document, Source, SourceStatus
from ingest.http import HttpClients
from ingest.local_sink import LocalStoreSink
from ingest.pipeline import IngestPipeline
from ingest.worker import SyncWorker
from tests.fakes import HashEmbedder
from tests.ingest.fakes import InjectedCrash, MemorySourceRepository, TextParser
from tests.ingest.worlds import SharePointWorld

N = 9


class CrashingSink(LocalStoreSink):
    """The real local-store sink, killed after ``crash_after`` documents were written."""

    def __init__(self, store: SqliteStore, crash_after: int) -> None:
        super().__init__(store, HashEmbedder())
        self.crash_after = crash_after
        self.written = 0

    async def upsert(self, documents: Sequence[Document]) -> None:
        for doc in documents:
            if self.written >= self.crash_after:
                raise InjectedCrash("worker killed")
            await super().upsert([doc])
            self.written += 1


async def store_state(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    store = SqliteStore(path)
    try:
        stats = await store.stats()
        return await store.known("hr"), {k: stats[k] for k in ("documents", "chunks")}
    finally:
        await store.close()


async def run_sync(world: SharePointWorld, db: Path, repo: MemorySourceRepository, crash_after: int | None):
    store = SqliteStore(db)
    checkpoints = SqliteCheckpointStore(db)
    sink = (
        CrashingSink(store, crash_after) if crash_after is not None else LocalStoreSink(store, HashEmbedder())
    )

    async def connectors(source: Source):
        return world.connector()

    try:
        worker = SyncWorker(repo, IngestPipeline(TextParser(), sink, checkpoints), connectors)
        return await worker.run_once(["hr"])
    finally:
        await checkpoints.close()
        await store.close()


async def test_killed_worker_restarts_to_a_clean_full_sync(tmp_path, http_session, sleeps) -> None:
    world = SharePointWorld()
    await world.open(http_session, sleeps)
    try:
        world.seed(N)
        repo = MemorySourceRepository([Source(name="hr", kind="sharepoint")])
        db = tmp_path / "kbot.db"
        with pytest.raises(InjectedCrash):
            await run_sync(world, db, repo, crash_after=4)
        assert repo.statuses["hr"].running  # killed mid-sync: never marked done
        partial, _ = await store_state(db)
        assert 0 < len(partial) < N

        outcome = (await run_sync(world, db, repo, crash_after=None))[0]
        assert outcome.report is not None and outcome.report.upserted <= N - 3  # resumed, not restarted

        clean_db = tmp_path / "clean.db"
        await run_sync(world, clean_db, MemorySourceRepository([Source(name="hr", kind="sharepoint")]), None)
        assert await store_state(db) == await store_state(clean_db)
        status = repo.statuses["hr"]
        assert not status.running and status.documents == N and status.failures == 0
        assert status.last_success is not None and status.last_error is None
    finally:
        await world.close()


async def test_loop_runs_due_sources_and_records_failures(tmp_path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Alpha.")
    (docs / "b.bin").write_bytes(b"\x00")
    repo = MemorySourceRepository(
        [
            Source(name="good", kind="folder", settings={"path": str(docs), "interval_minutes": 60}),
            Source(name="broken", kind="folder", settings={"path": str(tmp_path / "missing")}),
            Source(name="off", kind="folder", settings={"path": str(docs)}, enabled=False),
        ]
    )
    from ingest.connectors.folder import FolderConnector
    from tests.ingest.fakes import MemoryCheckpoints, MemorySink

    async def connectors(source: Source):
        from ingest.kinds import ConnectorContext
        from ingest.registry import build_connector

        no_http = cast(HttpClients, None)  # folders never speak HTTP
        conn = await build_connector(source, ConnectorContext(no_http, supports=TextParser().supports))
        assert isinstance(conn, FolderConnector)
        return conn

    sink = MemorySink()
    worker = SyncWorker(repo, IngestPipeline(TextParser(), sink, MemoryCheckpoints()), connectors)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop, max_idle=0.05))
    for _ in range(100):
        await asyncio.sleep(0.02)
        if {"good", "broken"} <= set(repo.statuses) and not any(s.running for s in repo.statuses.values()):
            break
    await asyncio.sleep(0.2)  # a few more loop turns: nothing is due again within the interval
    stop.set()
    await asyncio.wait_for(task, 2)

    good, broken = repo.statuses["good"], repo.statuses["broken"]
    assert good.documents == 1 and good.failures == 1 and "b.bin" in good.failure_samples[0]
    assert broken.last_success is None and "does not exist" in (broken.last_error or "")
    assert "off" not in repo.statuses
    assert sum(1 for s in repo.status_history if s.source == "good" and not s.running) == 1


async def test_loop_honours_admin_sync_requests(tmp_path) -> None:
    from bot.admin.models import SyncRequest
    from tests.ingest.fakes import MemoryCheckpoints, MemorySink

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Alpha.")
    repo = MemorySourceRepository([Source(name="good", kind="folder", settings={"path": str(docs)})])
    repo.statuses["good"] = SourceStatus("good", last_run=datetime.now(UTC))  # ran just now: not due
    repo.sync_requests.append(SyncRequest(source="good", requested_by="admin", id="r1"))

    async def connectors(source: Source):
        from ingest.connectors.folder import FolderConnector

        return FolderConnector(source.name, docs, supports=TextParser().supports)

    sink = MemorySink()
    worker = SyncWorker(repo, IngestPipeline(TextParser(), sink, MemoryCheckpoints()), connectors)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop, max_idle=0.05))
    for _ in range(100):
        await asyncio.sleep(0.02)
        if not repo.sync_requests:
            break
    stop.set()
    await asyncio.wait_for(task, 2)
    assert not repo.sync_requests and repo.statuses["good"].documents == 1 and len(sink.docs) == 1


async def test_kbot_sync_command_on_the_local_store(tmp_path, capsys) -> None:
    from adapters.cli.commands.sync import run
    from adapters.wiring import App, AppOverrides
    from bot.settings import load_settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "leave.md").write_text("# Leave\nAnnual leave is 25 days.")
    repo = MemorySourceRepository([Source(name="handbook", kind="folder", settings={"path": str(docs)})])
    app = App(
        load_settings(kbot_db=tmp_path / "kbot.db"),
        AppOverrides(embedder=HashEmbedder(), config=repo, parser=TextParser()),  # type: ignore[arg-type]
    )
    try:
        code = await run(argparse.Namespace(source=["handbook"], json=False), app)
        assert code == 0
        assert "handbook: 1 seen, 1 parsed" in capsys.readouterr().out
        assert await app.store.known("handbook")
        code = await run(argparse.Namespace(source=[], json=False), app)
        assert code == 0 and "0 parsed, 1 unchanged" in capsys.readouterr().out
        repo.sources["handbook"].settings["path"] = str(tmp_path / "gone")
        code = await run(argparse.Namespace(source=["handbook"], json=False), app)
        assert code == 1 and "does not exist" in capsys.readouterr().err
    finally:
        await app.aclose()


@pytest.mark.slow  # a real `kbot worker` process: real parser and embedding model (~15 s)
def test_kbot_worker_process_stops_cleanly_on_sigterm(tmp_path) -> None:
    """The Procfile's ``worker: kbot worker`` starts, syncs a source, and exits 0 on SIGTERM."""
    import os
    import queue
    import shutil
    import signal
    import subprocess
    import sys
    import threading

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Leave is 25 days.")
    env = {**os.environ, "KBOT_DB": str(tmp_path / "kbot.db"), "KBOT_LOG_LEVEL": "INFO"}
    kbot = shutil.which("kbot") or f"{sys.prefix}/bin/kbot"
    subprocess.run(
        [kbot, "sources", "add", "folder", "handbook", "--set", f"path={docs}"],
        env=env,
        check=True,
        timeout=60,
    )
    proc = subprocess.Popen(
        [kbot, "worker", "--max-idle", "0.2"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    stderr = proc.stderr
    assert stderr is not None

    def pump() -> None:
        for line in stderr:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        while not any("handbook: 1 seen, 1 parsed" in line for line in seen):
            seen.append(lines.get(timeout=60))  # bounded: raises queue.Empty if the worker hangs
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        reader.join(timeout=5)
        while not lines.empty():
            seen.append(lines.get())
        text = "".join(seen)
        assert "kbot worker stopped" in text and "Traceback" not in text
    finally:
        if proc.poll() is None:
            proc.kill()
