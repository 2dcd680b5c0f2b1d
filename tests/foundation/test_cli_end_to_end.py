"""The real CLI, real parser and the real bundled embedding model on a fresh folder."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def kbot(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KBOT_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", *args],
        capture_output=True, text=True, env=env, input=stdin, timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )


def make_folder(root: Path) -> None:
    import docx
    import pptx

    root.mkdir()
    (root / "security").mkdir()
    (root / "security" / "badges.md").write_text(
        "# Building badges\n\nLost badges must be reported to Facilities at extension 2210 within 24 hours.\n"
        "A replacement badge costs 15 dollars.\n\n## Visitors\n\nVisitors sign in at the front desk and wear a "
        "red lanyard at all times.\n"
    )
    d = docx.Document()
    d.add_heading("Bike commuting", level=1)
    d.add_paragraph("Employees who cycle to work receive a monthly commuter stipend of 40 dollars.")
    d.add_heading("Storage", level=2)
    d.add_paragraph("Bikes are stored in the locked cage on parking level P2.")
    d.save(root / "bikes.docx")
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Printer setup"
    slide.placeholders[1].text = (
        "The office printers are named PRN-North and PRN-South. Install the driver from the self-service portal."
    )
    deck.save(root / "printers.pptx")
    (root / "memo.eml").write_text(
        "From: it@acme.example\nTo: all@acme.example\nSubject: Wi-Fi network change\n"
        "Date: Mon, 2 Nov 2026 09:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n"
        "From Monday the staff Wi-Fi network is called ACME-SECURE and needs your SSO password.\n"
    )


def test_ingest_then_ask_cites_the_right_file(tmp_path: Path) -> None:
    db, kb = tmp_path / "kb.db", tmp_path / "kb"
    make_folder(kb)
    first = kbot("ingest", str(kb), "--json", db=db)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["parsed"] == 4 and report["failed"] == 0 and report["chunks_embedded"] > 0

    cases = {
        "Where do I keep my bicycle at the office?": "bikes.docx",
        "What do I do if I lose my badge?": "security/badges.md",
        "What is the name of the wifi network?": "memo.eml",
        "How do I install a printer?": "printers.pptx",
    }
    for question, expected in cases.items():
        out = kbot("ask", "--json", question, db=db)
        assert out.returncode == 0, out.stderr
        answer = json.loads(out.stdout)
        assert answer["grounded"] is True, (question, answer)
        assert answer["citations"][0]["uri"] == expected, (question, answer)
        assert "[1]" in answer["answer"]
        assert set(answer["citations"][0]) == {"title", "uri", "snippet", "score"}

    unknown = json.loads(kbot("ask", "--json", "What was our revenue in the third quarter?", db=db).stdout)
    assert unknown["grounded"] is False and unknown["citations"] == []
    assert "couldn't find" in unknown["answer"]

    again = kbot("ingest", str(kb), "--json", db=db)
    rerun = json.loads(again.stdout)
    assert (rerun["parsed"], rerun["unchanged"], rerun["chunks_embedded"]) == (0, 4, 0)

    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "question": "How much does a new badge cost?"}\nnot json\n')
    lines = kbot("ask", "--batch", str(batch), db=db).stdout.splitlines()
    first_line, second_line = (json.loads(x) for x in lines)
    assert first_line["id"] == "a" and first_line["citations"][0]["uri"] == "security/badges.md"
    assert "error" in second_line


def test_bad_input_gets_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    missing = kbot("ingest", str(tmp_path / "nope"), db=db)
    assert missing.returncode != 0
    assert missing.stderr.strip().splitlines() == [f"kbot: error: {tmp_path / 'nope'}: no such file or folder"]

    empty = tmp_path / "empty"
    empty.mkdir()
    out = kbot("ingest", str(empty), db=db)
    assert out.returncode == 0 and "no files to index" in out.stderr

    assert kbot("ask", db=db).returncode == 2
    assert "Traceback" not in kbot("ask", "--batch", str(tmp_path / "none.jsonl"), db=db).stderr

    conn = sqlite3.connect(db)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        locked = kbot("ingest", str(empty), db=db)
    finally:
        conn.rollback()
        conn.close()
    assert locked.returncode == 1
    assert "locked" in locked.stderr and "Traceback" not in locked.stderr


def test_asking_an_empty_store_says_how_to_fill_it(tmp_path: Path) -> None:
    out = kbot("ask", "--json", "what is the vpn address?", db=tmp_path / "empty.db")
    assert out.returncode == 0 and json.loads(out.stdout)["grounded"] is False
    assert "is empty" in out.stderr and "kbot ingest PATH" in out.stderr
