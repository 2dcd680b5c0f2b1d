"""Text helpers for Slack: escaping, Markdown -> mrkdwn, and splitting to Slack's size limits."""

from __future__ import annotations

import re

SECTION_LIMIT = 3000  # characters in a section block's text
FALLBACK_LIMIT = 3900  # top-level ``text`` of a message (notifications, screen readers)

_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>\s*")


def escape(text: str) -> str:
    """Slack's three control characters; also defuses ``<!channel>`` pings coming from documents."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")
    safe_url = safe_url.replace("&", "&amp;")
    safe_label = escape(label).replace("|", "¦") or safe_url
    return f"<{safe_url}|{safe_label}>"


def plain(text: str) -> str:
    """Answer text (it quotes documents) as inert mrkdwn: escaped, so no ``<!channel>``, ``<@U…>`` or
    ``<url|label>`` from a document is live, and ``[label](url)`` shown as ``label (url)``: never a
    masked link. Live links come only from citation metadata (:func:`link`)."""
    return _MD_LINK.sub(r"\1 (\2)", escape(text))


def to_mrkdwn(markdown: str) -> str:
    """Answer Markdown to Slack mrkdwn: :func:`plain`, plus bold and headings."""
    text = _MD_BOLD.sub(r"*\1*", plain(markdown))
    return _MD_HEADING.sub(r"*\1*", text)


def strip_mentions(text: str) -> str:
    """``<@U123> what is X`` -> ``what is X``."""
    return _MENTION.sub("", text).strip()


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries so every piece fits ``limit``."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
