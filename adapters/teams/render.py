"""Answers and summaries -> Teams activity dicts: ``[n]`` markers, citation entity, AI label, feedback.

Plain dicts only (no botbuilder types), so the renderer works with any Bot Framework transport.
Shapes follow "Enhance AI-generated bot messages" (MicrosoftDocs/msteams-docs): one root
``https://schema.org/Message`` entity carrying ``additionalType: ["AIGeneratedContent"]`` (the AI label)
and the ``citation`` claims; ``channelData.feedbackLoopEnabled`` turns on the 👍/👎 buttons.
"""

from __future__ import annotations

import re
from typing import Any

from bot.models import Answer, Citation, Summary

MESSAGE_ENTITY_TYPE = "https://schema.org/Message"
AI_LABEL = "AIGeneratedContent"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_CITATIONS = 20  # Teams rejects a message with more
TITLE_MAX = 80
ABSTRACT_MAX = 160  # "Extract of the referenced content (max length 160)": Teams client citation schema
_MARKER = re.compile(r"\[(\d+)\]")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")  # answer text quotes documents: never a masked link


def _plain(text: str) -> str:
    """Quoted document/chat text as inert Markdown: ``[label](url)`` shown as ``label (url)``, never a
    masked link. Live links come only from metadata (citations, message permalinks)."""
    return _MD_LINK.sub(r"\1 (\2)", text)


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def with_markers(text: str, citation_count: int) -> str:
    """Keep ``[n]`` markers that point at a citation; append markers for citations the text never uses."""
    used: set[int] = set()

    def keep(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if 1 <= n <= citation_count:
            used.add(n)
            return match.group(0)
        return ""

    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", _MARKER.sub(keep, text)).strip()
    missing = [n for n in range(1, citation_count + 1) if n not in used]
    if missing:
        text = f"{text} " + "".join(f"[{n}]" for n in missing)
    return text


def citation_claim(position: int, citation: Citation) -> dict[str, Any]:
    appearance: dict[str, Any] = {
        "@type": "DigitalDocument",
        "name": _clip(citation.title or citation.uri or f"Source {position}", TITLE_MAX),
        "abstract": _clip(citation.snippet, ABSTRACT_MAX),
    }
    if citation.uri.startswith(("http://", "https://")):
        appearance["url"] = citation.uri
    return {"@type": "Claim", "position": position, "appearance": appearance}


def message_entity(citations: list[Citation], *, ai_label: bool = True) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "type": MESSAGE_ENTITY_TYPE,
        "@type": "Message",
        "@context": "https://schema.org",
    }
    if ai_label:
        entity["additionalType"] = [AI_LABEL]
    if citations:
        entity["citation"] = [citation_claim(i, c) for i, c in enumerate(citations, 1)]
    return entity


def answer_activity(answer: Answer, *, feedback: bool = True, entities: bool = True) -> dict[str, Any]:
    """The final answer message. ``entities=False`` gives the Adaptive Card fallback instead."""
    citations = answer.citations[:MAX_CITATIONS]
    text = with_markers(_plain(answer.text), len(citations))
    if not entities:
        return answer_card_activity(text, citations, feedback=feedback)
    activity: dict[str, Any] = {
        "type": "message",
        "text": text,
        "textFormat": "markdown",
        "entities": [message_entity(citations)],
    }
    if feedback:
        activity["channelData"] = {"feedbackLoopEnabled": True, "feedbackLoopType": "default"}
    return activity


def answer_card_activity(text: str, citations: list[Citation], *, feedback: bool = True) -> dict[str, Any]:
    """Adaptive Card fallback for clients/channels without citation entities (e.g. older clients)."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": "AI-generated content may be incorrect.",
            "isSubtle": True,
            "size": "Small",
            "wrap": True,
        },
        {"type": "TextBlock", "text": text, "wrap": True},
    ]
    if citations:
        body.append({"type": "TextBlock", "text": "Sources", "weight": "Bolder", "spacing": "Medium"})
        for i, cite in enumerate(citations, 1):
            label = _clip(cite.title or cite.uri, TITLE_MAX)
            line = f"[{i}] [{label}]({cite.uri})" if cite.uri.startswith("http") else f"[{i}] {label}"
            body.append({"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"})
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }
    if feedback:
        card["actions"] = [
            {"type": "Action.Execute", "title": title, "verb": "feedback", "data": {"reaction": reaction}}
            for title, reaction in (("👍 Helpful", "like"), ("👎 Not helpful", "dislike"))
        ]
    return {"type": "message", "text": "", "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}]}


def text_activity(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text, "textFormat": "markdown"}


def summary_markdown(summary: Summary) -> str:
    parts = [f"**TL;DR:** {_plain(summary.tldr)}"]
    sections = [
        ("Key points", [_item(i.text, i.author, i.link) for i in summary.key_points]),
        ("Decisions", [_item(i.text, i.author, i.link) for i in summary.decisions]),
        (
            "Action items",
            [
                _item(
                    f"{a.owner + ': ' if a.owner else ''}{a.task}{' (due ' + a.due + ')' if a.due else ''}",
                    None,
                    a.link,
                )
                for a in summary.action_items
            ],
        ),
        ("Open questions", [_item(i.text, i.author, i.link) for i in summary.open_questions]),
    ]
    for title, items in sections:
        if items:
            parts.append(f"**{title}**\n" + "\n".join(f"- {line}" for line in items))
    return "\n\n".join(parts)


def _item(text: str, author: str | None, link: str | None) -> str:
    line = f"{text} — {author}" if author and not text.startswith(author) else text
    line = _plain(line)
    return f"{line} ([link]({link}))" if link else line


def summary_activity(summary: Summary) -> dict[str, Any]:
    activity = text_activity(summary_markdown(summary))
    activity["entities"] = [message_entity([])]
    return activity


def summary_card(summary: Summary, title: str = "Thread summary") -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
        {
            "type": "TextBlock",
            "text": "AI-generated content may be incorrect.",
            "isSubtle": True,
            "size": "Small",
            "wrap": True,
        },
        {"type": "TextBlock", "text": summary_markdown(summary), "wrap": True},
    ]
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }
