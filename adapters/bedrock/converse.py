"""One Bedrock model behind ``Converse`` / ``ConverseStream``, with the guardrail and usage on every call.

Used for answers and summaries (``BEDROCK_MODEL_ID``) and for cheap subtasks such as condensing a
follow-up question (``BEDROCK_FAST_MODEL_ID``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from adapters.bedrock.calls import call, record_usage, stream_call
from bot.errors import GuardrailIntervened
from bot.models import Usage

log = logging.getLogger("kbot.bedrock")

GUARDRAIL_STOP = "guardrail_intervened"


@dataclass(slots=True, frozen=True)
class Guardrail:
    identifier: str
    version: str


@dataclass(slots=True)
class Completion:
    text: str
    stop_reason: str
    usage: Usage


def guardrail_blocked(model_id: str, operation: str, blocked_text: str = "") -> GuardrailIntervened:
    """The error for a guardrail intervention: the guardrail's own blocked message when it has one."""
    polite = blocked_text.strip() or GuardrailIntervened.user_message
    log.warning(
        "guardrail intervened on %s %s", operation, model_id,
        extra={"kb_model_id": model_id, "kb_event": "guardrail_intervened"},  # the dashboard's metric
    )
    return GuardrailIntervened(
        f"Bedrock guardrail intervened on {operation} ({model_id})", user_message=polite
    )


def guarded_text(text: str) -> dict[str, Any]:
    """A content block the guardrail evaluates; once a message has one, its plain text blocks are
    not evaluated (so retrieved passages cannot trip the input filters, only the question can)."""
    return {"guardContent": {"text": {"text": text}}}


class ConverseModel:
    def __init__(
        self,
        runtime: Any,
        model_id: str,
        *,
        guardrail: Guardrail | None = None,
        max_tokens: int = 1024,
        temperature: float = 0.0,
        attempts: int = 1,
    ) -> None:
        self._client = runtime
        self._attempts = attempts
        self.model_id = model_id
        self.guardrail = guardrail
        self._max_tokens = max_tokens
        self._temperature = temperature

    def _request(
        self,
        system: str,
        messages: list[dict[str, Any]],
        *,
        streaming: bool,
        max_tokens: int | None,
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "modelId": self.model_id,
            "system": [{"text": system}],
            "messages": messages,
            "inferenceConfig": {
                "maxTokens": max_tokens or self._max_tokens,
                "temperature": self._temperature,
            },
        }
        if self.guardrail:
            config = {
                "guardrailIdentifier": self.guardrail.identifier,
                "guardrailVersion": self.guardrail.version,
                "trace": "enabled",
            }
            if streaming:
                config["streamProcessingMode"] = "sync"  # nothing reaches chat before the guardrail saw it
            request["guardrailConfig"] = config
        return request

    async def complete(
        self,
        system: str,
        messages: list[dict[str, Any]],
        *,
        max_tokens: int | None = None,
    ) -> Completion:
        request = self._request(system, messages, streaming=False, max_tokens=max_tokens)
        response = await call(self._client.converse, "Converse", self._attempts, **request)
        usage = record_usage(self.model_id, "Converse", response.get("usage"))
        content = ((response.get("output") or {}).get("message") or {}).get("content") or []
        text = "".join(block.get("text", "") for block in content)
        stop = response.get("stopReason", "")
        if stop == GUARDRAIL_STOP:
            raise guardrail_blocked(self.model_id, "Converse", text)
        if stop == "max_tokens":
            log.warning("%s stopped at the token limit (%d tokens out)", self.model_id, usage.output_tokens)
        return Completion(text=text, stop_reason=stop, usage=usage)

    async def stream(
        self, system: str, messages: list[dict[str, Any]], *, max_tokens: int | None = None
    ) -> AsyncGenerator[str | Completion, None]:
        """Yield text deltas as they arrive, then the :class:`Completion` (always last)."""
        request = self._request(system, messages, streaming=True, max_tokens=max_tokens)
        parts: list[str] = []
        stop, usage_raw = "", None
        async with aclosing(
            stream_call(self._client.converse_stream, "ConverseStream", "stream", self._attempts, **request)
        ) as events:
            await anext(events)  # response head: nothing needed from it
            async for event in events:
                if "contentBlockDelta" in event:
                    delta = event["contentBlockDelta"].get("delta", {}).get("text", "")
                    if delta:
                        parts.append(delta)
                        yield delta
                elif "messageStop" in event:
                    stop = event["messageStop"].get("stopReason", "")
                elif "metadata" in event:
                    usage_raw = event["metadata"].get("usage")
        usage = record_usage(self.model_id, "ConverseStream", usage_raw)
        if stop == GUARDRAIL_STOP:
            raise guardrail_blocked(self.model_id, "ConverseStream", "".join(parts))
        yield Completion(text="".join(parts), stop_reason=stop, usage=usage)
