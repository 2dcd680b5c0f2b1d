"""``kbot answers export`` then ``import`` into a fresh store round-trips exactly; bad files change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.admin.models import Actor
from tests.verified.support import ANSWER, QUESTION, make_app


def kbot(db: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KBOT_DB=str(db))
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", "answers", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


async def test_export_then_import_into_a_fresh_store_round_trips_exactly(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a.db")
    cli = Actor("ops", "cli")
    await app.verified.save(cli, question=QUESTION, answer=ANSWER, expert="dana", audience="hr", review_by="2031-02-03")
    await app.verified.save(
        cli, question="Wer genehmigt Reisen? «Ümlaut»", answer="Die Führungskraft.\nDann HR.", expert="jörg"
    )
    await app.aclose()

    exported = kbot(tmp_path / "a.db", "export", "answers.jsonl", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    original = (tmp_path / "answers.jsonl").read_text(encoding="utf-8")
    assert len(original.splitlines()) == 2

    bad = tmp_path / "bad.jsonl"
    bad.write_text(original.splitlines()[0] + "\n{not json\n", encoding="utf-8")
    refused = kbot(tmp_path / "b.db", "import", str(bad), cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.startswith("kbot: error: line 2:")
    assert len(refused.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert kbot(tmp_path / "b.db", "export", cwd=tmp_path).stdout == ""  # nothing imported

    imported = kbot(tmp_path / "b.db", "import", "answers.jsonl", cwd=tmp_path)
    assert imported.returncode == 0 and "imported 2" in imported.stdout, imported.stderr
    again = kbot(tmp_path / "b.db", "export", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == original
    listed = kbot(tmp_path / "b.db", "list", cwd=tmp_path).stdout
    assert "@dana" in listed and "[hr]" in listed and "@jörg" in listed
