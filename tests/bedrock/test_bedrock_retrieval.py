"""Knowledge-base retrieval: filters, passages with original URLs and titles, the documented shapes."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ParamValidationError

from adapters.bedrock.factory import build_bedrock
from adapters.bedrock.filters import retrieval_filter
from tests.bedrock.replies import kb_result, retrieve_reply

EVERYONE = {"listContains": {"key": "acl_groups", "value": "everyone"}}


def test_filters_respect_bedrocks_two_member_minimum():
    assert retrieval_filter(None, None) is None
    assert retrieval_filter([], None) == EVERYONE
    assert retrieval_filter(["everyone"], None) == EVERYONE
    assert retrieval_filter(["hr"], None) == {
        "orAll": [EVERYONE, {"listContains": {"key": "acl_groups", "value": "hr"}}]
    }
    assert retrieval_filter(None, ["wiki"]) == {"in": {"key": "source", "value": ["wiki"]}}
    assert retrieval_filter([], ["wiki"]) == {
        "andAll": [EVERYONE, {"in": {"key": "source", "value": ["wiki"]}}]
    }


async def test_passages_keep_original_urls_titles_and_scores(fake_bedrock, bedrock_settings):
    fake_bedrock.script(
        "Retrieve",
        retrieve_reply(
            kb_result(
                "From the sink", uri="https://confluence.example.com/x/AbC", title="Travel policy", score=0.3
            ),
            kb_result(
                "Web page",
                location={"type": "WEB", "webLocation": {"url": "https://intra.example.com/a/b.html"}},
                score=0.9,
            ),
            kb_result(
                "SharePoint",
                location={
                    "type": "SHAREPOINT",
                    "sharePointLocation": {
                        "url": "https://contoso.sharepoint.com/sites/hr/Shared%20Documents/Leave%20policy.docx"
                    },
                },
                score=0.6,
            ),
            kb_result(
                "Confluence",
                location={
                    "type": "CONFLUENCE",
                    "confluenceLocation": {
                        "url": "https://acme.atlassian.net/wiki/spaces/ENG/pages/123/Runbook"
                    },
                },
                score=0.5,
            ),
            kb_result("   ", uri="https://empty", score=0.99),
        ),
    )
    passages = await build_bedrock(bedrock_settings).retriever.retrieve("policies", k=3)
    assert [(p.title, p.uri, p.score) for p in passages] == [
        ("b.html", "https://intra.example.com/a/b.html", 0.9),
        (
            "Leave policy.docx",
            "https://contoso.sharepoint.com/sites/hr/Shared%20Documents/Leave%20policy.docx",
            0.6,
        ),
        ("Runbook", "https://acme.atlassian.net/wiki/spaces/ENG/pages/123/Runbook", 0.5),
    ]
    assert passages[0].source == "handbook" and passages[0].acl_groups == ["everyone"]


async def test_rerank_model_widens_the_candidate_set(fake_bedrock, bedrock_settings):
    arn = "arn:aws:bedrock:us-east-1::foundation-model/amazon.rerank-v1:0"
    settings = bedrock_settings.model_copy(
        update={"bedrock_rerank_model_arn": arn, "bedrock_search_type": "SEMANTIC"}
    )
    fake_bedrock.script("Retrieve", retrieve_reply(kb_result("x", uri="https://x")))
    await build_bedrock(settings).retriever.retrieve("q", k=5)
    config = fake_bedrock.calls("Retrieve")[0]["retrievalConfiguration"]["vectorSearchConfiguration"]
    assert config == {
        "numberOfResults": 15,
        "overrideSearchType": "SEMANTIC",
        "rerankingConfiguration": {
            "type": "BEDROCK_RERANKING_MODEL",
            "bedrockRerankingConfiguration": {
                "modelConfiguration": {"modelArn": arn},
                "numberOfRerankedResults": 5,
            },
        },
    }


async def test_empty_source_list_or_query_searches_nothing(fake_bedrock, bedrock_settings):
    retriever = build_bedrock(bedrock_settings).retriever
    assert await retriever.retrieve("q", sources=[]) == []
    assert await retriever.retrieve("  ") == []
    assert fake_bedrock.calls("Retrieve") == []


def test_botocore_rejects_a_one_member_or_all():
    """Why the filter builder unwraps single members: the real API model says min 2."""
    import boto3

    client = boto3.client(
        "bedrock-agent-runtime", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with pytest.raises(ParamValidationError, match="orAll"):
        client.retrieve(
            knowledgeBaseId="KBTEST1234",
            retrievalQuery={"text": "q"},
            retrievalConfiguration={"vectorSearchConfiguration": {"filter": {"orAll": [EVERYONE]}}},
        )


async def test_documented_retrieve_skeleton_maps_to_passages(fake_bedrock, bedrock_settings, shared_fixture):
    """The shared skeleton (generated from the service model), filled in with one location type."""
    skeleton = json.loads(shared_fixture("retrieve_response_skeleton.json"))
    result = skeleton["retrievalResults"][0]
    result["content"] = {"text": "Holiday calendar for 2026.", "type": "TEXT"}
    result["location"] = {"type": "S3", "s3Location": {"uri": "s3://docs/hr/holidays-2026.pdf"}}
    result["metadata"] = {
        "x-amz-bedrock-kb-source-uri": "s3://docs/hr/holidays-2026.pdf",
        "x-amz-bedrock-kb-chunk-id": "1%3A0%3Aabc",
        "x-amz-bedrock-kb-data-source-id": "DS1",
    }
    result["documentId"], result["score"] = "doc-1", 0.66
    skeleton.pop("nextToken")
    skeleton.pop("guardrailAction")
    from tests.bedrock.fake_bedrock import Json

    fake_bedrock.script("Retrieve", Json(skeleton))
    [passage] = await build_bedrock(bedrock_settings).retriever.retrieve("holidays")
    assert (passage.title, passage.uri, passage.chunk_id, passage.doc_id, passage.source, passage.score) == (
        "holidays-2026.pdf",
        "s3://docs/hr/holidays-2026.pdf",
        "1%3A0%3Aabc",
        "doc-1",
        "DS1",
        0.66,
    )


def test_shared_service_model_excerpt_matches_installed_botocore(shared_fixture):
    import botocore.session

    excerpt = json.loads(shared_fixture("service_model_excerpt_bedrock_agent_runtime.json"))
    model = botocore.session.get_session().get_service_model("bedrock-agent-runtime")
    for name, operation in excerpt["operations"].items():
        assert model.operation_model(name).http["requestUri"] == operation["http"]["requestUri"]
    installed = model.shape_for("RetrievalResultLocation").members
    assert set(excerpt["shapes"]["RetrievalResultLocation"]["members"]) <= set(installed)
