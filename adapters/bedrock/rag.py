"""Answers with Knowledge Base ``RetrieveAndGenerate`` / ``RetrieveAndGenerateStream``
(``BEDROCK_ANSWER_MODE=retrieve_and_generate``): Bedrock retrieves and generates, we map its citations."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any

from adapters.bedrock.calls import call, stream_call
from adapters.bedrock.converse import Guardrail, guardrail_blocked
from adapters.bedrock.filters import no_sources_answer
from adapters.bedrock.mapping import attributed_citations
from adapters.bedrock.retriever import KnowledgeBaseRetriever
from bot.answering.prompts import RAG_PROMPT_TEMPLATE
from bot.citing import SentinelGate, is_abstention, mark_spans, not_found
from bot.errors import ConfigError, InputError, KbotError
from bot.models import Answer, Citation, Question
from bot.ports import AnswerDelta
from bot.state import SESSION_TTL_SECONDS, ConversationState

log = logging.getLogger(__name__)


class SessionMap:
    """Chat thread -> Bedrock session id (Bedrock makes the id on a thread's first call), in the shared
    state store so a follow-up on another ``kbot serve`` replica continues the same session."""

    def __init__(self, state: ConversationState, ttl_seconds: float = SESSION_TTL_SECONDS) -> None:
        self._state = state
        self._ttl = ttl_seconds

    async def get(self, conversation_id: str | None) -> str | None:
        """The thread's session; None (a new session) also when the state store is unavailable."""
        try:
            return await self._state.session_id(f"rag:{conversation_id}") if conversation_id else None
        except KbotError as exc:
            log.warning("R&G session of %s unavailable: %s", conversation_id, exc)
            return None

    async def put(self, conversation_id: str | None, session_id: str | None) -> None:
        if conversation_id and session_id:
            try:
                await self._state.put_session_id(f"rag:{conversation_id}", session_id, ttl_seconds=self._ttl)
            except KbotError as exc:
                log.warning("could not keep the R&G session of %s: %s", conversation_id, exc)

    async def forget(self, conversation_id: str | None) -> None:
        if conversation_id:
            try:
                await self._state.forget_session_id(f"rag:{conversation_id}")
            except KbotError as exc:
                log.warning("could not drop the R&G session of %s: %s", conversation_id, exc)


class RetrieveAndGenerateAnswerer:
    def __init__(
        self,
        agent_runtime: Any,
        knowledge_base: KnowledgeBaseRetriever,
        model_id: str,
        *,
        sessions: SessionMap,
        guardrail: Guardrail | None = None,
        max_tokens: int = 1024,
        top_k: int = 8,
        attempts: int = 1,
    ) -> None:
        self._client = agent_runtime
        self._attempts = attempts
        self._kb = knowledge_base
        self._model_id = model_id
        self._guardrail = guardrail
        self._max_tokens = max_tokens
        self._top_k = top_k
        self.sessions = sessions

    async def _request(self, question: Question) -> dict[str, Any]:
        if not question.text.strip():
            raise InputError("empty question", user_message="Please type a question.")
        generation: dict[str, Any] = {
            "promptTemplate": {"textPromptTemplate": RAG_PROMPT_TEMPLATE},
            "inferenceConfig": {"textInferenceConfig": {"maxTokens": self._max_tokens, "temperature": 0.0}},
        }
        if self._guardrail:
            generation["guardrailConfiguration"] = {
                "guardrailId": self._guardrail.identifier,
                "guardrailVersion": self._guardrail.version,
            }
        search = self._kb.search_config(self._top_k, question.asker.groups, question.sources)
        request: dict[str, Any] = {
            "input": {"text": question.text.strip()},
            "retrieveAndGenerateConfiguration": {
                "type": "KNOWLEDGE_BASE",
                "knowledgeBaseConfiguration": {
                    "knowledgeBaseId": self._kb.knowledge_base_id,
                    "modelArn": self._model_id,
                    "retrievalConfiguration": {"vectorSearchConfiguration": search},
                    "generationConfiguration": generation,
                },
            },
        }
        if session_id := await self.sessions.get(question.conversation_id):
            request["sessionId"] = session_id
        return request

    async def answer(self, question: Question) -> Answer:
        if (nothing := no_sources_answer(question)) is not None:
            return nothing
        response = await self._with_session(
            question, lambda req: call(
                self._client.retrieve_and_generate, "RetrieveAndGenerate", self._attempts, **req
            )
        )
        await self.sessions.put(question.conversation_id, response.get("sessionId"))
        return self._final(
            response.get("output", {}).get("text", ""),
            response.get("citations") or [],
            response.get("guardrailAction"),
            response.get("sessionId"),
        )

    async def stream(self, question: Question) -> AsyncGenerator[AnswerDelta | Answer, None]:
        if (nothing := no_sources_answer(question)) is not None:
            yield nothing
            return
        request = await self._request(question)
        gate, parts, raw_citations, action, session_id = SentinelGate(), [], [], None, None
        try:
            events_source = stream_call(
                self._client.retrieve_and_generate_stream,
                "RetrieveAndGenerateStream",
                "stream",
                self._attempts,
                **request,
            )
            async with aclosing(events_source) as events:
                head = await anext(events)
                session_id = head.get("sessionId")
                await self.sessions.put(question.conversation_id, session_id)
                async for event in events:
                    if "output" in event:
                        parts.append(event["output"].get("text", ""))
                        if action != "INTERVENED" and (released := gate.feed(parts[-1])):
                            yield AnswerDelta(released)
                    elif "citation" in event:
                        raw_citations.append(event["citation"].get("citation") or event["citation"])
                    elif "guardrail" in event:
                        action = event["guardrail"].get("action")
        except ConfigError as exc:
            if "sessionId" in request and "session" in str(exc).lower():
                await self.sessions.forget(question.conversation_id)  # expired session: next call starts a new one
            raise
        yield self._final("".join(parts), raw_citations, action, session_id)

    async def _with_session(
        self, question: Question, send: Callable[[dict[str, Any]], Any]
    ) -> dict[str, Any]:
        """Send; if Bedrock no longer knows the thread's session (expired), start a new one once."""
        request = await self._request(question)
        try:
            return await send(request)
        except ConfigError as exc:
            if "sessionId" not in request or "session" not in str(exc).lower():
                raise
            await self.sessions.forget(question.conversation_id)
            return await send(await self._request(question))

    def _final(
        self, text: str, raw_citations: list[dict[str, Any]], action: str | None, session_id: str | None
    ) -> Answer:
        if action == "INTERVENED":
            raise guardrail_blocked(self._model_id, "RetrieveAndGenerate", text)
        if is_abstention(text):
            return not_found(session_id=session_id)
        citations: list[Citation]
        citations, marks = attributed_citations(raw_citations)
        return Answer(
            mark_spans(text, marks).strip(),
            grounded=bool(citations),
            citations=citations,
            session_id=session_id,
        )
