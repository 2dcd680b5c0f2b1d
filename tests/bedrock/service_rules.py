"""Documented Bedrock service rules the fake endpoints enforce beyond the botocore model.

botocore validates types, required members and lengths; the service itself refuses more. Each rule
here is one the real service applies, with the page that documents it, so that a request real Bedrock
refuses also fails a test.
"""

from __future__ import annotations

from typing import Any

from tests.bedrock.fake_bedrock import Fault

# Rule: ``overrideSearchType: HYBRID`` is only accepted for vector stores that hold a filterable text
# field (OpenSearch Serverless / Managed, Aurora PostgreSQL (RDS), MongoDB Atlas); every other store,
# including Amazon S3 Vectors, supports SEMANTIC only.
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_KnowledgeBaseVectorSearchConfiguration.html
# https://docs.aws.amazon.com/bedrock/latest/userguide/kb-test-config.html
HYBRID_STORES = frozenset({"OPENSEARCH_SERVERLESS", "OPENSEARCH_MANAGED_CLUSTER", "RDS", "MONGO_DB_ATLAS"})

# Rule: newer Anthropic models (Claude 3.7 and every Claude 4.x) cannot be invoked on demand by their
# base model id: "Invocation of model ID ... with on-demand throughput isn't supported. Retry your
# request with the ID or ARN of an inference profile that contains this model."
# https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
PROFILE_ONLY_PREFIXES = (
    "anthropic.claude-3-7-",
    "anthropic.claude-sonnet-4",
    "anthropic.claude-opus-4",
    "anthropic.claude-haiku-4",
)

# Rule: models in the Legacy state of their lifecycle are not granted to accounts that have not used
# them recently (a new account gets AccessDeniedException); the previous kbot defaults are two of them.
# https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html
LEGACY_MODELS = frozenset(
    {
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic.claude-3-sonnet-20240229-v1:0",
        "anthropic.claude-v2:1",
    }
)
_GEOGRAPHY_PREFIXES = ("us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global.")

# Rule: a metadata filter's ``in`` / ``notIn`` value, like ``andAll`` / ``orAll``, needs members:
# an empty list is a ValidationException.
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_RetrievalFilter.html
_LIST_OPERATORS = ("in", "notIn")


def _validation(message: str) -> Fault:
    return Fault("ValidationException", message, 400)


def search_type_fault(search: dict[str, Any] | None, store_type: str) -> Fault | None:
    if (search or {}).get("overrideSearchType") == "HYBRID" and store_type not in HYBRID_STORES:
        return _validation(f"HYBRID search is not supported for knowledge bases with storage type {store_type}")
    return None


def filter_fault(where: Any) -> Fault | None:
    if isinstance(where, dict):
        for key, value in where.items():
            if key in _LIST_OPERATORS and isinstance(value, dict) and value.get("value") == []:
                return _validation(f"filter '{key}' on '{value.get('key')}' needs at least one value")
            if key in ("andAll", "orAll") and isinstance(value, list) and len(value) < 2:
                return _validation(f"filter '{key}' needs at least 2 members")
            if (fault := filter_fault(value)) is not None:
                return fault
    elif isinstance(where, list):
        for item in where:
            if (fault := filter_fault(item)) is not None:
                return fault
    return None


def model_fault(model_id: str, *, legacy_granted: bool = False) -> Fault | None:
    if model_id in LEGACY_MODELS and not legacy_granted:
        return Fault(
            "AccessDeniedException",
            f"This account does not have access to the legacy model {model_id}; use a current model.",
            403,
        )
    bare = not model_id.startswith(_GEOGRAPHY_PREFIXES) and not model_id.startswith("arn:")
    if bare and model_id.startswith(PROFILE_ONLY_PREFIXES):
        return _validation(
            f"Invocation of model ID {model_id} with on-demand throughput isn't supported. Retry your "
            "request with the ID or ARN of an inference profile that contains this model."
        )
    return None


def vector_search_configs(operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ``vectorSearchConfiguration`` a runtime request carries."""
    if operation == "Retrieve":
        return [params.get("retrievalConfiguration", {}).get("vectorSearchConfiguration", {})]
    if operation in ("RetrieveAndGenerate", "RetrieveAndGenerateStream"):
        kb = params.get("retrieveAndGenerateConfiguration", {}).get("knowledgeBaseConfiguration", {})
        return [kb.get("retrievalConfiguration", {}).get("vectorSearchConfiguration", {})]
    if operation == "InvokeAgent":
        configs = (params.get("sessionState") or {}).get("knowledgeBaseConfigurations") or []
        return [c.get("retrievalConfiguration", {}).get("vectorSearchConfiguration", {}) for c in configs]
    return []


def request_fault(
    operation: str, params: dict[str, Any], *, store_type: str, legacy_granted: bool = False
) -> Fault | None:
    """The fault real Bedrock answers ``params`` with, or None when the request is acceptable."""
    for search in vector_search_configs(operation, params):
        fault = search_type_fault(search, store_type) or filter_fault(search.get("filter"))
        if fault is not None:
            return fault
    model_id = params.get("modelId")
    if operation in ("Converse", "ConverseStream") and isinstance(model_id, str):
        return model_fault(model_id, legacy_granted=legacy_granted)
    if operation in ("RetrieveAndGenerate", "RetrieveAndGenerateStream"):
        kb = params.get("retrieveAndGenerateConfiguration", {}).get("knowledgeBaseConfiguration", {})
        if isinstance(kb.get("modelArn"), str):
            return model_fault(kb["modelArn"], legacy_granted=legacy_granted)
    return None
