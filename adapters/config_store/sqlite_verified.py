"""Verified answers and expert requests in SQLite (``cfg_verified*`` tables in the store's file)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from adapters.store.sqlite_store import open_database, translate_errors
from bot.verified.models import ExpertRequest, VerifiedAnswer

T = TypeVar("T")

DDL = """
CREATE TABLE IF NOT EXISTS cfg_verified (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cfg_verified_requests (
    id TEXT PRIMARY KEY, data TEXT NOT NULL, notified INTEGER NOT NULL DEFAULT 0
);
"""


class SqliteVerifiedRepository:
    def __init__(self, path: Path | str, *, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        # No DDL at open: `kbot ask` reads this while an ingest may hold the write lock; the tables
        # are created by the first write, and reads before that see no verified answers.
        self._conn = open_database(self.path, "", timeout=timeout)
        self._ready = False

    async def close(self) -> None:
        def close_locked() -> None:
            with self._lock:
                self._conn.close()

        await asyncio.to_thread(close_locked)

    async def _run(self, work: Callable[[sqlite3.Connection], T], *, empty: T | None = None) -> T:
        """``empty``: a read's result while the tables do not exist yet (None: a write, which creates them)."""

        def locked() -> T:
            with self._lock, translate_errors(self.path):
                if not self._ready:
                    names = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                    self._ready = {"cfg_verified", "cfg_verified_requests"} <= names
                    if not self._ready and empty is not None:
                        return empty
                    if not self._ready:
                        self._conn.executescript(DDL)
                        self._ready = True
                return work(self._conn)

        return await asyncio.to_thread(locked)

    async def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await self._run(lambda c: c.execute(sql, args).fetchall(), empty=[])

    async def list_verified(self) -> list[VerifiedAnswer]:
        rows = await self._rows("SELECT data FROM cfg_verified ORDER BY id")
        return [VerifiedAnswer.from_dict(json.loads(r[0])) for r in rows]

    async def get_verified(self, answer_id: str) -> VerifiedAnswer | None:
        rows = await self._rows("SELECT data FROM cfg_verified WHERE id=?", (answer_id,))
        return VerifiedAnswer.from_dict(json.loads(rows[0][0])) if rows else None

    async def save_verified(self, answer: VerifiedAnswer) -> None:
        data = json.dumps(answer.to_dict())
        await self._run(
            lambda c: c.execute(
                "INSERT INTO cfg_verified(id, data) VALUES (?,?) ON CONFLICT(id) DO UPDATE SET data=excluded.data",
                (answer.id, data),
            )
        )

    async def remove_verified(self, answer_id: str) -> bool:
        count = await self._run(lambda c: c.execute("DELETE FROM cfg_verified WHERE id=?", (answer_id,)).rowcount)
        return bool(count)

    async def save_expert_request(self, request: ExpertRequest) -> None:
        data = json.dumps(request.to_dict())
        await self._run(
            lambda c: c.execute(
                "INSERT INTO cfg_verified_requests(id, data, notified) VALUES (?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET data=excluded.data",
                (request.id, data, int(request.notified)),
            )
        )

    async def get_expert_request(self, request_id: str) -> ExpertRequest | None:
        rows = await self._rows("SELECT data, notified FROM cfg_verified_requests WHERE id=?", (request_id,))
        if not rows:
            return None
        request = ExpertRequest.from_dict(json.loads(rows[0][0]))
        request.notified = bool(rows[0][1])
        return request

    async def claim_notification(self, request_id: str) -> bool:
        """One conditional UPDATE, so two saves racing still tell the asker once."""
        count = await self._run(
            lambda c: (
                c.execute(
                    "UPDATE cfg_verified_requests SET notified=1 WHERE id=? AND notified=0", (request_id,)
                ).rowcount
            )
        )
        return bool(count)
