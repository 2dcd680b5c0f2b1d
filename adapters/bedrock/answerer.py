"""Grounded answers on Bedrock: Knowledge Base ``Retrieve`` + ``Converse``/``ConverseStream`` with the
project's own prompt (:mod:`bot.answering.prompts`), cited and abstaining when the passages do not support it."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from adapters.bedrock.converse import Completion, ConverseModel, guarded_text
from adapters.bedrock.filters import no_sources_answer
from bot.answering.prompts import CONDENSE_SYSTEM_PROMPT, GROUNDED_SYSTEM_PROMPT
from bot.citing import GroundedReply, grounded_answer, not_found
from bot.errors import InputError
from bot.grounding import condense_user_message, grounded_user_parts
from bot.models import Answer, Passage, Question, Usage
from bot.ports import AnswerDelta, Retriever

CONDENSE_MAX_TOKENS = 256


class ConverseAnswerer:
    """``bot.ports.StreamingAnswerer``: follow-ups condensed on the fast model, answers on the main one."""

    def __init__(
        self, retriever: Retriever, model: ConverseModel, fast_model: ConverseModel, *, top_k: int = 8
    ) -> None:
        self._retriever = retriever
        self._model = model
        self._fast = fast_model
        self._top_k = top_k

    async def standalone_query(self, question: Question) -> tuple[str, list[Usage]]:
        """The question rewritten to stand on its own when it follows earlier turns."""
        if not question.history:
            return question.text.strip(), []
        prompt = condense_user_message(question.text, question.history)
        completion = await self._fast.complete(
            CONDENSE_SYSTEM_PROMPT, [_user(self._guarded(prompt))], max_tokens=CONDENSE_MAX_TOKENS
        )
        query = completion.text.strip().strip('"').strip()
        return query or question.text.strip(), [completion.usage]

    async def _prepare(self, question: Question) -> tuple[str, list[Passage], list[Usage]]:
        if not question.text.strip():
            raise InputError("empty question", user_message="Please type a question.")
        query, usage = await self.standalone_query(question)
        passages = await self._retriever.retrieve(
            query, k=self._top_k, groups=question.asker.groups, sources=question.sources
        )
        return query, passages, usage

    def _messages(self, query: str, passages: list[Passage]) -> list[dict[str, Any]]:
        passages_block, question_block = grounded_user_parts(query, passages)
        return [_user({"text": passages_block}, self._guarded(question_block))]

    def _guarded(self, text: str) -> dict[str, Any]:
        return guarded_text(text) if self._model.guardrail else {"text": text}

    async def answer(self, question: Question) -> Answer:
        if (nothing := no_sources_answer(question)) is not None:
            return nothing
        query, passages, usage = await self._prepare(question)
        if not passages:
            return not_found(usage, question.conversation_id)
        completion = await self._model.complete(GROUNDED_SYSTEM_PROMPT, self._messages(query, passages))
        return grounded_answer(
            completion.text, passages, [*usage, completion.usage], question.conversation_id
        )

    async def stream(self, question: Question) -> AsyncGenerator[AnswerDelta | Answer, None]:
        if (nothing := no_sources_answer(question)) is not None:
            yield nothing
            return
        query, passages, usage = await self._prepare(question)
        if not passages:
            yield not_found(usage, question.conversation_id)
            return
        reply = GroundedReply(passages)  # the deltas shown add up to the final answer's text
        final: Completion | None = None
        async with aclosing(
            self._model.stream(GROUNDED_SYSTEM_PROMPT, self._messages(query, passages))
        ) as parts:
            async for part in parts:
                if isinstance(part, Completion):
                    final = part
                elif shown := reply.feed(part):
                    yield AnswerDelta(shown)
        assert final is not None  # ConverseModel.stream always ends with its Completion
        if tail := reply.finish():
            yield AnswerDelta(tail)
        yield reply.answer([*usage, final.usage], question.conversation_id)


def _user(*content: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": list(content)}
