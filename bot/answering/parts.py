"""Multi-part questions: "what do I tell HR about the move, and how do I sign up for transit?"
is two questions; each gets its own answer part."""

from __future__ import annotations

import re

from bot.text import content_words

_QWORD = r"(?:how|what|what's|whats|when|where|who|which|why|do|does|did|can|could|should|is|are|will|would|am)"
_SPLIT = re.compile(rf"\?\s+(?=\S)|[,;]?\s+(?:and|also|plus|&)\s+(?:also\s+)?(?={_QWORD}\b)|;\s+(?={_QWORD}\b)", re.I)
MAX_PARTS = 3
MIN_WORDS = 2  # content words a part needs to stand on its own


def split_question(text: str) -> list[str]:
    """The question's parts in order; a one-part question comes back as ``[text]``."""
    pieces = [p.strip(" ,;") for p in _SPLIT.split(text.strip()) if p and p.strip(" ,;?")]
    parts: list[str] = []
    for piece in pieces:
        if parts and len(content_words(piece)) < MIN_WORDS:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    if len(parts) > 1 and len(content_words(parts[0])) < MIN_WORDS:
        parts[1] = f"{parts[0]} {parts[1]}"
        parts.pop(0)
    if len(parts) > MAX_PARTS:
        parts = [*parts[: MAX_PARTS - 1], " ".join(parts[MAX_PARTS - 1 :])]
    return parts or [text]
