"""Span choice on the bundled sample knowledge base (issue 17, third pass): the span that states
the asked-for kind of answer, read from the clause that asks; follow-ups answered for what they
add, not for the previous question. Reuses the indexed sample_kb of test_failure_classes."""

from __future__ import annotations

from bot.models import Turn
from tests.answering.test_failure_classes import ask, cited, kb_db  # noqa: F401 (fixtures)


async def test_a_when_clause_does_not_make_a_what_question_ask_for_a_date(ask) -> None:  # noqa: F811
    answer = await ask("which plan am I put on when I don't enroll?")
    assert "Aetna HDHP" in answer.text, answer.text


async def test_a_how_do_i_question_gets_the_instruction(ask) -> None:  # noqa: F811
    answer = await ask("how do I request time off?")
    assert "Request PTO in Workday" in answer.text and cited(answer) == ["hr/time-off-policy.md"], answer.text


async def test_a_follow_up_is_answered_for_what_it_adds(ask) -> None:  # noqa: F811
    history = [Turn("user", "how much time off do I get to vote?")]
    answer = await ask("and for volunteering?", history)
    assert "2 paid days per year" in answer.text, answer.text
    assert "2 paid hours" not in answer.text  # the previous question's row
    history = [Turn("user", "how much bereavement leave do I get?")]
    answer = await ask("what about sabbaticals?", history)
    assert "4 weeks paid sabbatical" in answer.text and "immediate family member" not in answer.text, answer.text
