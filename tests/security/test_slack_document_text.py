"""Issue 19 item 9: document text is plain text in Slack: no masked links, pings or mentions from
documents, in blocks and in the fallback ``text``; links only from citation metadata."""

from __future__ import annotations

import json

from adapters.slack import blocks
from bot.models import Answer, Citation, Summary, SummaryItem

HOSTILE = (
    "Reset it at the [official reset portal](https://evil.example/reset) now <!channel> "
    "and ask <@U0ADMIN> or <!here|here> or <https://evil.example/x|the helpdesk>."
)


def rendered(answer: Answer) -> str:
    body = json.dumps(blocks.answer_blocks(answer, "rec1", "how do I reset?"))
    return body + "\n" + blocks.fallback_text(answer.text)


def test_answer_blocks_and_fallback_keep_document_text_plain() -> None:
    answer = Answer(
        text=HOSTILE,
        grounded=True,
        citations=[
            Citation(title="Password policy", uri="https://intranet.example/pw", snippet="", score=1.0),
        ],
    )
    out = rendered(answer)
    assert "<https://evil.example" not in out and "|official reset portal>" not in out
    for ping in ("<!channel>", "<@U0ADMIN>", "<!here"):
        assert ping not in out
    assert "<https://intranet.example/pw|Password policy>" in out, "citation links stay live"
    assert "official reset portal" in out and "evil.example/reset" in out, "the text itself is kept, visibly"


def test_fallback_text_alone_is_escaped() -> None:
    text = blocks.fallback_text("Hi <!channel> & <@U123>")
    assert text == "Hi &lt;!channel&gt; &amp; &lt;@U123&gt;"


def test_summary_fallback_is_escaped() -> None:
    summary = Summary(tldr="Ping <!everyone> via [here](https://evil.example)", key_points=[SummaryItem(text="x")])
    out = blocks.summary_fallback(summary, "Thread <@U1>") + json.dumps(blocks.summary_blocks(summary, "Thread"))
    assert "<!everyone>" not in out and "<@U1>" not in out and "<https://evil" not in out


def test_teams_answers_show_document_links_unmasked() -> None:
    from adapters.teams.render import answer_activity

    answer = Answer(
        text="Reset it at the [official reset portal](https://evil.example/reset) [1].",
        grounded=True,
        citations=[Citation(title="Password policy", uri="https://intranet.example/pw", snippet="", score=1)],
    )
    for activity in (answer_activity(answer), answer_activity(answer, entities=False)):
        out = json.dumps(activity)
        assert "](https://evil.example" not in out and "official reset portal (https://evil.example/reset)" in out
        assert "https://intranet.example/pw" in out, "citation links stay"
