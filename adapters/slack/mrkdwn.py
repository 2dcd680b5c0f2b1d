"""Text helpers for Slack: escaping, Markdown -> mrkdwn, and splitting to Slack's size limits."""

from __future__ import annotations

import html
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


def to_mrkdwn(markdown: str) -> str:
    """Model/answer Markdown to Slack mrkdwn (escaped first, so only our own links are live)."""
    text = escape(markdown)
    text = _MD_LINK.sub(lambda m: link(html.unescape(m.group(2)), html.unescape(m.group(1))), text)
    text = _MD_BOLD.sub(r"*\1*", text)
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
