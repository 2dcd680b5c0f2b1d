"""Client construction (AWS configuration chain, retries, timeouts), the fake endpoint's own
validation, and the core's grounding helpers used by every Bedrock answerer."""

from __future__ import annotations

import aiohttp
import pytest

from adapters.bedrock.client import build_clients, client_config, generation_config
from adapters.bedrock.factory import build_bedrock
from adapters.wiring import App
from bot.answering.prompts import ABSTAIN_SENTINEL
from bot.citing import GroundedReply, SentinelGate, cite, mark_spans
from bot.errors import ConfigError
from bot.models import Passage
from tests.bedrock.fake_bedrock import Json


def test_clients_retry_per_call_kind_with_timeouts_and_endpoint_overrides(fake_bedrock, bedrock_settings):
    config = client_config(bedrock_settings)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert (config.connect_timeout, config.read_timeout) == (2, 10)
    generation = generation_config(bedrock_settings)
    assert generation.retries == {"mode": "standard", "total_max_attempts": 1}  # re-sent by calls.py only
    assert generation.read_timeout == bedrock_settings.bedrock_generation_read_timeout
    clients = build_clients(bedrock_settings)
    assert clients.runtime.meta.endpoint_url == fake_bedrock.url
    assert clients.agent_runtime.meta.endpoint_url == fake_bedrock.url
    assert clients.runtime.meta.region_name == "us-east-1"


def test_missing_region_and_unknown_profile_are_config_errors(bedrock_settings, monkeypatch):
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(ConfigError, match="AWS_REGION"):
        build_clients(bedrock_settings.model_copy(update={"aws_region": None}))
    with pytest.raises(ConfigError, match="no-such-profile"):
        build_clients(
            bedrock_settings.model_copy(update={"aws_profile": "no-such-profile", "aws_region": "eu-west-1"})
        )


def test_guardrail_id_without_version_is_a_config_error(bedrock_settings):
    with pytest.raises(ConfigError, match="BEDROCK_GUARDRAIL_VERSION"):
        build_bedrock(bedrock_settings.model_copy(update={"bedrock_guardrail_id": "gr1"}))


def test_wiring_selects_the_bedrock_backend(bedrock_settings):
    from adapters.bedrock.answerer import ConverseAnswerer
    from adapters.bedrock.retriever import KnowledgeBaseRetriever
    from adapters.bedrock.summarizer import BedrockSummarizer
    from bot.answering.metered import MeteredStreamingAnswerer

    app = App(bedrock_settings)
    assert isinstance(app.ask.answerer, MeteredStreamingAnswerer)  # every answer is logged as a metric event
    assert isinstance(app.answerer, ConverseAnswerer)
    assert isinstance(app.retriever, KnowledgeBaseRetriever)
    assert isinstance(app.summarizer, BedrockSummarizer)


async def test_fake_endpoint_rejects_requests_and_replies_the_real_api_would_not_take(fake_bedrock):
    async with aiohttp.ClientSession() as http:
        bad = await http.post(
            f"{fake_bedrock.url}/knowledgebases/KBTEST1234/retrieve",
            json={"retrievalQuery": {"text": "q"}, "numberOfResults": 3},
        )
        assert bad.status == 400
        fake_bedrock.script("Retrieve", Json({"retrievalResults": [{"content": {"text": "x"}, "rank": 1}]}))
        invalid_reply = await http.post(
            f"{fake_bedrock.url}/knowledgebases/KBTEST1234/retrieve", json={"retrievalQuery": {"text": "q"}}
        )
        assert invalid_reply.status == 500
        bad_id = await http.post(
            f"{fake_bedrock.url}/knowledgebases/KB-1234567/retrieve", json={"retrievalQuery": {}}
        )
        assert bad_id.status == 400
    assert 'Unknown parameter in input: "numberOfResults"' in fake_bedrock.errors[0]
    assert "rank" in fake_bedrock.errors[1]
    assert "knowledgeBaseId='KB-1234567'" in fake_bedrock.errors[2]
    fake_bedrock.errors.clear()  # expected here; any other test would fail on these


def _passage(n: int) -> Passage:
    return Passage(
        chunk_id=f"c{n}",
        doc_id=f"d{n}",
        source="s",
        title=f"Doc {n}",
        uri=f"https://d/{n}",
        text=f"text {n}",
        score=n / 10,
    )


def test_cite_keeps_only_markers_with_passages():
    text, citations = cite("A [3]. B [1,3]. C [7].", [_passage(1), _passage(2), _passage(3)])
    assert text == "A [1]. B [2][1]. C."
    assert [c.uri for c in citations] == ["https://d/3", "https://d/1"]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 1000])
def test_streamed_deltas_add_up_to_the_final_answer(size):
    raw = "Alpha is first [2]. Beta [1, 2] and gamma [9]. Done [1]."
    passages = [_passage(1), _passage(2)]
    reply = GroundedReply(passages)
    shown = [reply.feed(raw[i : i + size]) for i in range(0, len(raw), size)] + [reply.finish()]
    answer = reply.answer([], None)
    assert "".join(shown).strip() == answer.text == "Alpha is first [1]. Beta [2][1] and gamma. Done [2]."
    assert [c.uri for c in answer.citations] == ["https://d/2", "https://d/1"]
    assert all("[9" not in s for s in shown)


def test_a_streamed_abstention_shows_nothing():
    reply = GroundedReply([_passage(1)])
    shown = [reply.feed(p) for p in ["NO_", "ANSWER_IN", "_SOURCES"]] + [reply.finish()]
    assert shown == ["", "", "", ""] and not reply.answer([], None).grounded


def test_mark_spans_and_sentinel_gate():
    assert mark_spans("Alpha. Beta.", [(6, 1), (12, 2), (12, 1), (99, 3)]) == "Alpha.[1] Beta.[1][2][3]"
    gate = SentinelGate()
    assert [gate.feed(p) for p in [" NO_ANS", "WER_IN_SOURCES"]] == ["", ""]
    gate = SentinelGate()
    assert [gate.feed(p) for p in ["NO", "PE, it is", " fine"]] == ["", "NOPE, it is", " fine"]
    assert ABSTAIN_SENTINEL.startswith("NO")
