"""Sentence splitting and the text clean-up every summary unit goes through."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "e.g",
    "i.e",
    "approx",
    "dept",
    "est",
    "fig",
    "no",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "u.s",
    "a.m",
    "p.m",
}
# A sentence ends at . ! ? (or an ellipsis) followed by whitespace; the next sentence starts at the
# next non-space character. Abbreviations and single initials are re-joined afterwards.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")
_PLACEHOLDER = re.compile(r"<file_\w+>|\[(?:file|image|attachment)[^\]]*\]", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_WORD = re.compile(r"[^\W\d_]{2,}|[^\W\d_]*\d[\w]*", re.UNICODE)
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_text(text: str) -> str:
    """Drop attachment placeholders and collapse spaces; keep URLs and punctuation."""
    text = _PLACEHOLDER.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def has_words(text: str) -> bool:
    """True when ``text`` carries at least one real word (not only emoji, punctuation, links)."""
    return bool(_WORD.search(_URL.sub(" ", text)))


def word_count(text: str) -> int:
    return len(_WORD.findall(_URL.sub(" ", text)))


def _ends_with_abbreviation(piece: str) -> bool:
    if not piece.rstrip().endswith("."):
        return False
    last = piece.rstrip().rsplit(None, 1)[-1]
    token = last.rstrip(".").lower().lstrip("(\"'")
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; every line break also ends a sentence."""
    sentences: list[str] = []
    for line in text.splitlines():
        line = clean_text(line)
        if not line:
            continue
        pending = ""
        for piece in _BOUNDARY.split(line):
            pending = f"{pending} {piece}".strip() if pending else piece.strip()
            if pending and not _ends_with_abbreviation(pending):
                sentences.append(pending)
                pending = ""
        if pending:
            sentences.append(pending)
    return [s for s in sentences if s]
