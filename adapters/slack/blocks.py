"""Block Kit rendering of answers and summaries, kept inside Slack's limits (50 blocks, 3,000 chars)."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.mrkdwn import SECTION_LIMIT, escape, link, plain, split_text, to_mrkdwn, truncate
from bot.models import Answer, Citation, Summary, SummaryItem

MAX_BLOCKS = 50
MAX_SOURCES = 8
NOT_FOUND = "I couldn't find an answer to that in the knowledge base I can search."

ACTION_UP = "kbot_feedback_up"
ACTION_DOWN = "kbot_feedback_down"
ACTION_SHARE = "kbot_share"
ACTION_EXPERT = "kbot_ask_expert"
BUTTON_VALUE_LIMIT = 2000


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}]}


def button_value(record_id: str, question: str = "") -> str:
    """Only the answer record's id: the question, answer and citations stay server-side
    (``adapters.slack.records``). Slack caps a button value at 2,000 characters, which a JSON-escaped
    non-Latin question overflows (https://docs.slack.dev/reference/block-kit/block-elements/button-element)."""
    return record_id[:BUTTON_VALUE_LIMIT]


def parse_button_value(value: str | None) -> tuple[str, str]:
    """``(record id, question)``; values from before ids-only were ``{"id", "q"}`` JSON."""
    if not (value or "").startswith("{"):
        return (value or "").strip(), ""
    try:
        data = json.loads(value or "{}")
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("id") or ""), str(data.get("q") or "")


def answer_text(answer: Answer) -> str:
    """The answer as mrkdwn; not-found answers say so plainly."""
    if not answer.grounded and not answer.citations:
        core_text = answer.text.strip()
        return to_mrkdwn(core_text) if core_text else NOT_FOUND
    return to_mrkdwn(answer.text.strip() or NOT_FOUND)


def source_line(number: int, citation: Citation) -> str:
    title = citation.title or citation.uri or "untitled"
    head = (
        f"*{number}.* {link(citation.uri, title)}"
        if citation.uri.startswith(("http://", "https://"))
        else f"*{number}.* {escape(title)}"
    )
    if citation.indexed_at is not None:
        head += f"  ·  indexed at {citation.indexed_at.date().isoformat()}"
    return head


def source_blocks(citations: list[Citation]) -> list[dict[str, Any]]:
    if not citations:
        return []
    lines = [source_line(i, c) for i, c in enumerate(citations[:MAX_SOURCES], start=1)]
    blocks = [{"type": "divider"}, _context("*Sources*")]
    blocks += [_section(piece) for piece in split_text("\n".join(lines))]
    return blocks


def feedback_actions(record_id: str, question: str, *, share: bool = False) -> dict[str, Any]:
    value = button_value(record_id, question)
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": ACTION_UP,
            "value": value,
            "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True},
        },
        {
            "type": "button",
            "action_id": ACTION_DOWN,
            "value": value,
            "text": {"type": "plain_text", "text": "👎 Not helpful", "emoji": True},
        },
    ]
    if share:
        elements.insert(
            0,
            {
                "type": "button",
                "action_id": ACTION_SHARE,
                "value": value,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Share in channel"},
            },
        )
    return {"type": "actions", "block_id": "kbot_feedback", "elements": elements}


def trailing_blocks(
    answer: Answer, record_id: str, question: str, *, share: bool = False
) -> list[dict[str, Any]]:
    """Everything after the answer text: sources and the feedback buttons (also used after streaming)."""
    return source_blocks(answer.citations) + [feedback_actions(record_id, question, share=share)]


def answer_blocks(
    answer: Answer, record_id: str, question: str, *, share: bool = False, header: str | None = None
) -> list[dict[str, Any]]:
    tail = trailing_blocks(answer, record_id, question, share=share)
    head = [_context(header)] if header else []
    body = [_section(piece) for piece in split_text(answer_text(answer))]
    room = MAX_BLOCKS - len(tail) - len(head)
    if len(body) > room:
        body = body[: room - 1] + [_context("_The answer was cut short to fit Slack's message limits._")]
    return head + body + tail


def fallback_text(text: str) -> str:
    """Top-level ``text`` (notifications, screen readers): escaped mrkdwn like the blocks, so an
    answer quoting ``<!channel>`` or ``R&D`` neither pings nor breaks; blocks carry the full content."""
    return truncate(to_mrkdwn(text), 3000)


def _item_line(item: SummaryItem) -> str:
    line = f"• {plain(item.text)}"
    if item.author and not item.text.startswith(item.author):  # "Dana: ..." already names the author
        line += f" — _{plain(item.author)}_"
    if item.link:
        line += f" ({link(item.link, 'link')})"
    return line


def summary_blocks(summary: Summary, title: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(title, 150)}},
        _section(
            f"*TL;DR* {plain(summary.tldr)}"
            if summary.tldr
            else "*TL;DR* (nothing substantial to summarize)"
        ),
    ]
    groups: list[tuple[str, list[str]]] = [
        ("Key points", [_item_line(i) for i in summary.key_points]),
        ("Decisions", [_item_line(i) for i in summary.decisions]),
        (
            "Action items",
            [
                f"• {plain(a.owner or 'unassigned')}: {plain(a.task)}"
                + (f" (due {plain(a.due)})" if a.due else "")
                + (f" ({link(a.link, 'link')})" if a.link else "")
                for a in summary.action_items
            ],
        ),
        ("Open questions", [_item_line(i) for i in summary.open_questions]),
    ]
    for name, lines in groups:
        if not lines:
            continue
        for n, piece in enumerate(split_text("\n".join(lines))):
            blocks.append(_section((f"*{name}*\n" if n == 0 else "") + piece))
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [_context("_Summary cut short to fit Slack's limits._")]
    return blocks


def summary_fallback(summary: Summary, title: str) -> str:
    return fallback_text(f"{title}: {summary.tldr}")
