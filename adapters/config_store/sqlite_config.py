"""Configuration state in SQLite: its own ``cfg_*`` tables in the knowledge store's file (WAL).

Uses its own connection; every call runs in a worker thread. The audit table refuses UPDATE and
DELETE (triggers), so the log is append-only even for someone with a SQL shell and no intent.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from adapters.config_store import codec
from adapters.store.sqlite_file import SqliteFile
from bot.admin.models import AdminEntry, AuditEntry, ChannelSettings, SyncRequest
from bot.errors import NotFoundError, StoreError
from bot.models import Feedback, Source, SourceStatus

T = TypeVar("T")

DDL = """
CREATE TABLE IF NOT EXISTS cfg_sources (name TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cfg_source_status (source TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cfg_channels (
    platform TEXT NOT NULL, channel_id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (platform, channel_id)
);
CREATE TABLE IF NOT EXISTS cfg_admins (user TEXT PRIMARY KEY, added_by TEXT NOT NULL, added_at TEXT);
CREATE TABLE IF NOT EXISTS cfg_feedback (
    id INTEGER PRIMARY KEY, data TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cfg_sync_requests (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cfg_audit (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS cfg_audit_no_update BEFORE UPDATE ON cfg_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS cfg_audit_no_delete BEFORE DELETE ON cfg_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class SqliteConfigRepository(SqliteFile):
    label = "config store"

    def __init__(self, path: Path | str, *, timeout: float = 5.0) -> None:
        super().__init__(path, DDL, timeout=timeout)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def locked() -> T:
            with self._lock, self._errors():
                if self._closed:
                    raise StoreError(f"config store {self.path} is closed")
                return work(self._conn)

        return await asyncio.to_thread(locked)

    async def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        await self._run(lambda c: c.execute(sql, args))

    async def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await self._run(lambda c: c.execute(sql, args).fetchall())

    # --- sources and status ------------------------------------------------------------------
    async def list_sources(self) -> list[Source]:
        rows = await self._rows("SELECT data FROM cfg_sources ORDER BY name")
        return [codec.source_from_dict(json.loads(r[0])) for r in rows]

    async def get_source(self, name: str) -> Source:
        rows = await self._rows("SELECT data FROM cfg_sources WHERE name=?", (name,))
        if not rows:
            raise NotFoundError(f"no source named '{name}'")
        return codec.source_from_dict(json.loads(rows[0][0]))

    async def save_source(self, source: Source) -> None:
        await self._write(
            "INSERT INTO cfg_sources(name, data, updated_at) VALUES (?,?,?) "
            "ON CONFLICT(name) DO UPDATE SET data=excluded.data, updated_at=excluded.updated_at",
            (source.name, json.dumps(codec.source_to_dict(source)), codec.ts(codec.now())),
        )

    async def remove_source(self, name: str) -> None:
        def work(c: sqlite3.Connection) -> int:
            c.execute("BEGIN IMMEDIATE")
            try:
                found = c.execute("DELETE FROM cfg_sources WHERE name=?", (name,)).rowcount
                c.execute("DELETE FROM cfg_source_status WHERE source=?", (name,))
                c.execute("DELETE FROM cfg_sync_requests WHERE source=?", (name,))
                # A source re-added under this name must start with a full sync, not an old checkpoint.
                if c.execute("SELECT 1 FROM sqlite_master WHERE name='ingest_checkpoints'").fetchone():
                    c.execute("DELETE FROM ingest_checkpoints WHERE source=?", (name,))
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")
            return int(found)

        if not await self._run(work):
            raise NotFoundError(f"no source named '{name}'")

    async def get_status(self, name: str) -> SourceStatus:
        rows = await self._rows("SELECT data FROM cfg_source_status WHERE source=?", (name,))
        return codec.status_from_dict(json.loads(rows[0][0])) if rows else SourceStatus(source=name)

    async def save_status(self, status: SourceStatus) -> None:
        await self._write(
            "INSERT INTO cfg_source_status(source, data) VALUES (?,?) "
            "ON CONFLICT(source) DO UPDATE SET data=excluded.data",
            (status.source, json.dumps(codec.status_to_dict(status))),
        )

    # --- channels ------------------------------------------------------------------------------
    async def get_channel(self, platform: str, channel_id: str) -> ChannelSettings | None:
        rows = await self._rows(
            "SELECT data FROM cfg_channels WHERE platform=? AND channel_id=?", (platform, channel_id)
        )
        return codec.channel_from_dict(json.loads(rows[0][0])) if rows else None

    async def save_channel(self, settings: ChannelSettings) -> None:
        await self._write(
            "INSERT INTO cfg_channels(platform, channel_id, data) VALUES (?,?,?) "
            "ON CONFLICT(platform, channel_id) DO UPDATE SET data=excluded.data",
            (settings.platform, settings.channel_id, json.dumps(codec.channel_to_dict(settings))),
        )

    async def list_channels(self) -> list[ChannelSettings]:
        rows = await self._rows("SELECT data FROM cfg_channels ORDER BY platform, channel_id")
        return [codec.channel_from_dict(json.loads(r[0])) for r in rows]

    # --- admins ---------------------------------------------------------------------------------
    async def list_admins(self) -> list[AdminEntry]:
        rows = await self._rows("SELECT user, added_by, added_at FROM cfg_admins ORDER BY user")
        return [codec.admin_from_row(*r) for r in rows]

    async def add_admin(self, entry: AdminEntry) -> None:
        await self._write(
            "INSERT INTO cfg_admins(user, added_by, added_at) VALUES (?,?,?) "
            "ON CONFLICT(user) DO UPDATE SET added_by=excluded.added_by, added_at=excluded.added_at",
            (entry.user.lower(), entry.added_by, codec.ts(entry.added or codec.now())),
        )

    async def remove_admin(self, user: str) -> None:
        await self._write("DELETE FROM cfg_admins WHERE user=?", (user.lower(),))

    # --- audit ----------------------------------------------------------------------------------
    async def append_audit(self, entry: AuditEntry) -> None:
        await self._write(
            "INSERT INTO cfg_audit(at, actor, action, target, outcome, detail) VALUES (?,?,?,?,?,?)",
            (
                codec.ts(entry.at or codec.now()),
                entry.actor,
                entry.action,
                entry.target,
                entry.outcome,
                entry.detail,
            ),
        )

    async def list_audit(self, limit: int = 50) -> list[AuditEntry]:
        rows = await self._rows(
            "SELECT actor, action, target, outcome, detail, at FROM cfg_audit ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [codec.audit_from_row(*r) for r in rows]

    # --- sync requests ------------------------------------------------------------------------
    async def add_sync_request(self, request: SyncRequest) -> None:
        await self._write(
            "INSERT INTO cfg_sync_requests(id, source, requested_by, requested_at) VALUES (?,?,?,?)",
            (
                request.id or uuid.uuid4().hex,
                request.source,
                request.requested_by,
                codec.ts(request.at or codec.now()),
            ),
        )

    async def pending_sync_requests(self) -> list[SyncRequest]:
        rows = await self._rows(
            "SELECT id, source, requested_by, requested_at FROM cfg_sync_requests ORDER BY requested_at"
        )
        return [codec.sync_from_row(*r) for r in rows]

    async def complete_sync_request(self, request_id: str) -> None:
        await self._write("DELETE FROM cfg_sync_requests WHERE id=?", (request_id,))

    # --- feedback -------------------------------------------------------------------------------
    async def record_feedback(self, feedback: Feedback) -> None:
        data = codec.feedback_to_dict(feedback)
        await self._write(
            "INSERT INTO cfg_feedback(data, created_at) VALUES (?,?)", (json.dumps(data), data["created"])
        )

    async def list_feedback(self, limit: int = 50) -> list[Feedback]:
        rows = await self._rows("SELECT data FROM cfg_feedback ORDER BY id DESC LIMIT ?", (limit,))
        return [codec.feedback_from_dict(json.loads(r[0])) for r in rows]
