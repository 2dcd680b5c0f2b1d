"""Sentence splitting, cue detection, third-person rewriting and email clean-up."""

from __future__ import annotations

import pytest

from bot.summarizing import cues
from bot.summarizing.email_text import clean_body, split_pasted_email
from bot.summarizing.rewrite import strip_lead, third_person
from bot.summarizing.sentences import has_words, split_sentences


def test_split_sentences_keeps_abbreviations_and_breaks_lines() -> None:
    text = "Dr. Smith joined at 9 a.m. today. Great!\nNext line here? Yes <file_photo>"
    assert split_sentences(text) == ["Dr. Smith joined at 9 a.m. today.", "Great!", "Next line here?", "Yes"]


@pytest.mark.parametrize(
    "text,expected",
    [("👍🎉", False), (":) !!!", False), ("https://x.io/a", False), ("ok 👍", True), ("<file_gif>", True)],
)
def test_has_words(text: str, expected: bool) -> None:
    # placeholders are removed by split_sentences, not by has_words
    assert has_words(text) is expected


@pytest.mark.parametrize(
    "sentence",
    ["Agreed, we'll go with Postgres.", "We decided to ship on Monday.", "Let's go with the blue design."],
)
def test_decisions(sentence: str) -> None:
    assert cues.is_decision(sentence)


@pytest.mark.parametrize("sentence", ["We haven't decided yet.", "Shall we go with Postgres?", "I like pizza."])
def test_not_decisions(sentence: str) -> None:
    assert not cues.is_decision(sentence)


def test_action_cues_owner_task_due() -> None:
    mine = cues.action_cue("I'll send the report to legal by Friday.")
    assert mine and not mine.addressed and mine.task == "send the report to legal by Friday"
    assert mine.due == "Friday"
    ask = cues.action_cue("@Mei can you add a cleanup cron next week?")
    assert ask and ask.addressed and ask.mention == "Mei" and ask.due == "next week"
    vocative = cues.action_cue("Raj, could you please update the forecast by 5/31?")
    assert vocative and vocative.mention == "Raj" and vocative.task == "update the forecast by 5/31"
    assert vocative.due == "5/31"
    assert cues.action_cue("I like it.") is None
    assert cues.action_cue("What can you do?") is None


def test_questions_skip_small_talk() -> None:
    assert cues.is_question("Does TicketForge host in the EU?")
    assert not cues.is_question("How are you?")
    assert not cues.is_question("Really?")


def test_third_person_rewrite() -> None:
    assert (
        third_person("I baked cookies", "Amanda") == "Amanda bakes cookies."
        or third_person("I baked cookies", "Amanda") == "Amanda baked cookies."
    )
    assert third_person("Hey, I'll call you tomorrow", "Tom", "Ann") == "Tom will call Ann tomorrow."
    assert third_person("Do you have Betty's number?", "Hannah", "Amanda") == "Hannah: Does Amanda have Betty's number?"
    assert third_person("I need my keys", "Bob") == "Bob needs Bob's keys."
    assert third_person("we're late", "Bob", "Eve") == "Bob and Eve are late."


def test_strip_lead() -> None:
    assert strip_lead("FYI, the server is down.") == "The server is down."
    assert strip_lead("Just a reminder that the review is at 3pm") == "The review is at 3pm"


def test_clean_body_strips_greeting_quote_and_signature() -> None:
    body = (
        "Hi Phillip,\nCould you send the title policy?\nThanks,\nJane\nJane Doe | Legal\n\n"
        "On Mon, May 13, 2024 at 9:15 AM Phillip <p@x.org> wrote:\n> old text\n"
    )
    assert clean_body(body) == "Could you send the title policy?"
    assert clean_body("Ok.\n-- \nBob\nACME Corp") == "Ok."
    assert "old" not in clean_body("New text.\n-----Original Message-----\nFrom: a\nold")


def test_split_pasted_email(data_dir) -> None:  # type: ignore[no-untyped-def]
    messages = split_pasted_email((data_dir / "forwarded.txt").read_text())
    assert [m.author for m in messages] == ["Jonas Weber", "Facilities Team", "forwarder"]
    facilities = messages[1]
    assert facilities.subject == "Office move on June 3"
    assert "Best regards" not in facilities.text and "Example Corp" not in facilities.text
    assert facilities.text.startswith("The Berlin office moves")
