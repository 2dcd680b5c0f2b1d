"""Rendering rules that the wire tests don't pin down: markers, limits, fallbacks."""

from __future__ import annotations

from adapters.teams.render import (
    ABSTRACT_MAX,
    MAX_CITATIONS,
    TITLE_MAX,
    answer_activity,
    message_entity,
    with_markers,
)
from bot.models import Answer, Citation


def _cite(i: int, uri: str = "https://wiki.example.com/page") -> Citation:
    return Citation(f"Doc {i} " + "t" * 100, f"{uri}/{i}", "s" * 1000, 0.5)


def test_markers_without_citation_are_dropped_and_unused_citations_get_one() -> None:
    assert with_markers("A [1]. B [7].", 2) == "A [1]. B. [2]"
    assert with_markers("No markers.", 0) == "No markers."


def test_limits_on_titles_abstracts_and_count() -> None:
    answer = Answer("x [1]", grounded=True, citations=[_cite(i) for i in range(25)])
    entity = answer_activity(answer)["entities"][0]
    claims = entity["citation"]
    assert len(claims) == MAX_CITATIONS
    assert all(len(c["appearance"]["name"]) <= TITLE_MAX for c in claims)
    assert all(len(c["appearance"]["abstract"]) <= ABSTRACT_MAX for c in claims)
    assert [c["position"] for c in claims] == list(range(1, 21))


def test_non_http_source_has_no_url() -> None:
    entity = message_entity([Citation("Local file", "file:///srv/kb/a.md", "text", 1.0)])
    assert "url" not in entity["citation"][0]["appearance"]


def test_answer_without_citations_still_has_ai_label_and_feedback() -> None:
    activity = answer_activity(Answer("I couldn't find this.", grounded=False))
    assert activity["entities"] == [
        {
            "type": "https://schema.org/Message",
            "@type": "Message",
            "@context": "https://schema.org",
            "additionalType": ["AIGeneratedContent"],
        }
    ]
    assert activity["channelData"]["feedbackLoopEnabled"] is True
