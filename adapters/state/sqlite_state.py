"""Conversation state in SQLite: its own ``chat_*`` tables in the knowledge store's file (``KBOT_DB``).

Safe for several ``kbot serve`` processes on one file: WAL, a busy timeout, and every claim or
counter change is ONE atomic statement (``INSERT ... ON CONFLICT DO UPDATE ... WHERE``), so two
replicas racing for an event id cannot both win. Expired rows are ignored on read and swept now and then.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from adapters.store.sqlite_file import SqliteFile
from bot.errors import StoreError
from bot.models import Turn
from bot.state import AnswerRecord

T = TypeVar("T")

DDL = """
CREATE TABLE IF NOT EXISTS chat_claims (
    key TEXT PRIMARY KEY, owner TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0,
    lease_until REAL NOT NULL, expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chat_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS chat_counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL);
"""
SWEEP_EVERY = 500  # writes between deletions of expired rows


class SqliteConversationState(SqliteFile):
    label = "state store"

    def __init__(self, path: Path | str, *, timeout: float = 10.0, clock: Callable[[], float] = time.time) -> None:
        super().__init__(path, DDL, timeout=timeout)
        self._clock = clock
        self._writes = 0

    async def _run(self, work: Callable[[sqlite3.Connection, float], T]) -> T:
        def locked() -> T:
            with self._lock, self._errors():
                if self._closed:
                    raise StoreError(f"state store {self.path} is closed")
                return work(self._conn, self._clock())

        return await asyncio.to_thread(locked)

    def _sweep(self, c: sqlite3.Connection, now: float) -> None:
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            for table in ("chat_claims", "chat_kv", "chat_counters"):
                c.execute(f"DELETE FROM {table} WHERE expires < ?", (now,))  # noqa: S608 - fixed names

    # --- claims --------------------------------------------------------------------------------
    async def claim(self, key: str, owner: str, *, lease_seconds: float, ttl_seconds: float) -> bool:
        def work(c: sqlite3.Connection, now: float) -> bool:
            self._sweep(c, now)
            cur = c.execute(
                "INSERT INTO chat_claims(key, owner, done, lease_until, expires) VALUES (?,?,0,?,?) "
                "ON CONFLICT(key) DO UPDATE SET owner=excluded.owner, done=0, "
                "lease_until=excluded.lease_until, expires=excluded.expires "
                "WHERE chat_claims.expires < ? OR (chat_claims.done = 0 AND chat_claims.lease_until < ?)",
                (key, owner, now + lease_seconds, now + ttl_seconds, now, now),
            )
            return cur.rowcount == 1

        return await self._run(work)

    async def renew(self, key: str, owner: str, *, lease_seconds: float) -> bool:
        def work(c: sqlite3.Connection, now: float) -> bool:
            cur = c.execute(
                "UPDATE chat_claims SET lease_until=? WHERE key=? AND owner=? AND done=0",
                (now + lease_seconds, key, owner),
            )
            return cur.rowcount == 1

        return await self._run(work)

    async def complete(self, key: str, owner: str) -> None:
        await self._run(lambda c, _: c.execute("UPDATE chat_claims SET done=1 WHERE key=? AND owner=?", (key, owner)))

    # --- key/value rows ------------------------------------------------------------------------
    async def _get(self, key: str) -> Any | None:
        def work(c: sqlite3.Connection, now: float) -> Any | None:
            row = c.execute("SELECT value FROM chat_kv WHERE key=? AND expires >= ?", (key, now)).fetchone()
            return json.loads(row[0]) if row else None

        return await self._run(work)

    async def _put(self, key: str, value: Any, ttl_seconds: float) -> None:
        def work(c: sqlite3.Connection, now: float) -> None:
            self._sweep(c, now)
            c.execute(
                "INSERT INTO chat_kv(key, value, expires) VALUES (?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value, expires=excluded.expires",
                (key, json.dumps(value), now + ttl_seconds),
            )

        await self._run(work)

    async def _delete(self, key: str) -> None:
        await self._run(lambda c, _: c.execute("DELETE FROM chat_kv WHERE key=?", (key,)))

    # --- turns ---------------------------------------------------------------------------------
    async def turns(self, thread: str) -> list[Turn]:
        stored = await self._get(f"turns:{thread}") or []
        return [Turn(t["role"], t["text"]) for t in stored]

    async def add_turns(self, thread: str, turns: Sequence[Turn], *, max_turns: int, ttl_seconds: float) -> None:
        key = f"turns:{thread}"
        new = [{"role": t.role, "text": t.text} for t in turns]

        def work(c: sqlite3.Connection, now: float) -> None:
            c.execute("BEGIN IMMEDIATE")  # read-modify-write: no other replica in between
            try:
                row = c.execute("SELECT value FROM chat_kv WHERE key=? AND expires >= ?", (key, now)).fetchone()
                kept = (json.loads(row[0]) if row else []) + new
                c.execute(
                    "INSERT INTO chat_kv(key, value, expires) VALUES (?,?,?) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value, expires=excluded.expires",
                    (key, json.dumps(kept[-max_turns:] if max_turns > 0 else []), now + ttl_seconds),
                )
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")

        await self._run(work)

    async def forget_turns(self, thread: str) -> None:
        await self._delete(f"turns:{thread}")

    # --- answers and sessions --------------------------------------------------------------------
    async def put_answer(self, record_id: str, record: AnswerRecord, *, ttl_seconds: float) -> None:
        await self._put(f"answer:{record_id}", record.to_json(), ttl_seconds)

    async def get_answer(self, record_id: str) -> AnswerRecord | None:
        found = await self._get(f"answer:{record_id}")
        return AnswerRecord.from_json(found) if isinstance(found, dict) else None

    async def session_id(self, thread: str) -> str | None:
        found = await self._get(f"session:{thread}")
        return found if isinstance(found, str) else None

    async def put_session_id(self, thread: str, session_id: str, *, ttl_seconds: float) -> None:
        await self._put(f"session:{thread}", session_id, ttl_seconds)

    async def forget_session_id(self, thread: str) -> None:
        await self._delete(f"session:{thread}")

    # --- counters --------------------------------------------------------------------------------
    async def bump(self, key: str, *, ttl_seconds: float) -> int:
        def work(c: sqlite3.Connection, now: float) -> int:
            self._sweep(c, now)
            row = c.execute(
                "INSERT INTO chat_counters(key, count, expires) VALUES (?,1,?) "
                "ON CONFLICT(key) DO UPDATE SET "
                "count = CASE WHEN chat_counters.expires < ? THEN 1 ELSE chat_counters.count + 1 END, "
                "expires = CASE WHEN chat_counters.expires < ? THEN excluded.expires ELSE chat_counters.expires END "
                "RETURNING count",
                (key, now + ttl_seconds, now, now),
            ).fetchone()
            return int(row[0])

        return await self._run(work)
