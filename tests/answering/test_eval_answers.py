"""``kbot eval answers``: scoring, the report, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.cli.eval_answers import evaluate
from bot.answering.evaluation import load_items
from bot.errors import InputError
from bot.models import Answer, Citation, Question


class CannedAnswerer:
    """Answers from a fixed table; anything else is "not found"."""

    def __init__(self, table: dict[str, tuple[str, str]]) -> None:
        self.table = table

    async def answer(self, question: Question) -> Answer:
        if question.text not in self.table:
            return Answer("I couldn't find this.", grounded=False)
        text, uri = self.table[question.text]
        return Answer(f"{text} [1]", grounded=True, citations=[Citation(title="t", uri=uri, snippet=text, score=1)])


def write_set(path: Path) -> Path:
    rows = [
        {
            "id": "a",
            "question": "how long is PPL?",
            "answerable": True,
            "gold": ["leave/ppl.md"],
            "facts": [["12 weeks"]],
        },
        {
            "id": "b",
            "question": "how many sick days?",
            "answerable": True,
            "gold": ["leave/sick.md"],
            "facts": [["13 days"], ["104 hours"]],
        },
        {"id": "c", "question": "what is the 401k match?", "answerable": False, "gold": [], "facts": []},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


async def test_report_counts_right_documents_facts_and_abstentions(tmp_path: Path) -> None:
    items = load_items(write_set(tmp_path / "set.jsonl"))
    good = CannedAnswerer(
        {
            "how long is PPL?": ("You get 12 weeks of PPL.", "kb/leave/ppl.md"),
            "how many sick days?": ("Up to 13 days a year.", "kb/leave/sick.md"),
        }
    )
    always = CannedAnswerer({q.question: ("Something.", "kb/other.md") for q in items})
    reports, details = await evaluate({"good": good, "always": always}, items)
    assert (reports["good"].right_doc, reports["good"].facts, reports["good"].all_facts) == (1.0, 0.75, 0.5)
    assert (reports["good"].abstention, reports["good"].false_abstention) == (1.0, 0.0)
    assert (reports["always"].right_doc, reports["always"].abstention) == (0.0, 0.0)
    assert [d["id"] for d in details["good"]] == ["a", "b", "c"]


def test_malformed_sets_are_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "no answerable flag"}\n')
    with pytest.raises(InputError, match="bad.jsonl:1"):
        load_items(bad)


def test_cli_reports_a_missing_file_in_one_line(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", "eval", "answers", "--data", str(tmp_path / "missing.jsonl")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "missing.jsonl" in out.stderr


def test_an_unknown_system_is_reported_before_any_indexing(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ppl.md").write_text("# PPL\n\nYou get 12 weeks of paid parental leave.\n")
    index = tmp_path / "eval.db"
    out = subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", "eval", "answers", "--data", str(write_set(tmp_path / "s.jsonl")),
         "--docs", str(docs), "--index", str(index), "--systems", "reader,raeder"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "unknown system(s): raeder" in out.stderr
    assert not index.exists()  # a typo costs no indexing run
