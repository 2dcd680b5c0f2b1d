"""The local knowledge store: documents, chunks, FTS5 index and cached embeddings in one SQLite file.

This is persistence only; chunking and embedding happen in :mod:`ingest.local_sink`, fusion in
:mod:`bot.retrieval`. sqlite3 errors are translated into :mod:`bot.errors` here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import numpy as np

from adapters.store.schema import connect, migrate
from adapters.store.vectors import VectorIndex
from bot.errors import StoreError, StoreLocked
from bot.models import Chunk, Document, Passage
from bot.text import content_words


@contextlib.contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:
        msg = str(exc)
        if "locked" in msg or "busy" in msg:
            raise StoreLocked(f"knowledge store {path} is locked by another process; try again") from exc
        raise StoreError(f"knowledge store {path}: {msg}") from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"knowledge store {path} is not a usable SQLite database: {exc}") from exc


T = TypeVar("T")

_SPLITTABLE = re.compile(r"^(\d+)([a-z]+)$")


# Several replicas (or a worker and `kbot serve`) may open one new file at the same moment: creating the
# schema needs the write lock, which the other may hold longer than one busy timeout on a loaded machine.
SCHEMA_LOCK_SECONDS = 60.0


def _retry_locked(work: Callable[[], T], path: Path, *, seconds: float = SCHEMA_LOCK_SECONDS) -> T:
    """Run ``work`` (opening, schema DDL), retrying while another process holds the write lock."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return work()
        except sqlite3.OperationalError as exc:
            locked = "locked" in str(exc) or "busy" in str(exc)
            if not locked or time.monotonic() >= deadline:
                with translate_errors(path):
                    raise
            time.sleep(0.2)


