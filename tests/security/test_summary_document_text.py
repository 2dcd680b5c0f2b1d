"""Issue 19 item 9, summaries: quoted chat/document text is plain text on Slack and Teams (summary
messages and cards); links only from metadata (the item's permalink)."""

from __future__ import annotations

import json

from adapters.slack import blocks
from adapters.teams.render import summary_activity, summary_card
from bot.models import ActionItem, Summary, SummaryItem

MASKED = "[official reset portal](https://evil.example/reset)"
SHOWN = "official reset portal (https://evil.example/reset)"


def hostile_summary() -> Summary:
    return Summary(
        tldr=f"Reset at the {MASKED}.",
        key_points=[
            SummaryItem(
                text=f"Use the {MASKED}", author="[Dana](https://evil.example/d)", link="https://chat.example/p1"
            )
        ],
        decisions=[SummaryItem(text=f"Decided: {MASKED}")],
        action_items=[ActionItem(owner="[Sam](https://evil.example/s)", task=f"update {MASKED}", due="Fri")],
        open_questions=[SummaryItem(text=f"Is {MASKED} real?")],
    )


def test_teams_summary_message_and_card_show_quoted_links_unmasked() -> None:
    summary = hostile_summary()
    for rendered in (summary_activity(summary), summary_card(summary)):
        out = json.dumps(rendered, ensure_ascii=False)
        assert "](https://evil.example" not in out, out
        assert (
            out.count(SHOWN) == 5 and "Dana (https://evil.example/d)" in out and "Sam (https://evil.example/s)" in out
        )
        assert "[link](https://chat.example/p1)" in out, "the permalink (metadata) stays a live link"


def test_slack_summary_blocks_show_quoted_links_unmasked() -> None:
    summary = hostile_summary()
    out = json.dumps(blocks.summary_blocks(summary, "Thread"), ensure_ascii=False)
    assert "](https://evil.example" not in out, out
    assert out.count(SHOWN) == 5 and "Dana (https://evil.example/d)" in out
    assert "<https://chat.example/p1|link>" in out, "the permalink (metadata) stays a live link"
