"""Pure pieces of the reading stage: structure, tables, multi-part split, follow-up expansion."""

from __future__ import annotations

from adapters.parsing.tables import table_rows
from bot.answering.evaluation import fact_stated, same_document
from bot.answering.followup import expand_follow_up
from bot.answering.parts import split_question
from bot.answering.structure import spans
from bot.models import Passage, Turn
from ingest.chunking import _pack


def passage(text: str, heading: str = "Meals") -> Passage:
    return Passage(
        chunk_id="c", doc_id="d", source="s", title="Travel", uri="travel.md", text=text, score=1.0, heading=heading
    )


def test_a_lead_in_brings_its_list_and_is_never_an_answer_alone() -> None:
    text = "A daily meal allowance covers meals while travelling:\n- $75 per day for domestic travel,\n- $100 abroad."
    found = spans(passage(text), 0)
    lists = [s for s in found if s.kind == "list"]
    assert len(lists) == 1 and "$75" in lists[0].text and "$100" in lists[0].text
    assert not any(s.kind == "sentence" and s.text.endswith(":") for s in found)


def test_headings_and_labels_are_context_not_answers() -> None:
    found = spans(passage("Wi-Fi networks\nPremiums. Northwind pays 90% of the premium."), 0)
    assert [s.text for s in found] == ["Northwind pays 90% of the premium."]
    assert "Premiums." in found[0].context and "Wi-Fi networks" in found[0].context


def test_front_matter_is_never_an_answer() -> None:
    found = spans(
        passage("title: Leaving keywords: quit, resign redirect_from: - /leaving/\nGive two weeks notice."), 0
    )
    assert [s.text for s in found] == ["Give two weeks notice."]


def test_table_rows_keep_header_value_pairs() -> None:
    html = (
        "<table><thead><tr><th>Location</th><th>Cap per night</th></tr></thead><tbody>"
        "<tr><td>Tier-1 cities</td><td>$250</td></tr><tr><td>All other cities</td><td>$175</td></tr></tbody></table>"
    )
    rows = table_rows(html)
    assert rows == [
        "| Location: Tier-1 cities | Cap per night: $250",
        "| Location: All other cities | Cap per night: $175",
    ]
    found = spans(passage("Hotel rates are capped:\n" + "\n".join(rows), heading="Hotels"), 0)
    assert [s.text for s in found if s.kind == "row"][1] == "Location: All other cities; Cap per night: $175"


def test_chunking_keeps_a_lead_in_with_its_list() -> None:
    text = "Intro sentence that fills the chunk up. " * 2 + "\nMeals are covered:\n- $75 a day\n- $100 abroad"
    pieces = _pack(text, 90)
    assert any(p.startswith("Meals are covered:\n- $75 a day") for p in pieces), pieces


def test_multi_part_questions_split_into_parts() -> None:
    assert split_question("what do I tell HR about the move, and how do I sign up for the transit subsidy?") == [
        "what do I tell HR about the move",
        "how do I sign up for the transit subsidy?",
    ]
    assert split_question("What is the wifi password for guests?") == ["What is the wifi password for guests?"]
    assert len(split_question("salt and pepper shakers in the kitchen")) == 1


def test_follow_ups_get_the_previous_subject() -> None:
    history = [Turn("user", "How much parental leave do I get?"), Turn("assistant", "16 weeks [1]")]
    assert expand_follow_up("what about for fathers?", history) == "what about for fathers (parental leave)?"
    assert expand_follow_up("How do I reset my VPN password?", history) == "How do I reset my VPN password?"
    assert expand_follow_up("what about for fathers?", []) == "what about for fathers?"


def test_eval_fact_and_document_matching() -> None:
    assert fact_stated("You get 12 weeks of paid leave [1]", ["12 weeks"])
    assert not fact_stated("You get 2 weeks [1]", ["12 weeks"])
    assert fact_stated("call 1-800-222-0364 now", ["1-800-222-0364"])
    assert same_document("handbook/travel-and-leave/leave.md", "travel-and-leave/leave.md")
    assert not same_document("travel-and-leave/fmla.md", "travel-and-leave/leave.md")


def test_a_question_line_is_never_an_answer_but_labels_what_follows() -> None:
    # a table of contents lists questions (links); an FAQ asks one above its answer
    toc = "- Which receipts do I need to keep?\n- How do I book a hotel room?\n- Travel card rules and limits"
    assert [s.text for s in spans(passage(toc), 0)] == ["Travel card rules and limits"]
    faq = spans(passage("When are receipts required to claim expenses?\nKeep receipts for lodging and over $75."), 0)
    assert [s.text for s in faq] == ["Keep receipts for lodging and over $75."]
    assert "When are receipts required" in faq[0].context
