"""The embedded extractive summarizer: structure, links, bad input, bounded memory."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from bot.errors import InputError
from bot.models import Conversation, Message
from bot.ports import Summarizer
from bot.summarizing.chat_loaders import from_slack
from bot.summarizing.extractive import ExtractiveSummarizer
from bot.summarizing.loaders import load_text
from tests.summarizing.synthetic import synthetic_thread


def test_is_a_summarizer(summarizer: ExtractiveSummarizer) -> None:
    assert isinstance(summarizer, Summarizer)


async def test_slack_thread_summary_items_link_back(summarizer, data_dir) -> None:  # type: ignore[no-untyped-def]
    payload = json.loads((data_dir / "slack_thread.json").read_text())
    users = json.loads((data_dir / "users.json").read_text())
    conv = from_slack(payload, users, "https://acme.slack.com/archives/C0OPS")
    summary = await summarizer.summarize(conv)
    assert summary.tldr and 1 <= summary.tldr.count(".") + summary.tldr.count("?") <= 6
    assert "ALERT" not in summary.tldr  # bot messages are not summarized
    assert [d.text for d in summary.decisions] == [
        "Dana: Agreed, we'll go with compressing the dumps and keeping only the last 7 days."
    ]
    assert summary.decisions[0].link.endswith("p1715600180000500?thread_ts=1715600000.000100")
    actions = {(a.owner, a.task, a.due) for a in summary.action_items}
    assert actions == {
        ("Raj", "change the export job to gzip the dumps by Friday", "Friday"),
        ("Mei", "add a cleanup cron for dumps older than a week", None),
    }
    assert all(a.link and a.link.startswith("https://acme.slack.com/") for a in summary.action_items)
    assert [q.text for q in summary.open_questions] == ["Mei: Should we also alert at 80% instead of 95%?"]
    assert 1 <= len(summary.key_points) <= 5 and all(k.link for k in summary.key_points)
    data = summary.to_json()
    assert set(data) == {"tldr", "key_points", "decisions", "action_items", "open_questions"}


async def test_two_person_chat_tldr_uses_names(summarizer) -> None:  # type: ignore[no-untyped-def]
    conv = load_text(
        "Amanda: I baked cookies. Do you want some?\nJerry: Sure!\nAmanda: I'll bring you some tomorrow :-)"
    )
    summary = await summarizer.summarize(conv)
    assert "Amanda" in summary.tldr and " I " not in f" {summary.tldr} "
    assert [(a.owner, a.due) for a in summary.action_items] == [("Amanda", "tomorrow")]
    assert summary.open_questions == []  # Jerry answered


async def test_single_email_tldr_is_one_sentence(summarizer) -> None:  # type: ignore[no-untyped-def]
    conv = load_text(
        "Phillip,   Could you please send me your current title policy?\n"
        "I would like to see what it says about easements.\nThanks,\nJane"
    )
    summary = await summarizer.summarize(conv)
    assert summary.tldr == "Could you please send me your current title policy?"


async def test_answered_question_is_not_open(summarizer) -> None:  # type: ignore[no-untyped-def]
    conv = load_text(
        "Ann: Which region does the vendor host in?\nBob: They host in Frankfurt.\n"
        "Ann: Who signs the contract on our side?"
    )
    summary = await summarizer.summarize(conv)
    assert [q.text for q in summary.open_questions] == ["Ann: Who signs the contract on our side?"]


@pytest.mark.parametrize(
    "messages,expected",
    [
        ([], "the thread is empty"),
        (
            [Message("bot", "Deploy finished", is_bot=True), Message("bot", "All green", is_bot=True)],
            "only has bot",
        ),
        ([Message("ann", "👍🎉"), Message("bob", ":) !!!"), Message("cy", "<file_photo>")], "only emoji"),
    ],
)
async def test_bad_threads_are_input_errors(summarizer, messages, expected) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=expected):
        await summarizer.summarize(Conversation(kind="chat", messages=messages))


async def test_long_thread_is_windowed_and_memory_is_flat(embedder) -> None:  # type: ignore[no-untyped-def]
    summarizer = ExtractiveSummarizer(embedder, window=256)

    async def peak(size: int) -> int:
        conversation = synthetic_thread(size)
        tracemalloc.start()
        summary = await summarizer.summarize(conversation)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert summary.tldr and summary.key_points and summary.action_items and summary.decisions
        assert len(summary.decisions) <= 8 and len(summary.action_items) <= 8
        return top

    small = await peak(500)
    calls_before = embedder.calls
    large = await peak(5000)
    assert embedder.calls - calls_before >= 5000 // 256  # one embed call per window
    assert large < 1.5 * small, (small, large)
