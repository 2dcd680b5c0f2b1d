"""The answerability check: does the chosen span state what the question asks for?"""

from __future__ import annotations

import pytest

from bot.answering.answerability import AnswerabilityCheck, focus_head, offered_phrase, states
from bot.answering.extractive import UNANSWERABLE_PENALTY, check_answerable
from bot.answering.reader import Reading
from bot.answering.structure import Span
from bot.models import Passage
from tests.fakes import HashEmbedder


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("what's the dress code for client meetings?", "code"),
        ("What is the deductible on the PPO plan?", "deductible"),
        ("how much is the relocation package if TTS hires me?", "package"),
        ("how much is the annual training budget per person?", "budget"),
        ("what’s the 401k match percentage?", "percentage"),
        ("which airline do I have to fly?", None),  # an instance of X, which need not name X
        ("what form do I fill out?", None),
        ("how much vacation can roll over?", None),  # a quantity, not a named attribute
        ("What is the kilogram-force sometimes referred to as?", None),
        ("What was the name of the locomotive?", None),  # "the name of": a light head
        ("what's the process for requesting leave?", None),
        ("What is the thing called?", None),
        ("What is needed to pack electrons densely?", None),
        ("when is the holiday party?", None),
    ],
)
def test_focus_head(question: str, head: str | None) -> None:
    assert focus_head(question) == head


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Does Northwind offer pet insurance?", ["pet"]),  # the specific part of the compound
        ("does GSA pay for a gym membership?", ["gym"]),
        ("is there a stipend? does the company provide a stipend for internet?", ["stipend"]),
        ("do I have to pay for everything on the government card?", []),
        ("will GSA reimburse the cost of a passport?", []),
        ("how much leave do I get?", []),
    ],
)
def test_offered_phrase(question: str, named: list[str]) -> None:
    assert offered_phrase(question) == named


async def test_an_offer_question_needs_the_specific_kind_named() -> None:
    check = AnswerabilityCheck(HashEmbedder())
    perks = "Beyond insurance and retirement, Northwind Labs offers several allowances and programmes."
    assert (await check.check("Does Northwind offer pet insurance?", perks, perks)).reason == "offer: pet"
    vision = "Northwind pays 100% of the vision premium for employees."
    assert (await check.check("Does Northwind offer vision coverage?", vision, vision)).answerable


def test_states_matches_forms_of_a_word_but_not_other_words() -> None:
    assert states("full-timer", "every full-time employee works 80 hours")
    assert states("info", "send confidential information by email")
    assert states("percentage", "a 5 percent match")
    assert states("badges", "your badge is ready")
    assert not states("dress", "your home address")
    assert not states("pet", "petty cash")


async def test_the_asked_for_amount_must_be_in_the_answer() -> None:
    check = AnswerabilityCheck(HashEmbedder())
    q = "what's the 401k match percentage?"
    assert not (await check.check(q, "401k contributions are limited", "401k contributions are limited")).answerable
    assert (await check.check(q, "401k match", "Northwind matches 100% up to 5% of pay")).answerable
    money = "how much is the relocation package?"
    moving = "Moving: tell PeopleOps the effective date of your relocation package"
    assert not (await check.check(money, moving, moving)).answerable
    assert (await check.check(money, moving, "The relocation package is $5,000.")).answerable
    # "how much time off" asks for a quantity of time: no money needed; nor for "how much is the leave"
    time_off = "how much time off do I get to vote?"
    assert (await check.check(time_off, "vote", "Up to 4 hours of leave to vote.")).answerable
    leave = "how much is the parental leave?"
    assert (await check.check(leave, "parental leave", "16 weeks of fully paid parental leave.")).answerable
    cost = "how much does a replacement badge cost?"
    assert not (await check.check(cost, "replacement badge", "Report a lost badge to security.")).answerable


async def test_the_focus_must_be_stated_unless_the_answer_has_its_type() -> None:
    check = AnswerabilityCheck(HashEmbedder())
    q = "what's the dress code for client meetings?"
    chicago = "If someone has a meeting with agency folks, they may dress up more."
    assert (await check.check(q, chicago, chicago)).reason == "focus: code"
    stated = "The dress code is business casual."
    assert (await check.check(q, stated, stated)).answerable
    phone = "what's the phone number for the employee assistance program?"
    line = "EAP line: 1-800-222-0364"
    assert (await check.check(phone, line, line)).answerable  # "number": digits answer it


def _reading(*texts_scores: tuple[str, float]) -> tuple[Reading, list[Passage]]:
    spans = [Span(text, "", 0, i, 0, "item", score=score) for i, (text, score) in enumerate(texts_scores)]
    passage = Passage("c1", "d1", "kb", "Benefits", "benefits.md", "\n".join(t for t, _ in texts_scores), 1.0)
    return Reading(list(spans), 0.6, 0.5, candidates=list(spans)), [passage]


async def test_a_close_runner_up_that_answers_takes_the_place_of_the_best_span() -> None:
    # 0.66: too far below the best span to be shown beside it (SECOND_MARGIN), close enough to replace it
    reading, passages = _reading(("You can join the 401k plan on day one.", 0.70), ("The 401k match is 5%.", 0.66))
    await check_answerable(AnswerabilityCheck(HashEmbedder()), "what's the 401k match percentage?", passages, reading)
    assert reading.spans[0].text == "The 401k match is 5%."
    assert reading.confidence == 0.6


async def test_no_close_span_answers_so_the_confidence_drops() -> None:
    reading, passages = _reading(("You can join the 401k plan on day one.", 0.70), ("The 401k match is 5%.", 0.40))
    await check_answerable(AnswerabilityCheck(HashEmbedder()), "what's the 401k match percentage?", passages, reading)
    assert reading.spans[0].text == "You can join the 401k plan on day one."  # order restored
    assert reading.confidence == pytest.approx(0.6 - UNANSWERABLE_PENALTY)


async def test_a_shortcut_is_stated_by_a_key_combination() -> None:
    """"the shortcut" names the answer's type: a key combination satisfies it without the word."""
    check = AnswerabilityCheck(HashEmbedder())
    keys = "Lock the screen manually (Ctrl+Cmd+Q or Windows+L) whenever you walk away."
    assert (await check.check("what's the shortcut to lock my laptop?", keys, keys)).answerable
    prose = "Lock the screen manually whenever you walk away from your desk."
    assert (await check.check("what's the shortcut to lock my laptop?", prose, prose)).reason == "focus: shortcut"
