"""Turn whatever the user gave us (thread JSON, transcript, pasted email) into a Conversation."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.errors import InputError
from bot.models import Conversation, Message
from bot.summarizing.chat_loaders import from_slack, from_teams
from bot.summarizing.email_text import clean_body, looks_like_email, split_pasted_email

# "Name: text", "#Person1#: text", "[10:31] Name: text", "10:31 Name: text"
_TURN = re.compile(
    r"^\s*(?:\[?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?\]?\s*[-–]?\s*)?"
    r"(#?[^\W\d][\w.'’#@ -]{0,38}?)\s*:\s+(.*)$",
    re.IGNORECASE,
)
_HEADER_WORDS = {
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "sent",
    "re",
    "fw",
    "fwd",
    "note",
    "http",
    "https",
}


def _turn(line: str) -> tuple[str, str] | None:
    match = _TURN.match(line)
    if not match:
        return None
    name = match.group(1).strip().strip("#").strip()
    if not name or len(name.split()) > 3 or name.lower() in _HEADER_WORDS:
        return None
    return name, match.group(2).strip()


def from_transcript(text: str) -> Conversation:
    """``Name: text`` lines; a line without a speaker continues the previous turn."""
    messages: list[Message] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        turn = _turn(line)
        if turn:
            messages.append(Message(author=turn[0], text=turn[1]))
        elif messages:
            messages[-1].text = f"{messages[-1].text}\n{line.strip()}"
        else:
            messages.append(Message(author="unknown", text=line.strip()))
    return Conversation(kind="chat", messages=messages)


def is_transcript(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    speakers = [t for line in lines if (t := _turn(line))]
    return len(speakers) >= max(2, len(lines) // 2) and len({s[0] for s in speakers}) >= 1


def from_email_text(text: str, subject: str | None = None, author: str = "sender") -> Conversation:
    """A pasted email or forwarded chain; a bare body (no headers) becomes one message."""
    if looks_like_email(text):
        messages = split_pasted_email(text)
    else:
        body = clean_body(text)
        messages = [Message(author=author, text=body, subject=subject)] if body else []
    title = subject or next((m.subject for m in reversed(messages) if m.subject), None)
    return Conversation(kind="email", messages=messages, title=title)


def from_json(
    payload: Any, directory: Mapping[str, str] | None = None, permalink_base: str | None = None
) -> Conversation:
    """Slack replies JSON, Teams activities / Graph messages, or ``{"messages": [{author, text}]}``."""
    items = payload
    if isinstance(payload, Mapping):
        key = next((k for k in ("messages", "activities", "value") if k in payload), None)
        items = payload[key] if key else None
    if not isinstance(items, list):
        raise InputError("unrecognised JSON: expected a Slack thread, Teams activities or a messages list")
    if not items:
        return Conversation(kind="chat", messages=[])
    first = next((i for i in items if isinstance(i, Mapping)), {})
    if "ts" in first or "bot_id" in first or "user" in first and "text" in first:
        return from_slack(items, directory, permalink_base)
    if "from" in first or first.get("type") == "message" or "body" in first:
        return from_teams(items)
    if "author" in first and "text" in first:
        return Conversation(
            kind="chat",
            messages=[
                Message(
                    author=str(i.get("author")),
                    text=str(i.get("text") or ""),
                    ts=i.get("ts"),
                    link=i.get("link"),
                    is_bot=bool(i.get("is_bot")),
                )
                for i in items
                if isinstance(i, Mapping)
            ],
        )
    raise InputError("unrecognised JSON: expected a Slack thread, Teams activities or a messages list")


def load_text(text: str, directory: Mapping[str, str] | None = None) -> Conversation:
    """Detect the format of pasted ``text``: JSON thread, email, transcript, or plain text."""
    stripped = text.strip()
    if not stripped:
        raise InputError("nothing to summarize: the input is empty")
    if stripped[0] in "[{":
        try:
            return from_json(json.loads(stripped), directory)
        except json.JSONDecodeError:
            pass
    if looks_like_email(stripped):
        return from_email_text(stripped)
    if is_transcript(stripped):
        return from_transcript(stripped)
    return from_email_text(stripped)
