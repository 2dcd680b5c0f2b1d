"""``ingest.interfaces.PendingIngests`` in the store's SQLite file (local and single-host runs)."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

from adapters.store.sqlite_store import open_database, translate_errors

DDL = """
CREATE TABLE IF NOT EXISTS ingest_pending (
    data_source TEXT NOT NULL,
    source TEXT NOT NULL,
    token TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (data_source, source)
);
"""


def new_token() -> str:
    """Unique per mark: a re-mark after the job started has a different token and survives ``clear``."""
    return f"{datetime.now(UTC).isoformat()}#{uuid.uuid4().hex[:8]}"


class SqlitePendingIngests:
    def __init__(self, path: Path | str, *, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection = open_database(self.path, DDL, timeout=timeout)

    async def close(self) -> None:
        self._conn.close()

    async def mark(self, data_source: str, source: str) -> None:
        token = new_token()
        with translate_errors(self.path):
            self._conn.execute(
                "INSERT INTO ingest_pending(data_source, source, token, marked_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(data_source, source) DO UPDATE SET token = excluded.token, "
                "marked_at = excluded.marked_at",
                (data_source, source, token, token.split("#", 1)[0]),
            )

    async def pending(self, data_source: str) -> dict[str, str]:
        with translate_errors(self.path):
            rows = self._conn.execute(
                "SELECT source, token FROM ingest_pending WHERE data_source = ? ORDER BY source", (data_source,)
            ).fetchall()
        return {source: token for source, token in rows}

    async def clear(self, data_source: str, marks: dict[str, str]) -> None:
        with translate_errors(self.path):
            self._conn.executemany(
                "DELETE FROM ingest_pending WHERE data_source = ? AND source = ? AND token = ?",
                [(data_source, source, token) for source, token in marks.items()],
            )
