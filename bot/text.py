"""Small text utilities shared by answering, summarizing and chunking."""

from __future__ import annotations

import re

_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]*[A-Z0-9])")
_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|vs|Mr|Mrs|Ms|Dr|St|No|approx|incl|Inc|Ltd|Co)\.$", re.I)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'+-]*")

STOPWORDS = frozenset(
    """a an the and or but if then else of to in on at by for with about from into over under is are was were be
    been being do does did doing have has had having i me my we our you your he she it its they them their this that
    these those what which who whom whose when where why how can could should would will shall may might must not no
    yes so than too very just also any all some each other such only own same as up down out off again further once
    there here both few more most s t don isn aren wasn weren hasn haven hadn doesn didn won wouldn shouldn couldn
    mustn let lets get got please tell know need want like one much many often i'm what's isn't that's
    am i've it's we're you're don't can't there's how's who's where's i'll i'd you'll you'd you've we'll we'd
    we've they'll they'd they've they're he's she's he'll she'll it'll that'll won't doesn't didn't aren't wasn't
    weren't hasn't haven't hadn't wouldn't shouldn't couldn't mustn't let's here's what're ll ve re""".split()
)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences; keeps list items and short lines as their own sentences."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)", text):
        block = " ".join(block.split())
        if not block:
            continue
        parts = _SENT_SPLIT.split(block)
        merged: list[str] = []
        for part in parts:
            if merged and _ABBREV.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        out.extend(p.strip() for p in merged if p.strip())
    return out


def words(text: str) -> list[str]:
    """Lower-case words; typographic apostrophes read as ASCII ("I’ll" = "i'll"), a trailing one dropped
    ("parents'" = "parents")."""
    return [w.lower().rstrip("'") for w in _WORD.findall(text.replace("’", "'"))]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut) + "…"


def stem(word: str) -> str:
    """A deliberately light stemmer (plural/verb suffixes) for lexical overlap checks."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def stem_key(word: str) -> str:
    """The light stem, also folding a final "e" ("badge" and "badges" both -> "badg")."""
    root = stem(word)
    return root[:-1] if len(root) > 4 and root.endswith("e") else root


def compact(text: str) -> str:
    """Lower-case alphanumerics only: matches "401k" in "401(k)" and "wifi" in "Wi-Fi"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def format_lag(seconds: float | None) -> str:
    """A sync lag for people: 42s, 5.0m, 3.2h, 1.5d (``-`` when never synced)."""
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{int(seconds)}s"
