"""Plain-text rendering of answers for the terminal."""

from __future__ import annotations

from bot.models import Answer


def render_answer(answer: Answer) -> str:
    lines = [answer.text]
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for i, c in enumerate(answer.citations, 1):
            lines.append(f"  [{i}] {c.title} — {c.uri}")
            lines.append(f"      {c.snippet}")
    return "\n".join(lines)
