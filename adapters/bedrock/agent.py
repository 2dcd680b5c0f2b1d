"""Answers from a Bedrock Agent (``BEDROCK_ANSWER_MODE=agent``): ``InvokeAgent`` with one session per
chat thread, its event stream consumed as it arrives, citations from each chunk's ``attribution``."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from adapters.bedrock.calls import record_usage, stream_call
from adapters.bedrock.converse import guardrail_blocked
from adapters.bedrock.filters import no_sources_answer
from adapters.bedrock.mapping import attributed_citations
from adapters.bedrock.retriever import KnowledgeBaseRetriever
from bot.citing import SentinelGate, is_abstention, mark_spans, not_found
from bot.errors import ConfigError, InputError
from bot.models import Answer, Citation, Question, Usage
from bot.ports import AnswerDelta

log = logging.getLogger("kbot.bedrock")


def agent_session_id(question: Question) -> str:
    """Stable per chat thread (so any worker continues the same session); fresh for one-off questions."""
    key = question.conversation_id or f"{question.asker.user_id}:{uuid.uuid4()}"
    return "kbot-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _trace_usage(trace: dict[str, Any]) -> dict[str, Any] | None:
    for step in trace.values():
        if isinstance(step, dict):
            usage = ((step.get("modelInvocationOutput") or {}).get("metadata") or {}).get("usage")
            if usage:
                return usage
    return None


class AgentAnswerer:
    def __init__(
        self,
        agent_runtime: Any,
        agent_id: str,
        alias_id: str,
        *,
        knowledge_base: KnowledgeBaseRetriever | None = None,
        top_k: int = 8,
        guarded: bool = False,
        attempts: int = 1,
    ) -> None:
        self._client = agent_runtime
        self._attempts = attempts
        self._agent_id = agent_id
        self._alias_id = alias_id
        self._kb = knowledge_base
        self._top_k = top_k
        self._guarded = guarded  # the guardrail itself is configured on the agent

    def _session_state(self, question: Question) -> dict[str, Any]:
        asker = question.asker
        attributes = {
            "userId": asker.user_id,
            "email": asker.email or "",
            "displayName": asker.display_name or "",
            "groups": ",".join(asker.groups) if asker.groups is not None else "*",
        }
        state: dict[str, Any] = {
            "sessionAttributes": {k: v for k, v in attributes.items() if v},
            "promptSessionAttributes": {"asker": asker.display_name or asker.user_id},
        }
        if self._kb is not None:  # the agent's knowledge base searches only what the asker may read
            search = self._kb.search_config(self._top_k, asker.groups, question.sources)
            state["knowledgeBaseConfigurations"] = [
                {
                    "knowledgeBaseId": self._kb.knowledge_base_id,
                    "retrievalConfiguration": {"vectorSearchConfiguration": search},
                }
            ]
        return state

    async def answer(self, question: Question) -> Answer:
        async with aclosing(self.stream(question)) as items:
            async for item in items:
                if isinstance(item, Answer):
                    return item
        raise AssertionError("stream() ends with an Answer")

    async def stream(self, question: Question) -> AsyncGenerator[AnswerDelta | Answer, None]:
        if not question.text.strip():
            raise InputError("empty question", user_message="Please type a question.")
        if (nothing := no_sources_answer(question)) is not None:
            yield nothing
            return
        request: dict[str, Any] = {
            "agentId": self._agent_id,
            "agentAliasId": self._alias_id,
            "sessionId": agent_session_id(question),
            "inputText": question.text.strip(),
            "sessionState": self._session_state(question),
            "enableTrace": True,  # traces carry token usage and guardrail interventions
            "streamingConfigurations": {"streamFinalResponse": True},
        }
        gate, text, citations = SentinelGate(), "", list[Citation]()
        marks: list[tuple[int, int]] = []
        usage: list[Usage] = []
        intervened = False
        async with aclosing(
            stream_call(self._client.invoke_agent, "InvokeAgent", "completion", self._attempts, **request)
        ) as events:
            head = await anext(events)
            session_id = head.get("sessionId") or request["sessionId"]
            async for event in events:
                if "chunk" in event:
                    piece = (event["chunk"].get("bytes") or b"").decode("utf-8", errors="replace")
                    raw = (event["chunk"].get("attribution") or {}).get("citations") or []
                    citations, new_marks = attributed_citations(raw, citations, offset=len(text))
                    marks += new_marks
                    text += piece
                    if not intervened and (released := gate.feed(piece)):
                        yield AnswerDelta(released)
                elif "trace" in event:
                    trace = event["trace"].get("trace") or {}
                    intervened |= (trace.get("guardrailTrace") or {}).get("action") == "INTERVENED"
                    if raw_usage := _trace_usage(trace):
                        usage.append(record_usage(f"agent:{self._agent_id}", "InvokeAgent", raw_usage))
                elif "returnControl" in event:
                    raise ConfigError(
                        f"Agent {self._agent_id} returned control to the caller (a RETURN_CONTROL "
                        "action group); kbot does not run agent actions itself"
                    )
        if intervened:
            raise guardrail_blocked(f"agent:{self._agent_id}", "InvokeAgent", text)
        if is_abstention(text):
            yield not_found(usage, session_id)
            return
        yield Answer(
            mark_spans(text, marks).strip(),
            grounded=bool(citations),
            citations=citations,
            usage=usage,
            session_id=session_id,
        )
