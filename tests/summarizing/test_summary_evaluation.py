"""Dataset loading, baselines and ROUGE scoring for `kbot eval summaries`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import InputError
from bot.models import Conversation, Message
from bot.summarizing.evaluation import evaluate, lead, load_dataset, longest
from bot.summarizing.extractive import ExtractiveSummarizer

FILES = {
    "samsum": "thread_summaries/samsum_test.jsonl",
    "dialogsum": "thread_summaries/dialogsum_test.jsonl",
    "aeslc": "email_summaries/aeslc_test.jsonl",
    "bc3": "email_summaries/bc3_threads.jsonl",
}


def test_baselines_on_chat_and_email() -> None:
    chat = Conversation(
        kind="chat",
        messages=[
            Message("A", "one"),
            Message("B", "a much longer line here"),
            Message("A", "👍"),
            Message("B", "two two"),
            Message("A", "three"),
        ],
    )
    assert lead(chat) == "A: one\nB: a much longer line here\nB: two two"
    assert longest(chat, 2) == "B: a much longer line here\nB: two two"
    email = Conversation(kind="email", messages=[Message("x", "First point. Second point here!\nThird.")])
    assert lead(email, 1) == "First point."


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_shared_datasets_load(fmt: str, shared_data: Path) -> None:
    items = list(load_dataset(shared_data / FILES[fmt], fmt, limit=3))  # type: ignore[arg-type]
    assert len(items) == 3
    for item in items:
        assert item.references and all(isinstance(r, str) and r for r in item.references)
        assert item.conversation.messages and item.conversation.kind == ("chat" if "sum" in fmt[-3:] else "email")


def test_bad_dataset_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"dialogue": "A: hi"}) + "\n")
    with pytest.raises(InputError, match="x.jsonl:1: not a samsum record"):
        list(load_dataset(path, "samsum"))
    with pytest.raises(InputError, match="unknown dataset format"):
        list(load_dataset(path, "cnn"))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="cannot read"):
        list(load_dataset(tmp_path / "missing.jsonl", "samsum"))


async def test_rejected_items_score_zero_and_are_counted(embedder) -> None:  # type: ignore[no-untyped-def]
    from bot.summarizing.evaluation import EvalItem

    items = [
        EvalItem("ok", Conversation("chat", [Message("A", "I baked a cake today.")]), ["A baked a cake."]),
        EvalItem("bad", Conversation("chat", [Message("A", "🎉")]), ["A celebrates."]),
    ]
    report = await evaluate(ExtractiveSummarizer(embedder), iter(items), "mini")
    assert report.items == 2 and report.failures == 1
    assert 0 < report.scores["embedded"]["rouge1"] <= 50  # the rejected item scores 0


@pytest.mark.slow
async def test_real_model_beats_longest3_on_samsum_sample(shared_data: Path) -> None:
    from adapters.embedding.minilm import MiniLmEmbedder

    items = load_dataset(shared_data / FILES["samsum"], "samsum", limit=30)
    report = await evaluate(ExtractiveSummarizer(MiniLmEmbedder()), items, "samsum")
    scores = report.scores
    assert report.items == 30 and report.failures == 0
    assert scores["embedded"]["rouge1"] >= scores["longest-3"]["rouge1"] + 2.0, scores
