"""The contrast check: the span names a rival of the question's constraint ("child" for "pet")."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from adapters.store.sqlite_store import SqliteStore
from bot.answering.contrast import ContrastCheck
from bot.answering.reader import term_weights
from bot.models import Question
from tests.answering.local_kb import default_answerer, index_folder

COMMON = {"leave": 300, "weeks": 200, "days": 250, "paid": 150, "time": 400, "sick": 120, "use": 500, "take": 450}


class FakeStats:
    """Document frequencies of a 1,000-document knowledge base: common words as above, others rare."""

    async def term_document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        return 1000, {t: COMMON.get(t, 1) for t in terms}


@pytest.fixture(scope="module")
def contrast(real_embedder) -> ContrastCheck:
    return ContrastCheck(real_embedder, FakeStats())


async def _check(contrast: ContrastCheck, question: str, answer: str, document: str = "") -> str:
    weights = await term_weights(question, FakeStats())
    return await contrast.check(question, weights, answer, f"{answer} {document}")


async def test_a_rival_member_of_the_asked_category_is_a_contrast(contrast: ContrastCheck) -> None:
    birth = "Employees get 12 weeks of paid leave for the birth or adoption of a child."
    reason = await _check(contrast, "how many weeks of paid leave do I get after a miscarriage?", birth)
    assert reason.startswith("contrast: miscarriage ->"), reason
    child = "Parents get two weeks of bereavement leave for the death of a child."
    reason = await _check(contrast, "can I take bereavement leave when my dog dies?", child)
    assert reason.startswith("contrast: dog ->"), reason


async def test_a_broader_or_restating_word_is_no_contrast(contrast: ContrastCheck) -> None:
    family = "You can use up to 13 days of sick leave a year to care for family members or for bereavement."
    assert await _check(contrast, "my grandmother passed, how many days of sick leave can I use?", family) == ""
    court = "Court leave: time off with pay when you are called to serve on a jury."
    assert await _check(contrast, "I got a jury summons, do I have to take vacation days?", court) == ""


async def test_a_name_is_not_contrasted_with_its_class(contrast: ContrastCheck) -> None:
    """ "ChatGPT" and "chatbots": a product and its kind, not two members of one kind."""
    rule = "Do not paste customer data or source code into any other AI service, including free consumer chatbots."
    assert await _check(contrast, "Am I allowed to paste our source code into ChatGPT?", rule) == ""


async def test_an_asked_term_the_document_states_is_not_tested(contrast: ContrastCheck) -> None:
    birth = "Employees get 12 weeks of paid leave for the birth or adoption of a child."
    other = "A miscarriage is covered by sick leave."
    assert await _check(contrast, "how many weeks of paid leave do I get after a miscarriage?", birth, other) == ""


async def test_no_term_statistics_no_check(real_embedder) -> None:
    check = ContrastCheck(real_embedder, None)
    birth = "Employees get 12 weeks of paid leave for the birth or adoption of a child."
    question = "how many weeks of paid leave do I get after a miscarriage?"
    assert await check.check(question, await term_weights(question, None), birth, birth) == ""


DOCS = {
    "hr/leave.md": """# Leave

## Bereavement leave

Parents receive two weeks of paid bereavement leave after the death of a child.

## Parental leave

Employees get 12 weeks of paid parental leave for the birth or adoption of a baby.
""",
    "it/laptops.md": """# Laptops

Every employee gets a laptop on the first day. Report a lost laptop to the service desk within an hour.
""",
    "travel/trains.md": """# Trains

Book trains through the travel desk. Business class is allowed on trips longer than four hours.
""",
}
TOPICS = "parking badges printers expenses payroll onboarding security holidays benefits coffee".split()
# Enough other documents that a word used once is rare (the thresholds are shares of the largest IDF).
DOCS.update({f"misc/{t}.md": f"# {t.title()}\n\nAsk the {t} team about {t} in the #{t} channel.\n" for t in TOPICS})


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:
    root = tmp_path_factory.mktemp("contrast")
    for rel, text in DOCS.items():
        (root / "kb" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "kb" / rel).write_text(text)

    return index_folder(root / "kb", root / "kb.db", real_embedder, source="kb")


async def test_the_answerer_declines_a_span_about_a_rival_member(kb: Path, real_embedder) -> None:
    store = SqliteStore(kb)
    answerer = default_answerer(store, real_embedder)
    try:
        declined = await answerer.answer(Question("How much bereavement leave do I get when my dog dies?"))
        assert not declined.grounded and "couldn't find" in declined.text, declined.text
        answered = await answerer.answer(Question("How much bereavement leave do I get when my son dies?"))
        assert answered.grounded and "two weeks" in answered.text, answered.text
    finally:
        await store.close()
