"""Scorecard trials on Bedrock: each candidate model in the production pipeline (same prompts, same
Knowledge Base retrieval, same retries), with its calls charged to the run's budget."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncGenerator
from typing import Any

from adapters.bedrock.answerer import ConverseAnswerer
from adapters.bedrock.client import BedrockClients
from adapters.bedrock.converse import Completion, ConverseModel
from adapters.bedrock.factory import FAST_MAX_TOKENS, build_bedrock, guardrail_from
from adapters.bedrock.metered import MeteredRuntime
from adapters.bedrock.summarizer import BedrockSummarizer
from bot.answering.evaluation import EvalItem
from bot.errors import BackendError
from bot.models import Answer
from bot.ports import Retriever
from bot.scorecard.budget import Budget
from bot.scorecard.prices import PriceTable
from bot.scorecard.runner import Outcome, Trial
from bot.scorecard.tasks import RougeScorer, answer_outcome, condense_outcome, summary_outcome
from bot.settings import Settings


class TimedModel(ConverseModel):
    """One trial's model: notes when the first streamed text arrived and keeps the last completion."""

    first_text_at: float | None = None
    completion: Completion | None = None

    async def stream(
        self, system: str, messages: list[dict[str, Any]], *, max_tokens: int | None = None
    ) -> AsyncGenerator[str | Completion, None]:
        async for part in super().stream(system, messages, max_tokens=max_tokens):
            if isinstance(part, Completion):
                self.completion = part
            elif self.first_text_at is None:
                self.first_text_at = time.perf_counter()
            yield part


class BedrockTrials:
    def __init__(self, settings: Settings, clients: BedrockClients, budget: Budget, prices: PriceTable) -> None:
        self.settings = settings
        self.clients = dataclasses.replace(clients, runtime=MeteredRuntime(clients.runtime, budget, prices))
        self.guardrail = guardrail_from(settings)
        self.retriever: Retriever = build_bedrock(settings, self.clients).retriever

    def _model(self, model_id: str, max_tokens: int) -> TimedModel:
        return TimedModel(
            self.clients.runtime,
            model_id,
            guardrail=self.guardrail,
            max_tokens=max_tokens,
            attempts=self.clients.attempts,
        )

    def _answerer(self, main: str, fast: str) -> tuple[ConverseAnswerer, TimedModel, TimedModel]:
        model = self._model(main, self.settings.bedrock_max_tokens)
        fast_model = self._model(fast, FAST_MAX_TOKENS)
        return ConverseAnswerer(self.retriever, model, fast_model, top_k=self.settings.kbot_top_k), model, fast_model

    def answers(self, model_id: str) -> Trial:
        """The candidate writes the answer; follow-ups are condensed on the configured fast model."""

        async def trial(item: EvalItem) -> Outcome:
            answerer, model, _ = self._answerer(model_id, self.settings.bedrock_fast_model_id)
            started = time.perf_counter()
            final: Answer | None = None
            async for part in answerer.stream(item.as_question()):
                if isinstance(part, Answer):
                    final = part
            assert final is not None  # the stream always ends with its Answer
            ttft = None if model.first_text_at is None else (model.first_text_at - started) * 1000
            return answer_outcome(item, final, ttft)

        return trial

    def condense(self, model_id: str) -> Trial:
        async def trial(item: EvalItem) -> Outcome:
            answerer, _, _ = self._answerer(self.settings.bedrock_model_id, model_id)
            query, usage = await answerer.standalone_query(item.as_question())
            passages = await self.retriever.retrieve(query, k=self.settings.kbot_top_k)
            return condense_outcome(item, query, passages, usage, None)

        return trial

    def summaries(self, model_id: str, scorer: RougeScorer) -> Trial:
        async def trial(case: Any) -> Outcome:
            model = self._model(model_id, self.settings.bedrock_max_tokens)
            started = time.perf_counter()
            try:
                summary = await BedrockSummarizer(model).summarize(case.conversation)
            except BackendError as exc:
                if model.completion is None:  # the call itself failed: not a verdict on the model
                    raise
                ttft = None if model.first_text_at is None else (model.first_text_at - started) * 1000
                return summary_outcome(scorer, case.references, None, [model.completion.usage], ttft, str(exc))
            ttft = None if model.first_text_at is None else (model.first_text_at - started) * 1000
            return summary_outcome(scorer, case.references, summary.tldr, summary.usage, ttft)

        return trial
