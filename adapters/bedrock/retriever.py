"""``bot.ports.Retriever`` over a Bedrock Knowledge Base (``Retrieve``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.bedrock.calls import call
from adapters.bedrock.filters import no_sources, retrieval_filter
from adapters.bedrock.mapping import passage_from_result
from bot.models import Passage

MAX_RESULTS = 100  # Retrieve's numberOfResults limit


def vector_search_config(
    k: int,
    groups: Sequence[str] | None,
    sources: Sequence[str] | None,
    *,
    search_type: str | None = None,
    rerank_model_arn: str | None = None,
) -> dict[str, Any]:
    """The ``vectorSearchConfiguration`` shared by Retrieve, RetrieveAndGenerate and agent sessions.

    ``overrideSearchType`` is sent only when configured: HYBRID is refused by stores without a
    filterable text field (S3 Vectors among them), and without it Bedrock picks what the store supports.
    """
    config: dict[str, Any] = {"numberOfResults": min(k, MAX_RESULTS)}
    if search_type:
        config["overrideSearchType"] = search_type
    where = retrieval_filter(groups, sources)
    if where is not None:
        config["filter"] = where
    if rerank_model_arn:
        # Fetch a wider candidate set and let the reranker keep the best k.
        config["numberOfResults"] = min(k * 3, MAX_RESULTS)
        config["rerankingConfiguration"] = {
            "type": "BEDROCK_RERANKING_MODEL",
            "bedrockRerankingConfiguration": {
                "modelConfiguration": {"modelArn": rerank_model_arn},
                "numberOfRerankedResults": min(k, MAX_RESULTS),
            },
        }
    return config


class KnowledgeBaseRetriever:
    def __init__(
        self,
        agent_runtime: Any,
        knowledge_base_id: str,
        *,
        search_type: str | None = None,
        rerank_model_arn: str | None = None,
    ) -> None:
        self._client = agent_runtime
        self.knowledge_base_id = knowledge_base_id
        self._search_type = search_type
        self._rerank_model_arn = rerank_model_arn

    def search_config(
        self, k: int, groups: Sequence[str] | None, sources: Sequence[str] | None
    ) -> dict[str, Any]:
        return vector_search_config(
            k, groups, sources, search_type=self._search_type, rerank_model_arn=self._rerank_model_arn
        )

    async def retrieve(
        self,
        query: str,
        *,
        k: int = 8,
        groups: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[Passage]:
        if not query.strip() or no_sources(sources):
            return []
        response = await call(
            self._client.retrieve,
            "Retrieve",
            knowledgeBaseId=self.knowledge_base_id,
            retrievalQuery={"text": query},
            retrievalConfiguration={"vectorSearchConfiguration": self.search_config(k, groups, sources)},
        )
        passages = [passage_from_result(item) for item in response.get("retrievalResults", [])]
        passages = [p for p in passages if p.text.strip()]
        passages.sort(key=lambda p: p.score, reverse=True)
        return passages[:k]
