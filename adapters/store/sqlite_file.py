"""What every kbot SQLite repository shares: one connection to a WAL file, a lock around it (sqlite3
connections are not thread-safe and queries run in worker threads), a close that waits for the query in
flight, and sqlite3 errors translated into :mod:`bot.errors` under the repository's own name."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from adapters.store.sqlite_store import open_database
from bot.errors import StoreError, StoreLocked


class SqliteFile:
    label = "store"  # how errors name it: "config store", "state store", ...

    def __init__(self, path: Path | str, ddl: str, *, timeout: float) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._closed = False
        self._conn = open_database(self.path, ddl, timeout=timeout)

    async def close(self) -> None:
        """Close after any in-flight query (closing under a running query crashes sqlite3)."""

        def close_locked() -> None:
            with self._lock:
                self._closed = True
                self._conn.close()

        await asyncio.to_thread(close_locked)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreLocked(f"{self.label} {self.path} is locked by another process") from exc
            raise StoreError(f"{self.label} {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.label} {self.path} is not usable: {exc}") from exc
