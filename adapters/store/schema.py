"""DDL of the local knowledge store (one SQLite file, WAL mode)."""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 2  # 2: parse_failures

DDL = """
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parse_failures (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (source, id)
);
CREATE TABLE IF NOT EXISTS store_sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    location TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    pk INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    uri TEXT NOT NULL,
    title TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    modified TEXT,
    acl_groups TEXT NOT NULL DEFAULT '[]',
    author TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    indexed_at TEXT NOT NULL,
    UNIQUE (source, id)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    doc_pk INTEGER NOT NULL REFERENCES documents(pk) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_pk);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(text_hash);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    title, heading, text, tokenize = 'porter unicode61 remove_diacritics 2'
);
-- Embeddings keyed by (model, text hash): an unchanged chunk is never embedded twice.
CREATE TABLE IF NOT EXISTS embeddings (
    model_id TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model_id, text_hash)
);
"""


def connect(path: str, *, timeout: float = 5.0) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    return conn


def needs_migration(conn: sqlite3.Connection) -> bool:
    """A read: an up-to-date store is opened without DDL, so readers never wait for a writer's lock."""
    try:
        row = conn.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:  # a new file: no store_meta yet
        return True
    return row is None or int(row[0]) < SCHEMA_VERSION


def migrate(conn: sqlite3.Connection) -> None:
    if not needs_migration(conn):
        return
    conn.executescript(DDL)
    conn.execute(
        "INSERT INTO store_meta(key, value) VALUES ('schema_version', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (str(SCHEMA_VERSION),),
    )
