"""Building the grounded prompt's parts from passages and history (see :mod:`bot.answering.prompts`).

The reply side (markers -> citations, abstention) is :mod:`bot.citing`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.answering.prompts import CONDENSE_USER_TEMPLATE, PASSAGE_TEMPLATE, PASSAGES_BLOCK, QUESTION_BLOCK
from bot.models import Passage, Turn

SNIPPET_CHARS = 300


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def format_passages(passages: Sequence[Passage]) -> str:
    return "\n\n".join(
        PASSAGE_TEMPLATE.format(number=i, title=p.title or p.uri, text=p.text.strip())
        for i, p in enumerate(passages, 1)
    )


def grounded_user_parts(question: str, passages: Sequence[Passage]) -> tuple[str, str]:
    """The passages block and the question block of the grounded prompt's user turn."""
    passages_block = PASSAGES_BLOCK.format(passages=format_passages(passages))
    return passages_block, QUESTION_BLOCK.format(question=question.strip())


def condense_user_message(question: str, history: Sequence[Turn], max_turns: int = 8) -> str:
    lines = [f"{t.role}: {' '.join(t.text.split())}" for t in history[-max_turns:]]
    return CONDENSE_USER_TEMPLATE.format(history="\n".join(lines), question=question.strip())
