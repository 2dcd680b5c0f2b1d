"""YAML front matter of a Markdown page (Jekyll, Hugo, MkDocs): ``---`` / keys / ``---`` at the top.

The block is page metadata, not prose: its ``title`` names the document and keys such as
``redirect_from`` or ``layout`` must never reach the index. A block that is not a YAML mapping
(unclosed, malformed, a scalar) is the author's text and is left where it is.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_BLOCK_CHARS = 64 * 1024  # front matter is a few lines; a longer "block" is not front matter
_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """``(keys, body)``; ``({}, text)`` unchanged when the page has no well-formed front matter."""
    opening = _OPEN.match(text)
    if not opening:
        return {}, text
    closing = _CLOSE.search(text, opening.end(), opening.end() + MAX_BLOCK_CHARS)
    if not closing:
        return {}, text
    block = text[opening.end() : closing.start()]
    try:
        keys = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError:
        return {}, text
    if not isinstance(keys, dict):
        return {}, text
    body = text[closing.end() :].lstrip("\r\n")
    return {str(k): v for k, v in keys.items()}, body


def front_matter_title(keys: dict[str, Any]) -> str:
    """The page's ``title`` when it is a non-empty string (``title: 2024`` or a list is not a title)."""
    title = keys.get("title")
    return " ".join(title.split()) if isinstance(title, str) else ""


KEYWORDS_LABEL = "Keywords: "  # bot.answering.structure reads such a line as context, never as an answer


def keywords_line(keys: dict[str, Any]) -> str:
    """The page's ``keywords`` (a string or a list): words its author chose for search, indexed with
    the page's first section. Other keys (redirect_from, tags, layout, …) are never indexed."""
    value = keys.get("keywords")
    words = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    text = ", ".join(" ".join(str(w).split()) for w in words if isinstance(w, (str, int, float)) and str(w).strip())
    return f"{KEYWORDS_LABEL}{text}" if text else ""