def open_database(path: Path, ddl: str, *, timeout: float = 5.0) -> sqlite3.Connection:
    """Open (creating the folder) one of kbot's SQLite files in WAL mode and apply ``ddl``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store folder {path.parent}: {exc}") from exc

    def open_and_create() -> sqlite3.Connection:
        conn = connect(str(path), timeout=timeout)
        try:
            if _missing_objects(conn, ddl):  # DDL takes the write lock: readers must not wait on an ingest
                conn.executescript(ddl)
        except BaseException:
            conn.close()
            raise
        return conn

    with translate_errors(path):
        return _retry_locked(open_and_create, path)


_CREATED = re.compile(r"CREATE\s+(?:TABLE|INDEX|VIRTUAL\s+TABLE|TRIGGER)\s+IF\s+NOT\s+EXISTS\s+(\w+)", re.I)


def _missing_objects(conn: sqlite3.Connection, ddl: str) -> bool:
    """Whether ``ddl`` would create anything (reading the schema needs no write lock in WAL mode)."""
    wanted = set(_CREATED.findall(ddl))
    if not ddl.strip():
        return False
    if not wanted:
        return True  # not only idempotent CREATEs: run it
    have = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    return not wanted <= have


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqliteStore:
    def __init__(self, path: Path | str, *, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self._conn = open_database(self.path, "", timeout=timeout)
        with translate_errors(self.path):
            _retry_locked(lambda: migrate(self._conn), self.path)
        self._vectors = VectorIndex(self._conn)
        self._writes = 0  # bumped on every write: own commits don't change PRAGMA data_version
        self._df_cache: dict[str, int] = {}
        self._df_cache_key: tuple[int, int] | None = None
        self._df_total = 0

    async def close(self) -> None:
        self._conn.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with translate_errors(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            self._writes += 1

    # --- sources --------------------------------------------------------------------------
    async def ensure_source(self, name: str, kind: str, location: str | None = None) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO store_sources(name, kind, location, created_at) VALUES (?,?,?,?) "
                "ON CONFLICT(name) DO UPDATE SET kind=excluded.kind, location=excluded.location",
                (name, kind, location, _now()),
            )

    async def source_location(self, name: str) -> str | None:
        with translate_errors(self.path):
            row = self._conn.execute("SELECT location FROM store_sources WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    async def delete_source(self, name: str) -> int:
        """Remove a source and all its documents; returns the number of documents removed."""
        ids = list(await self.known(name))
        await self.delete(name, ids)
        with self._tx() as c:
            c.execute("DELETE FROM store_sources WHERE name=?", (name,))
        return len(ids)

    # --- documents ------------------------------------------------------------------------
    async def known(self, source: str) -> dict[str, str]:
        with translate_errors(self.path):
            rows = self._conn.execute("SELECT id, content_hash FROM documents WHERE source=?", (source,))
            return {r[0]: r[1] for r in rows}

    async def failed_parses(self, source: str) -> dict[str, tuple[str, str]]:
        """Documents whose parse failed: id -> (content hash, reason); not parsed again until changed."""
        with translate_errors(self.path):
            rows = self._conn.execute("SELECT id, content_hash, reason FROM parse_failures WHERE source=?", (source,))
            return {r[0]: (r[1], r[2]) for r in rows}

    async def record_parse_failures(
        self, source: str, failed: dict[str, tuple[str, str]], cleared: Sequence[str]
    ) -> None:
        if not failed and not cleared:
            return
        with self._tx() as c:
            c.executemany("DELETE FROM parse_failures WHERE source=? AND id=?", [(source, d) for d in cleared])
            c.executemany(
                "INSERT OR REPLACE INTO parse_failures(source, id, content_hash, reason) VALUES (?,?,?,?)",
                [(source, d, h, r) for d, (h, r) in failed.items()],
            )

    async def cached_vectors(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with translate_errors(self.path):
            for start in range(0, len(hashes), 500):
                part = list(hashes[start : start + 500])
                marks = ",".join("?" * len(part))
                rows = self._conn.execute(
                    f"SELECT text_hash, vector FROM embeddings WHERE model_id=? AND text_hash IN ({marks})",
                    [model_id, *part],
                )
                out.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        return out

    async def write_documents(
        self,
        items: Sequence[tuple[Document, Sequence[Chunk], Sequence[str]]],
        vectors: dict[str, np.ndarray],
        model_id: str,
    ) -> None:
        """Replace each document's row and chunks atomically (one transaction for the batch)."""
        now = _now()
        with self._tx() as c:
            c.executemany(
                "INSERT OR IGNORE INTO embeddings(model_id, text_hash, vector) VALUES (?,?,?)",
                [(model_id, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()],
            )
            for doc, chunks, hashes in items:
                self._delete_doc(c, doc.source, doc.id)
                cur = c.execute(
                    "INSERT INTO documents(source, id, uri, title, content_hash, modified, acl_groups, author,"
                    " metadata, indexed_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        doc.source, doc.id, doc.uri, doc.title, doc.content_hash,
                        doc.modified.isoformat() if doc.modified else None,
                        json.dumps(sorted(set(doc.acl_groups))), doc.author,
                        json.dumps(doc.metadata, default=str), now,
                    ),
                )
                pk = cur.lastrowid
                for chunk, text_hash in zip(chunks, hashes, strict=True):
                    cid = c.execute(
                        "INSERT INTO chunks(doc_pk, ordinal, heading, text, text_hash) VALUES (?,?,?,?,?)",
                        (pk, chunk.ordinal, chunk.heading, chunk.text, text_hash),
                    ).lastrowid
                    c.execute(
                        "INSERT INTO chunks_fts(rowid, title, heading, text) VALUES (?,?,?,?)",
                        (cid, doc.title, chunk.heading, chunk.text),
                    )
        self._vectors.invalidate()

    async def delete(self, source: str, doc_ids: Sequence[str]) -> None:
        if not doc_ids:
            return
        with self._tx() as c:
            for doc_id in doc_ids:
                self._delete_doc(c, source, doc_id)
            c.execute(
                "DELETE FROM embeddings WHERE text_hash NOT IN (SELECT text_hash FROM chunks)"
            )
        self._vectors.invalidate()

    @staticmethod
    def _delete_doc(c: sqlite3.Connection, source: str, doc_id: str) -> None:
        row = c.execute("SELECT pk FROM documents WHERE source=? AND id=?", (source, doc_id)).fetchone()
        if row is None:
            return
        c.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE doc_pk=?)", (row[0],))
        c.execute("DELETE FROM chunks WHERE doc_pk=?", (row[0],))
        c.execute("DELETE FROM documents WHERE pk=?", (row[0],))

    async def stats(self) -> dict[str, int]:
        with translate_errors(self.path):
            q = self._conn.execute
            return {
                "sources": q("SELECT count(*) FROM store_sources").fetchone()[0],
                "documents": q("SELECT count(*) FROM documents").fetchone()[0],
                "chunks": q("SELECT count(*) FROM chunks").fetchone()[0],
                "embeddings": q("SELECT count(*) FROM embeddings").fetchone()[0],
            }

    async def source_counts(self) -> dict[str, int]:
        with translate_errors(self.path):
            rows = self._conn.execute("SELECT source, count(*) FROM documents GROUP BY source")
            return {r[0]: r[1] for r in rows}

    # --- search ---------------------------------------------------------------------------
    def _filter_sql(self, groups: Sequence[str] | None, sources: Sequence[str] | None) -> tuple[str, list]:
        clauses, args = [], []
        if sources is not None:
            clauses.append(f"d.source IN ({','.join('?' * len(sources))})" if sources else "0")
            args += list(sources)
        if groups is not None:
            g = ",".join("?" * len(groups))
            clauses.append(
                "(d.acl_groups = '[]'"
                + (f" OR EXISTS (SELECT 1 FROM json_each(d.acl_groups) WHERE value IN ({g}))" if groups else "")
                + ")"
            )
            args += list(groups)
        return (" AND ".join(clauses) or "1"), args

    async def search_bm25(
        self, query: str, *, k: int, groups: Sequence[str] | None = None, sources: Sequence[str] | None = None
    ) -> list[tuple[int, float]]:
        terms = list(dict.fromkeys(content_words(query)))[:32]
        if not terms:
            return []
        phrases = ['"' + t.replace('"', "") + '"' for t in terms]
        # "401k" in a question vs "401(k)" in the text: also match the split form.
        phrases += [f'"{m.group(1)} {m.group(2)}"' for t in terms if (m := _SPLITTABLE.match(t))]
        match = " OR ".join(phrases)
        where, args = self._filter_sql(groups, sources)
        sql = (
            "SELECT c.id, bm25(chunks_fts, 3.0, 2.0, 1.0) AS s FROM chunks_fts"
            " JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.pk = c.doc_pk"
            f" WHERE chunks_fts MATCH ? AND {where} ORDER BY s LIMIT ?"
        )

        def run() -> list[tuple[int, float]]:
            with translate_errors(self.path):
                return self._conn.execute(sql, [match, *args, k]).fetchall()

        rows = await asyncio.to_thread(run)
        return [(cid, -score) for cid, score in rows]

    async def term_document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(number of chunks, {term: chunks containing it}) — cached until the store changes."""
        with translate_errors(self.path):
            version = (self._conn.execute("PRAGMA data_version").fetchone()[0], self._writes)
            if self._df_cache_key != version:
                self._df_cache, self._df_cache_key = {}, version
                self._df_total = self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
            for term in terms:
                if term not in self._df_cache:
                    phrase = '"' + term.replace('"', "") + '"'
                    self._df_cache[term] = self._conn.execute(
                        "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (phrase,)
                    ).fetchone()[0]
        return self._df_total, {t: self._df_cache[t] for t in terms}

    async def search_dense(
        self,
        vector: np.ndarray,
        model_id: str,
        *,
        k: int,
        groups: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[tuple[int, float]]:
        allowed = None
        if groups is not None or sources is not None:
            where, args = self._filter_sql(groups, sources)
            with translate_errors(self.path):
                allowed = [r[0] for r in self._conn.execute(f"SELECT d.pk FROM documents d WHERE {where}", args)]
        with translate_errors(self.path):
            return self._vectors.search(vector, model_id, k=k, allowed_docs=allowed)

    async def passages(self, chunk_ids: Sequence[int]) -> dict[int, Passage]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with translate_errors(self.path):
            rows = self._conn.execute(
                "SELECT c.id, d.id, d.source, d.title, d.uri, c.text, c.heading, d.indexed_at, d.acl_groups"
                f" FROM chunks c JOIN documents d ON d.pk = c.doc_pk WHERE c.id IN ({marks})",
                list(chunk_ids),
            ).fetchall()
        return {
            r[0]: Passage(
                chunk_id=str(r[0]), doc_id=r[1], source=r[2], title=r[3], uri=r[4], text=r[5], score=0.0,
                heading=r[6], indexed_at=datetime.fromisoformat(r[7]), acl_groups=json.loads(r[8]),
            )
            for r in rows
        }
