"""Connector checkpoints and per-source sync status in the store's SQLite file (own tables, WAL).

Checkpoints are saved after every batch (see :mod:`ingest.pipeline`), in their own connection so
a checkpoint write never waits on the store's long write transactions beyond ``busy_timeout``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.store.sqlite_store import open_database, translate_errors
from bot.models import SourceStatus

DDL = """
CREATE TABLE IF NOT EXISTS ingest_checkpoints (
    source TEXT PRIMARY KEY,
    checkpoint TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_status (
    source TEXT PRIMARY KEY,
    status TEXT NOT NULL
);
"""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def status_to_json(status: SourceStatus) -> dict[str, Any]:
    return {
        "source": status.source, "last_run": _iso(status.last_run), "last_success": _iso(status.last_success),
        "documents": status.documents, "failures": status.failures, "last_error": status.last_error,
        "running": status.running, "failure_samples": list(status.failure_samples),
    }


def status_from_json(data: dict[str, Any]) -> SourceStatus:
    return SourceStatus(
        source=data["source"], last_run=_dt(data.get("last_run")), last_success=_dt(data.get("last_success")),
        documents=int(data.get("documents", 0)), failures=int(data.get("failures", 0)),
        last_error=data.get("last_error"), running=bool(data.get("running", False)),
        failure_samples=list(data.get("failure_samples", [])),
    )


class SqliteCheckpointStore:
    def __init__(self, path: Path | str, *, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection = open_database(self.path, DDL, timeout=timeout)

    async def close(self) -> None:
        self._conn.close()

    async def load_checkpoint(self, source: str) -> dict | None:
        with translate_errors(self.path):
            row = self._conn.execute(
                "SELECT checkpoint FROM ingest_checkpoints WHERE source = ?", (source,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    async def save_checkpoint(self, source: str, checkpoint: dict | None) -> None:
        with translate_errors(self.path):
            if checkpoint is None:
                self._conn.execute("DELETE FROM ingest_checkpoints WHERE source = ?", (source,))
                return
            self._conn.execute(
                "INSERT INTO ingest_checkpoints(source, checkpoint, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(source) DO UPDATE SET checkpoint = excluded.checkpoint, "
                "updated_at = excluded.updated_at",
                (source, json.dumps(checkpoint, sort_keys=True), datetime.now(UTC).isoformat()),
            )

    async def get_status(self, name: str) -> SourceStatus:
        with translate_errors(self.path):
            row = self._conn.execute("SELECT status FROM ingest_status WHERE source = ?", (name,)).fetchone()
        return status_from_json(json.loads(row[0])) if row else SourceStatus(source=name)

    async def save_status(self, status: SourceStatus) -> None:
        with translate_errors(self.path):
            self._conn.execute(
                "INSERT INTO ingest_status(source, status) VALUES (?, ?) "
                "ON CONFLICT(source) DO UPDATE SET status = excluded.status",
                (status.source, json.dumps(status_to_json(status))),
            )
