"""``build_bedrock(settings)``: the Bedrock retriever, answerer and summarizer, from settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adapters.bedrock.client import BedrockClients, build_clients
from adapters.bedrock.converse import ConverseModel, Guardrail
from adapters.bedrock.health import HEALTH
from adapters.bedrock.retriever import KnowledgeBaseRetriever
from bot.errors import ConfigError
from bot.models import Passage
from bot.ports import Retriever, StreamingAnswerer, Summarizer
from bot.settings import Settings
from bot.state import ConversationState

FAST_MAX_TOKENS = 512


@dataclass(slots=True)
class BedrockBackend:
    answer_mode: str
    retriever: Retriever
    answerer: StreamingAnswerer
    summarizer: Summarizer
    clients: BedrockClients

    def health(self) -> dict[str, Any]:
        """Last Bedrock success and fault in this process, for ``/healthz`` and admin views."""
        return {"answer_mode": self.answer_mode, **HEALTH.snapshot()}


class MissingKnowledgeBase:
    """Retriever stand-in for agent-only setups: searching needs BEDROCK_KNOWLEDGE_BASE_ID."""

    async def retrieve(
        self,
        query: str,
        *,
        k: int = 8,
        groups: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[Passage]:
        raise ConfigError("Searching the knowledge base needs BEDROCK_KNOWLEDGE_BASE_ID")


def guardrail_from(settings: Settings) -> Guardrail | None:
    if not settings.bedrock_guardrail_id:
        return None
    if not settings.bedrock_guardrail_version:
        raise ConfigError("BEDROCK_GUARDRAIL_ID needs BEDROCK_GUARDRAIL_VERSION (a version number or DRAFT)")
    return Guardrail(settings.bedrock_guardrail_id, settings.bedrock_guardrail_version)


def build_bedrock(
    settings: Settings, clients: BedrockClients | None = None, *, state: ConversationState | None = None
) -> BedrockBackend:
    """``state``: where R&G session ids live (shared by replicas); default: the one the settings name."""
    from adapters.bedrock.agent import AgentAnswerer
    from adapters.bedrock.answerer import ConverseAnswerer
    from adapters.bedrock.rag import RetrieveAndGenerateAnswerer, SessionMap
    from adapters.bedrock.summarizer import BedrockSummarizer

    clients = clients or build_clients(settings)
    guardrail = guardrail_from(settings)
    model = ConverseModel(
        clients.runtime,
        settings.bedrock_model_id,
        guardrail=guardrail,
        max_tokens=settings.bedrock_max_tokens,
        attempts=clients.attempts,
    )
    fast_model = ConverseModel(
        clients.runtime,
        settings.bedrock_fast_model_id,
        guardrail=guardrail,
        max_tokens=FAST_MAX_TOKENS,
        attempts=clients.attempts,
    )
    kb_retriever = (
        KnowledgeBaseRetriever(
            clients.retrieval,
            settings.bedrock_knowledge_base_id,
            search_type=settings.bedrock_search_type,
            rerank_model_arn=settings.bedrock_rerank_model_arn,
        )
        if settings.bedrock_knowledge_base_id
        else None
    )
    mode = settings.bedrock_answer_mode
    answerer: StreamingAnswerer
    if mode == "agent":
        if not (settings.bedrock_agent_id and settings.bedrock_agent_alias_id):
            raise ConfigError("BEDROCK_ANSWER_MODE=agent needs BEDROCK_AGENT_ID and BEDROCK_AGENT_ALIAS_ID")
        answerer = AgentAnswerer(
            clients.agent_runtime,
            settings.bedrock_agent_id,
            settings.bedrock_agent_alias_id,
            knowledge_base=kb_retriever,
            top_k=settings.kbot_top_k,
            guarded=guardrail is not None,
            attempts=clients.attempts,
        )
    elif kb_retriever is None:
        raise ConfigError(f"BEDROCK_ANSWER_MODE={mode} needs BEDROCK_KNOWLEDGE_BASE_ID")
    elif mode == "retrieve_and_generate":
        if state is None:
            from adapters.state.factory import build_state

            state = build_state(settings)
        answerer = RetrieveAndGenerateAnswerer(
            clients.agent_runtime,
            kb_retriever,
            settings.bedrock_model_id,
            sessions=SessionMap(state),
            guardrail=guardrail,
            max_tokens=settings.bedrock_max_tokens,
            top_k=settings.kbot_top_k,
            attempts=clients.attempts,
        )
    else:
        answerer = ConverseAnswerer(kb_retriever, model, fast_model, top_k=settings.kbot_top_k)
    return BedrockBackend(
        answer_mode=mode,
        retriever=kb_retriever or MissingKnowledgeBase(),
        answerer=answerer,
        summarizer=BedrockSummarizer(model),
        clients=clients,
    )
