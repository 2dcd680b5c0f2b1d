"""What counts as a question's terms: pronoun and auxiliary contractions are never key terms.

"I'll be staying at my parents' place for 3 months, do I need to update anything?" — "i'll" is rare
in a handbook, so it had the highest IDF and became the term the answer "must" state: the right
answer (the 120-day rule) was declined as missing it.
"""

from __future__ import annotations

import pytest

from bot.text import content_words


@pytest.mark.parametrize(
    "question",
    [
        "I'll be staying at my parents' place for 3 months",
        "I’ll be staying at my parents’ place for 3 months",  # typographic apostrophes, as Slack sends them
    ],
)
def test_contractions_are_not_content_words(question: str) -> None:
    assert content_words(question) == ["staying", "parents", "place", "months"]


def test_every_common_contraction_is_a_stopword() -> None:
    text = (
        "we'll you'll they'll he'll she'll it'll i'd you'd we'd they'd you've we've they've they're "
        "he's she's won't doesn't didn't aren't wasn't weren't hasn't haven't hadn't wouldn't "
        "shouldn't couldn't mustn't let's here's that'll"
    )
    assert content_words(text) == []
    assert content_words(text.replace("'", "’")) == []
