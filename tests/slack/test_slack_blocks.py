"""Block Kit rendering stays inside Slack's limits and never lets document text ping anyone."""

from __future__ import annotations

import json

from adapters.slack import blocks
from adapters.slack.conversations import parse_message_link
from adapters.slack.mrkdwn import split_text, to_mrkdwn
from bot.models import ActionItem, Answer, Citation, Summary, SummaryItem


def _section_texts(rendered: list[dict]) -> list[str]:
    out = []
    for block in rendered:
        if isinstance(block.get("text"), dict):
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return out


def test_long_answers_are_split_into_sections_within_limits() -> None:
    paragraph = "The leave policy covers annual leave, sick leave and parental leave in detail. " * 12
    answer = Answer(
        text="\n\n".join([paragraph] * 25),
        grounded=True,
        citations=[Citation(f"Doc {i}", f"https://x.example/{i}", "s", 0.5) for i in range(30)],
    )
    rendered = blocks.answer_blocks(answer, "r1", "q")
    assert len(rendered) <= blocks.MAX_BLOCKS
    assert all(len(t) <= 3000 for t in _section_texts(rendered))
    joined = "\n".join(_section_texts(rendered))
    assert "*8.* <https://x.example/7|Doc 7>" in joined and "Doc 8" not in joined  # sources capped


def test_enormous_answers_are_cut_with_a_note() -> None:
    rendered = blocks.answer_blocks(Answer(text="word " * 100_000, grounded=True), "r1", "q")
    assert len(rendered) == blocks.MAX_BLOCKS
    assert "cut short" in json.dumps(rendered)
    assert rendered[-1]["type"] == "actions"


def test_document_text_cannot_ping_or_inject_links() -> None:
    text = to_mrkdwn("Hi <!channel> & <@U123> see [guide](https://x.example/a?b=1&c=2) **now**")
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "&lt;@U123&gt;" in text
    assert "guide (https://x.example/a?b=1&amp;c=2)" in text and "|guide>" not in text and "*now*" in text


def test_split_text_prefers_paragraph_boundaries() -> None:
    pieces = split_text("a" * 2000 + "\n\n" + "b" * 2000, 3000)
    assert pieces == ["a" * 2000, "b" * 2000]
    assert all(len(p) <= 3000 for p in split_text("x" * 10_000, 3000))


def test_button_value_stays_under_slacks_limit() -> None:
    value = blocks.button_value("abc", "q" * 4000)
    assert len(value) <= 2000 and blocks.parse_button_value(value)[0] == "abc"
    assert blocks.parse_button_value('{"id": "x", "q": "old"}') == ("x", "old")  # values from before ids-only
    assert blocks.parse_button_value('{"id": broken') == ("", "")


def test_summary_blocks_render_every_section_within_limits() -> None:
    items = [
        SummaryItem(f"point {i} " + "detail " * 60, link=f"https://s.example/p{i}", author="Dana")
        for i in range(40)
    ]
    summary = Summary(
        tldr="We moved the launch.",
        key_points=items,
        decisions=items[:3],
        action_items=[ActionItem("Marco", "update notes", "Friday", None)],
        open_questions=[SummaryItem("Is legal needed?")],
    )
    rendered = blocks.summary_blocks(summary, "Thread summary")
    assert len(rendered) <= blocks.MAX_BLOCKS
    assert all(len(t) <= 3000 for t in _section_texts(rendered))
    joined = "\n".join(_section_texts(rendered))
    for heading in ("*TL;DR*", "*Key points*", "*Decisions*", "*Action items*", "*Open questions*"):
        assert heading in joined
    assert "• Marco: update notes (due Friday)" in joined


def test_message_links_parse_to_thread_roots() -> None:
    assert parse_message_link("see https://acme.slack.com/archives/C0123ABC/p1712345678123456") == (
        "C0123ABC",
        "1712345678.123456",
    )
    assert parse_message_link(
        "<https://acme.slack.com/archives/C1/p1712345678123456?thread_ts=1712345000.000100&cid=C1>"
    ) == ("C1", "1712345000.000100")
    assert parse_message_link("no link here") is None
