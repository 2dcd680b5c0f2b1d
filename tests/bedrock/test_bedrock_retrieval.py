"""Knowledge-base retrieval: filters, passages with original URLs and titles, the documented shapes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ParamValidationError

from adapters.bedrock.factory import build_bedrock
from adapters.bedrock.filters import retrieval_filter
from tests.bedrock.replies import kb_result, retrieve_reply
from tests.payloads import load as load_payload

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


async def test_documented_retrieve_response_maps_to_passages(fake_bedrock, bedrock_settings):
    """A Retrieve response in the documented shape (tests/payloads/bedrock) becomes one cited passage.

    https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_Retrieve.html#API_agent-runtime_Retrieve_ResponseSyntax
    """
    from tests.bedrock.fake_bedrock import Json

    response = load_payload("bedrock", "retrieve_response.json")
    fake_bedrock.script("Retrieve", Json(response))
    [passage] = await build_bedrock(bedrock_settings).retriever.retrieve("closure days")
    [result] = response["retrievalResults"]
    uri = result["location"]["s3Location"]["uri"]
    assert (passage.title, passage.uri, passage.chunk_id, passage.doc_id, passage.source, passage.score) == (
        uri.rsplit("/", 1)[-1],
        uri,
        result["metadata"]["x-amz-bedrock-kb-chunk-id"],
        result["documentId"],
        result["metadata"]["x-amz-bedrock-kb-data-source-id"],
        result["score"],
    )
    assert passage.text == result["content"]["text"]


def test_service_model_excerpt_matches_installed_botocore():
    """The routes the fake serves and the location types kbot maps still exist in the installed SDK."""
    import botocore.session

    excerpt = load_payload("bedrock", "agent_runtime_model_excerpt.json")
    model = botocore.session.get_session().get_service_model("bedrock-agent-runtime")
    for name, operation in excerpt["operations"].items():
        http = model.operation_model(name).http
        assert (http["method"], http["requestUri"]) == (operation["method"], operation["requestUri"])
    installed = model.shape_for("RetrievalResultLocation").members
    assert set(excerpt["RetrievalResultLocation"]) <= set(installed)
