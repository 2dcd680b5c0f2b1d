"""Replicas starting together on one new SQLite file: whoever creates the schema holds the write lock,
possibly longer than one busy timeout on a loaded machine. Opening must wait for it, not fail."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from adapters.config_store.sqlite_config import SqliteConfigRepository
from adapters.store.sqlite_store import SqliteStore


def _hold_write_lock(db: Path, seconds: float) -> threading.Thread:
    """Another process creating its schema: the write lock held for ``seconds``."""
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE IF NOT EXISTS someone_elses_schema (x)")

    def release() -> None:
        time.sleep(seconds)
        holder.execute("COMMIT")
        holder.close()

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    return thread


async def test_store_waits_for_another_process_creating_the_schema(tmp_path: Path) -> None:
    db = tmp_path / "kbot.db"
    thread = _hold_write_lock(db, 1.0)
    started = time.monotonic()
    store = SqliteStore(db, timeout=0.2)  # one busy timeout is far shorter than the lock is held
    assert time.monotonic() - started >= 0.8
    assert (await store.stats())["documents"] == 0
    await store.close()
    thread.join(5)


async def test_config_store_waits_too(tmp_path: Path) -> None:
    db = tmp_path / "kbot.db"
    thread = _hold_write_lock(db, 1.0)
    repo = SqliteConfigRepository(db, timeout=0.2)
    assert await repo.list_sources() == []
    await repo.close()
    thread.join(5)
