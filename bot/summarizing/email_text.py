"""Email bodies: strip quoted replies and signatures; split forwarded mail pasted into chat."""

from __future__ import annotations

import re

from bot.models import Message

# Lines that start the quoted part of a reply: everything from here on is older mail.
_QUOTE_START = re.compile(
    r"^\s*(?:-{2,}\s*Original Message\s*-{2,}"
    r"|On\s[^\n]{4,200}?wrote:"
    r"|_{10,}\s*$"
    r"|From:\s.+\n\s*(?:Sent|Date):\s)",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_MARK = re.compile(
    r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$|^\s*Begin forwarded message:\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER = re.compile(r"^\s*(From|To|Cc|Date|Sent|Subject)\s*:\s*(.*)$", re.IGNORECASE)
_SIGNATURE_START = re.compile(
    r"^(?:--\s*|_{2,}\s*|Sent from my .*|Get Outlook for .*"
    r"|(?:Thanks|Thank you|Thx|Many thanks|Best|Best regards|Kind regards|Regards|Cheers|Sincerely"
    r"|Warm regards|All the best|Talk soon)(?:[,.!]\s*(?:\S+\s*){0,10}|\s*))$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^.!?\n]{0,40}[,:!]\s*"
    r"|(?-i:[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?)\s*[,:!](?:[ \t]*\n|[ \t]{2,})\s*)",
    re.IGNORECASE,
)
_DISPLAY_NAME = re.compile(r'^\s*"?([^"<]*?)"?\s*<[^>]+>\s*$')


def strip_quoted(body: str) -> str:
    """Cut the body at the first quoted-reply marker and drop ``>`` lines."""
    match = _QUOTE_START.search(body)
    if match:
        body = body[: match.start()]
    return "\n".join(line for line in body.splitlines() if not line.lstrip().startswith(">"))


def strip_signature(body: str) -> str:
    """Drop a trailing signature: a sign-off line (``Thanks,``, ``--``) followed by a few short lines."""
    lines = body.rstrip().splitlines()
    for idx in range(len(lines) - 1, -1, -1):
        if _SIGNATURE_START.match(lines[idx].strip()) and len(lines) - idx <= 8:
            tail = lines[idx + 1 :]
            if all(len(t.split()) <= 8 for t in tail):
                return "\n".join(lines[:idx]).rstrip()
    return "\n".join(lines)


def strip_greeting(body: str) -> str:
    """Drop a leading salutation such as ``Hi Phillip,`` or ``Phillip,``."""
    return _GREETING.sub("", body.lstrip(), count=1) if _GREETING.match(body.lstrip()) else body


def clean_body(body: str) -> str:
    return strip_greeting(strip_signature(strip_quoted(body))).strip()


def sender_name(value: str) -> str:
    """``"Jane Doe" <jane@x.org>`` -> ``Jane Doe``; a bare address stays as it is."""
    match = _DISPLAY_NAME.match(value)
    if match and match.group(1).strip():
        return match.group(1).strip()
    return value.strip().strip("<>") or "unknown"


def looks_like_email(text: str) -> bool:
    head = text.lstrip()[:2000]
    headers = {m.group(1).lower() for line in head.splitlines()[:30] if (m := _HEADER.match(line))}
    return bool(_FORWARD_MARK.search(head)) or ("from" in headers and ("subject" in headers or "to" in headers))


def split_pasted_email(text: str) -> list[Message]:
    """Messages of a forwarded/pasted email chain, newest first as pasted, returned oldest first.

    Each block starts at a header run (``From:`` ... ``Subject:``); a note typed above the first
    header block (``FYI, see below``) is kept as its own message from the person who pasted it.
    """
    blocks: list[tuple[dict[str, str], list[str]]] = [({}, [])]
    lines = _FORWARD_MARK.sub("", text).splitlines()
    idx = 0
    while idx < len(lines):
        header = _HEADER.match(lines[idx])
        if header and header.group(1).lower() == "from":
            fields: dict[str, str] = {}
            while idx < len(lines) and (h := _HEADER.match(lines[idx])):
                fields[h.group(1).lower()] = h.group(2).strip()
                idx += 1
            blocks.append((fields, []))
            continue
        if not lines[idx].lstrip().startswith(">"):
            blocks[-1][1].append(lines[idx])
        idx += 1
    messages: list[Message] = []
    for fields, body_lines in blocks:
        body = clean_body("\n".join(body_lines))
        if not body:
            continue
        messages.append(
            Message(
                author=sender_name(fields.get("from", "")) if fields else "forwarder",
                text=body,
                ts=fields.get("date") or fields.get("sent"),
                subject=fields.get("subject"),
            )
        )
    return list(reversed(messages))
