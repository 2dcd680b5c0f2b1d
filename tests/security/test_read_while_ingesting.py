"""Issue 19 item 12: `kbot ask` answers while an ingest holds the store's write lock (reads never
need it: opening an up-to-date store runs no DDL)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from adapters.cli.main import build_parser
from adapters.wiring import App, AppOverrides
from bot.settings import load_settings
from tests.fakes import HashEmbedder
from tests.ingest.fakes import TextParser


async def kbot(app: App, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    try:
        return await args.handler(args, app)
    finally:
        await app.aclose()


async def test_ask_while_an_ingest_holds_the_write_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "kbot.db"
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "vpn.md").write_text("# VPN\n\nConnect to vpn.acme.example with the Pulse client.\n")

    def app() -> App:
        return App(load_settings(kbot_db=db), AppOverrides(embedder=HashEmbedder(), parser=TextParser()))

    assert await kbot(app(), "ingest", str(kb)) == 0
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # what a running ingest holds while it writes a batch
    try:
        capsys.readouterr()
        assert await kbot(app(), "ask", "how do I connect to the vpn?") == 0
        assert "vpn.md" in capsys.readouterr().out
    finally:
        writer.execute("ROLLBACK")
        writer.close()
