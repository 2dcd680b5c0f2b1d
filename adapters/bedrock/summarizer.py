"""``bot.ports.Summarizer`` on Bedrock ``ConverseStream``: the same :class:`Summary` structure as the
embedded one. Streamed because a summary is long (up to ~30k tokens in, 2,048 out): the read timeout then
bounds the gap between parts, not the whole generation, and a slow summary is never sent twice.

The model answers in plain-text JSON rather than through a tool call, because guardrails do not
evaluate tool-call arguments; items point at message numbers, which carry the links and authors.
"""

from __future__ import annotations

import json
from contextlib import aclosing
from typing import Any

from adapters.bedrock.converse import Completion, ConverseModel, guarded_text
from bot.answering.prompts import SUMMARY_MESSAGE_TEMPLATE, SUMMARY_SYSTEM_PROMPT, SUMMARY_USER_TEMPLATE
from bot.errors import BackendError, InputError
from bot.models import ActionItem, Conversation, Message, Summary, SummaryItem

MAX_CHARS = 120_000  # about 30k tokens of conversation: the most recent messages are kept
SUMMARY_MAX_TOKENS = 2048


def _message_line(number: int, message: Message) -> str:
    text = " ".join(message.text.split())
    if message.subject:
        text = f"(subject: {message.subject}) {text}"
    return SUMMARY_MESSAGE_TEMPLATE.format(number=number, author=message.author or "unknown", text=text)


def _recent_within_budget(messages: list[Message]) -> list[Message]:
    kept: list[Message] = []
    used = 0
    for message in reversed(messages):
        used += len(message.text) + 40
        if kept and used > MAX_CHARS:
            break
        kept.append(message)
    return kept[::-1]


def _json_object(text: str) -> dict[str, Any]:
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start : end + 1]) if start >= 0 and end > start else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or not str(data.get("tldr") or "").strip():
        raise BackendError(f"Bedrock summary was not the expected JSON object: {text[:200]!r}")
    return data


def _source(raw: dict[str, Any], messages: list[Message]) -> Message | None:
    number = raw.get("message")
    return messages[number - 1] if isinstance(number, int) and 1 <= number <= len(messages) else None


def _items(raw_items: Any, messages: list[Message]) -> list[SummaryItem]:
    items = []
    for raw in raw_items if isinstance(raw_items, list) else []:
        if isinstance(raw, dict) and str(raw.get("text") or "").strip():
            source = _source(raw, messages)
            items.append(
                SummaryItem(
                    text=str(raw["text"]).strip(),
                    link=source.link if source else None,
                    author=source.author if source else None,
                )
            )
    return items


def _actions(raw_items: Any, messages: list[Message]) -> list[ActionItem]:
    actions = []
    for raw in raw_items if isinstance(raw_items, list) else []:
        if isinstance(raw, dict) and str(raw.get("task") or "").strip():
            source = _source(raw, messages)
            actions.append(
                ActionItem(
                    owner=str(raw["owner"]).strip() if raw.get("owner") else None,
                    task=str(raw["task"]).strip(),
                    due=str(raw["due"]).strip() if raw.get("due") else None,
                    link=source.link if source else None,
                )
            )
    return actions


class BedrockSummarizer:
    def __init__(self, model: ConverseModel) -> None:
        self._model = model

    async def summarize(self, conversation: Conversation) -> Summary:
        messages = [m for m in conversation.messages if not m.is_bot and m.text.strip()]
        if not messages:
            raise InputError("Nothing to summarize: the conversation has no messages from people.")
        messages = _recent_within_budget(messages)
        lines = "\n".join(_message_line(i, m) for i, m in enumerate(messages, 1))
        title = f"Title: {conversation.title}\n" if conversation.title else ""
        prompt = SUMMARY_USER_TEMPLATE.format(title=title, messages=lines)
        block = guarded_text(prompt) if self._model.guardrail else {"text": prompt}
        completion: Completion | None = None
        parts = self._model.stream(
            SUMMARY_SYSTEM_PROMPT.format(kind=conversation.kind),
            [{"role": "user", "content": [block]}],
            max_tokens=SUMMARY_MAX_TOKENS,
        )
        async with aclosing(parts) as items:
            async for item in items:
                if isinstance(item, Completion):
                    completion = item
        assert completion is not None  # ConverseModel.stream always ends with its Completion
        data = _json_object(completion.text)
        return Summary(
            tldr=str(data["tldr"]).strip(),
            key_points=_items(data.get("key_points"), messages),
            decisions=_items(data.get("decisions"), messages),
            action_items=_actions(data.get("action_items"), messages),
            open_questions=_items(data.get("open_questions"), messages),
            usage=[completion.usage],
        )
