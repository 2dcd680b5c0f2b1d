"""Requests real Bedrock refuses: HYBRID search on S3 Vectors, legacy or profile-only model ids, empty
filter lists. The fake endpoint enforces each documented rule (tests/bedrock/service_rules.py)."""

from __future__ import annotations

import asyncio

import pytest

from adapters.bedrock.factory import build_bedrock
from adapters.bedrock.filters import NO_SOURCES_MESSAGE
from bot.errors import AccessDeniedError, ConfigError
from bot.models import Question
from bot.settings import Settings
from tests.bedrock.replies import converse_reply, kb_result, retrieve_reply
from tests.bedrock.service_rules import LEGACY_MODELS, model_fault


def _defaults(**values: object) -> Settings:
    """Settings as a fresh deployment has them: no BEDROCK_SEARCH_TYPE, default model ids."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        kbot_backend="bedrock",
        bedrock_knowledge_base_id="KBTEST1234",
        bedrock_max_attempts=1,
        **values,
    )


async def test_default_retrieve_omits_search_type_and_s3_vectors_store_answers(fake_bedrock):
    fake_bedrock.script("Retrieve", retrieve_reply(kb_result("Laptops every 3 years.", uri="https://it/l")))
    passages = await build_bedrock(_defaults()).retriever.retrieve("laptop refresh")
    assert [p.uri for p in passages] == ["https://it/l"]
    config = fake_bedrock.calls("Retrieve")[0]["retrievalConfiguration"]["vectorSearchConfiguration"]
    assert "overrideSearchType" not in config


async def test_fake_refuses_hybrid_on_s3_vectors_like_bedrock(fake_bedrock):
    with pytest.raises(ConfigError, match="HYBRID search is not supported"):
        await build_bedrock(_defaults(bedrock_search_type="HYBRID")).retriever.retrieve("q")
    fake_bedrock.store_type = "OPENSEARCH_SERVERLESS"  # a store with a filterable text field
    fake_bedrock.script("Retrieve", retrieve_reply())
    await build_bedrock(_defaults(bedrock_search_type="HYBRID")).retriever.retrieve("q")
    assert (
        fake_bedrock.calls("Retrieve")[-1]["retrievalConfiguration"]["vectorSearchConfiguration"]["overrideSearchType"]
        == "HYBRID"
    )


async def test_default_models_are_current_inference_profiles_the_fake_accepts(fake_bedrock):
    settings = _defaults(aws_region="us-east-1")
    for model_id in (settings.bedrock_model_id, settings.bedrock_fast_model_id):
        assert model_id.startswith("us.anthropic.claude-"), model_id
        assert model_id.split(".", 1)[1] not in LEGACY_MODELS
        assert model_fault(model_id) is None
    fake_bedrock.script("Retrieve", retrieve_reply(kb_result("Laptops every 3 years.", uri="https://it/l")))
    fake_bedrock.script("Converse", converse_reply("Every three years [1]."))
    answer = await build_bedrock(settings).answerer.answer(Question("laptop refresh?"))
    assert answer.grounded and fake_bedrock.calls("Converse")[0]["modelId"] == settings.bedrock_model_id


def test_default_models_follow_the_region_geography():
    eu = _defaults(aws_region="eu-central-1")
    ap = _defaults(aws_region="ap-southeast-2")
    assert eu.bedrock_model_id.startswith("eu.") and eu.bedrock_fast_model_id.startswith("eu.")
    assert ap.bedrock_model_id.startswith("apac.")
    pinned = _defaults(aws_region="eu-central-1", bedrock_model_id="us.anthropic.claude-x-v1:0")
    assert pinned.bedrock_model_id == "us.anthropic.claude-x-v1:0"  # an explicit id is never rewritten


async def test_legacy_model_is_refused_with_a_clear_admin_error(fake_bedrock):
    settings = _defaults(bedrock_model_id="anthropic.claude-3-5-sonnet-20240620-v1:0")
    fake_bedrock.script("Retrieve", retrieve_reply(kb_result("x", uri="https://x")))
    with pytest.raises(AccessDeniedError):
        await build_bedrock(settings).answerer.answer(Question("q"))
    assert model_fault("anthropic.claude-sonnet-4-5-20250929-v1:0") is not None  # needs a profile


@pytest.mark.parametrize("mode", ["converse", "retrieve_and_generate"])
async def test_no_allowed_source_makes_no_bedrock_call_and_says_so(fake_bedrock, mode):
    backend = build_bedrock(_defaults(bedrock_answer_mode=mode))
    answer = await backend.answerer.answer(Question("anything?", sources=[]))
    assert answer.text == NO_SOURCES_MESSAGE and not answer.grounded
    assert fake_bedrock.requests == []


async def test_no_allowed_source_in_agent_mode_makes_no_call(fake_bedrock):
    backend = build_bedrock(
        _defaults(bedrock_answer_mode="agent", bedrock_agent_id="AGENT12345", bedrock_agent_alias_id="ALIAS12345")
    )
    answer = await backend.answerer.answer(Question("anything?", sources=[]))
    assert answer.text == NO_SOURCES_MESSAGE
    assert fake_bedrock.requests == []


async def test_fake_refuses_an_empty_in_filter_like_bedrock(fake_bedrock):
    """Why no request is ever built for an empty source list: the service refuses ``in: []``."""
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client("bedrock-agent-runtime", region_name="us-east-1", endpoint_url=fake_bedrock.url)
    search = {"numberOfResults": 3, "filter": {"in": {"key": "source", "value": []}}}
    with pytest.raises(ClientError, match="needs at least one value"):
        await asyncio.to_thread(
            client.retrieve,
            knowledgeBaseId="KBTEST1234",
            retrievalQuery={"text": "q"},
            retrievalConfiguration={"vectorSearchConfiguration": search},
        )
