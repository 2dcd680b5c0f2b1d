"""`kbot summarize` and `kbot eval summaries` through the real CLI parser."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from adapters.cli.main import build_parser, main
from adapters.wiring import App, AppOverrides
from bot.settings import load_settings
from tests.fakes import HashEmbedder


async def _run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return await args.handler(args, App(load_settings(), AppOverrides(embedder=HashEmbedder())))


async def test_summarize_transcript_readable(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _run(["summarize", str(data_dir / "vendor_thread.txt")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("TL;DR: ") and "Decisions:" in out and "Action items:" in out
    assert "  - Marco: send the signed order form to procurement by Friday (due Friday)" in out


async def test_summarize_slack_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "summarize",
        str(data_dir / "slack_thread.json"),
        "--json",
        "--directory",
        str(data_dir / "users.json"),
        "--link-base",
        "https://acme.slack.com/archives/C0OPS",
    ]
    assert await _run(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decisions"][0]["author"] == "Dana"
    assert data["action_items"][0]["link"].startswith("https://acme.slack.com/archives/C0OPS/p")


async def test_summarize_eml(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _run(["summarize", str(data_dir / "budget_reply.eml")]) == 0
    assert capsys.readouterr().out.startswith("# Re: Q3 cloud budget\nTL;DR: We agreed to move")


async def test_batch_writes_one_line_per_item(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "t1", "text": (data_dir / "vendor_thread.txt").read_text()}),
                json.dumps({"id": "e1", "text": (data_dir / "forwarded.txt").read_text()}),
                json.dumps({"id": "bad", "text": "🎉🎉"}),
                "{not json",
            ]
        )
    )
    assert await _run(["summarize", "--batch", str(batch)]) == 1
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["id"] for r in rows] == ["t1", "e1", "bad", None]
    assert rows[0]["tldr"] and rows[1]["tldr"] and "error" not in rows[0]
    assert "only emoji" in rows[2]["error"] and rows[3]["line"] == 4
    assert "2 item(s) could not be summarized" in captured.err


def _cli_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_bad_files_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert "input is empty" in _cli_error(["summarize", str(empty)], capsys)
    binary = tmp_path / "thread.json"
    binary.write_bytes(os.urandom(2048) + b"\x00")
    assert "binary file" in _cli_error(["summarize", str(binary)], capsys)
    latin = tmp_path / "notes.txt"
    latin.write_bytes("caf\xe9 au lait".encode("latin-1"))
    assert "not UTF-8" in _cli_error(["summarize", str(latin)], capsys)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # sparse 51 MB file: the size check must fire before reading
        fh.truncate(51 * 1024 * 1024)
    assert "too large (51 MB, limit 50 MB)" in _cli_error(["summarize", str(huge)], capsys)
    bad_eml = tmp_path / "bad.eml"
    bad_eml.write_text("hello, no headers here")
    assert "not an email" in _cli_error(["summarize", str(bad_eml)], capsys)
    bad_json = tmp_path / "t.json"
    bad_json.write_text('{"messages": [')
    assert "not valid JSON" in _cli_error(["summarize", str(bad_json)], capsys)
    assert "no such file" in _cli_error(["summarize", str(tmp_path / "missing.txt")], capsys)


def test_empty_and_bot_only_threads_via_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stop before loading the real model: these threads are rejected while reading units.
    monkeypatch.setattr(App, "embedder", HashEmbedder(), raising=False)
    thread = tmp_path / "bots.json"
    thread.write_text(json.dumps({"messages": [{"bot_id": "B1", "text": "deployed", "ts": "1.0"}]}))
    assert "only has bot messages" in _cli_error(["summarize", str(thread)], capsys)
    thread.write_text(json.dumps({"messages": []}))
    assert "thread is empty" in _cli_error(["summarize", str(thread)], capsys)


async def test_eval_summaries_reports_baselines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "mini_samsum.jsonl"
    data.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "id": "a",
                    "dialogue": "Ann: I will bake a cake for the party.\nBob: Great, I'll bring the drinks.",
                    "summary": "Ann will bake a cake and Bob will bring drinks.",
                },
                {
                    "id": "b",
                    "dialogue": "Cy: The train is late again.\nDee: Take the bus then.",
                    "summary": "Cy's train is late. Dee suggests the bus.",
                },
            ]
        )
    )
    assert await _run(["eval", "summaries", "--data", str(data), "--format", "samsum", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["items"] == 2
    assert set(report["scores"]) == {"embedded", "lead-3", "longest-3", "first-sentence"}
    assert 0 < report["scores"]["embedded"]["rouge1"] <= 100
