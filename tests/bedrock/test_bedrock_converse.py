"""Converse answerer: Retrieve + Converse/ConverseStream through botocore to the local endpoint."""

from __future__ import annotations

import asyncio

import pytest

from adapters.bedrock.factory import build_bedrock
from bot.answering.prompts import ABSTAIN_SENTINEL, GROUNDED_SYSTEM_PROMPT, NOT_FOUND_MESSAGE
from bot.models import Answer, Asker, Question, Turn
from bot.ports import AnswerDelta, StreamingAnswerer
from tests.bedrock.fake_bedrock import Gate
from tests.bedrock.replies import converse_reply, converse_stream, kb_result, retrieve_reply

VPN = kb_result(
    "To connect to the VPN, install GlobalProtect and sign in with your SSO account.",
    uri="https://wiki.example.com/it/vpn",
    title="VPN setup",
    score=0.82,
)
EXPENSES = kb_result(
    "Expense reports are due by the 5th of the following month.",
    uri="https://sharepoint.example.com/sites/finance/Expenses.docx",
    title="Expense policy",
    score=0.41,
)


async def test_answer_cites_the_passages_the_model_used(fake_bedrock, bedrock_settings):
    fake_bedrock.script("Retrieve", retrieve_reply(VPN, EXPENSES))
    fake_bedrock.script("Converse", converse_reply("Install GlobalProtect and sign in with SSO [1]."))
    answerer = build_bedrock(bedrock_settings).answerer
    assert isinstance(answerer, StreamingAnswerer)

    answer = await answerer.answer(Question("How do I connect to the VPN?", conversation_id="T1"))

    assert answer.grounded is True
    assert answer.text == "Install GlobalProtect and sign in with SSO [1]."
    assert [c.to_json() for c in answer.citations] == [
        {
            "title": "VPN setup",
            "uri": "https://wiki.example.com/it/vpn",
            "snippet": "To connect to the VPN, install GlobalProtect and sign in with your SSO account.",
            "score": 0.82,
        }
    ]
    assert [(u.model_id, u.input_tokens, u.output_tokens) for u in answer.usage] == [
        (bedrock_settings.bedrock_model_id, 120, 30)
    ]
    assert answer.session_id == "T1"
    retrieve = fake_bedrock.calls("Retrieve")[0]
    assert retrieve["knowledgeBaseId"] == "KBTEST1234"
    assert retrieve["retrievalQuery"] == {"text": "How do I connect to the VPN?"}
    assert retrieve["retrievalConfiguration"]["vectorSearchConfiguration"] == {
        "numberOfResults": 8,  # no overrideSearchType: the store decides (HYBRID fails on S3 Vectors)
    }
    converse = fake_bedrock.calls("Converse")[0]
    assert converse["modelId"] == bedrock_settings.bedrock_model_id
    assert converse["system"] == [{"text": GROUNDED_SYSTEM_PROMPT}]
    passages_block, question_block = converse["messages"][0]["content"]
    assert passages_block["text"].startswith("Passages:\n[1] VPN setup\nTo connect")
    assert "[2] Expense policy" in passages_block["text"]
    assert question_block == {"text": "Question: How do I connect to the VPN?"}
    assert "guardrailConfig" not in converse


async def test_markers_are_renumbered_by_first_use_and_unknown_ones_dropped(fake_bedrock, bedrock_settings):
    fake_bedrock.script("Retrieve", retrieve_reply(VPN, EXPENSES))
    fake_bedrock.script(
        "Converse", converse_reply("Expenses are due by the 5th [2, 9]. Use GlobalProtect [1].")
    )
    answer = await build_bedrock(bedrock_settings).answerer.answer(Question("expenses and vpn?"))
    assert answer.text == "Expenses are due by the 5th [1]. Use GlobalProtect [2]."
    assert [c.title for c in answer.citations] == ["Expense policy", "VPN setup"]


async def test_model_abstaining_gives_not_found_without_citations(fake_bedrock, bedrock_settings):
    fake_bedrock.script("Retrieve", retrieve_reply(EXPENSES))
    fake_bedrock.script("Converse", converse_reply(ABSTAIN_SENTINEL))
    answer = await build_bedrock(bedrock_settings).answerer.answer(Question("Who won the 1998 world cup?"))
    assert (answer.grounded, answer.text, answer.citations) == (False, NOT_FOUND_MESSAGE, [])
    assert len(answer.usage) == 1


async def test_no_passages_means_no_model_call(fake_bedrock, bedrock_settings):
    fake_bedrock.script("Retrieve", retrieve_reply())
    answer = await build_bedrock(bedrock_settings).answerer.answer(Question("anything about llamas?"))
    assert (answer.grounded, answer.text) == (False, NOT_FOUND_MESSAGE)
    assert fake_bedrock.calls("Converse") == []


async def test_follow_up_is_condensed_on_the_fast_model_before_retrieval(fake_bedrock, bedrock_settings):
    fake_bedrock.script(
        "Converse",
        converse_reply("How do I connect to the VPN from a Mac?", tokens=(60, 12)),
        converse_reply("Install GlobalProtect [1]."),
    )
    fake_bedrock.script("Retrieve", retrieve_reply(VPN))
    question = Question(
        "and from a mac?",
        conversation_id="C9",
        history=[
            Turn("user", "How do I connect to the VPN?"),
            Turn("assistant", "Install GlobalProtect [1]."),
        ],
    )
    answer = await build_bedrock(bedrock_settings).answerer.answer(question)

    condense, final = fake_bedrock.calls("Converse")
    assert condense["modelId"] == bedrock_settings.bedrock_fast_model_id
    assert "user: How do I connect to the VPN?" in condense["messages"][0]["content"][0]["text"]
    assert "Latest message: and from a mac?" in condense["messages"][0]["content"][0]["text"]
    assert (
        fake_bedrock.calls("Retrieve")[0]["retrievalQuery"]["text"]
        == "How do I connect to the VPN from a Mac?"
    )
    assert final["modelId"] == bedrock_settings.bedrock_model_id
    assert final["messages"][0]["content"][1]["text"] == "Question: How do I connect to the VPN from a Mac?"
    assert [u.model_id for u in answer.usage] == [
        bedrock_settings.bedrock_fast_model_id,
        bedrock_settings.bedrock_model_id,
    ]
    assert answer.grounded


async def test_stream_yields_deltas_as_they_arrive_then_the_answer(fake_bedrock, bedrock_settings):
    gate = Gate()
    fake_bedrock.script("Retrieve", retrieve_reply(VPN))
    fake_bedrock.script(
        "ConverseStream", converse_stream(["Install GlobalProtect ", "and sign in [1]."], gate=gate)
    )
    items: list[AnswerDelta | Answer] = []
    async for item in build_bedrock(bedrock_settings).answerer.stream(Question("vpn?")):
        items.append(item)
        if len(items) == 1:  # the server holds the rest of the stream until this delta got through
            assert isinstance(item, AnswerDelta) and item.text == "Install GlobalProtect"
            gate.event.set()
    deltas = [i.text for i in items if isinstance(i, AnswerDelta)]
    assert deltas == ["Install GlobalProtect", " and sign in [1]."]  # trailing space waits for what follows
    final = items[-1]
    assert isinstance(final, Answer) and final.grounded
    assert final.text == "Install GlobalProtect and sign in [1]."
    assert final.citations[0].uri == "https://wiki.example.com/it/vpn"
    assert [(u.input_tokens, u.output_tokens) for u in final.usage] == [(150, 40)]


async def test_stream_never_shows_the_abstain_sentinel(fake_bedrock, bedrock_settings):
    fake_bedrock.script("Retrieve", retrieve_reply(EXPENSES))
    fake_bedrock.script("ConverseStream", converse_stream(["NO_ANSWER", "_IN_SOURCES"]))
    items = [i async for i in build_bedrock(bedrock_settings).answerer.stream(Question("llamas?"))]
    assert len(items) == 1 and isinstance(items[0], Answer)
    assert (items[0].grounded, items[0].text) == (False, NOT_FOUND_MESSAGE)


async def test_guardrail_is_sent_on_every_model_call(fake_bedrock, bedrock_settings):
    settings = bedrock_settings.model_copy(
        update={"bedrock_guardrail_id": "abc123xyz", "bedrock_guardrail_version": "3"}
    )
    fake_bedrock.script(
        "Converse", converse_reply("VPN from a Mac?"), converse_reply("Use GlobalProtect [1].")
    )
    fake_bedrock.script("Retrieve", retrieve_reply(VPN))
    fake_bedrock.script("ConverseStream", converse_stream(["Use GlobalProtect [1]."]))
    question = Question(
        "and on a mac?", history=[Turn("user", "vpn?"), Turn("assistant", "GlobalProtect [1]")]
    )
    backend = build_bedrock(settings)
    await backend.answerer.answer(question)
    fake_bedrock.script("Retrieve", retrieve_reply(VPN))
    fake_bedrock.script("Converse", converse_reply("VPN from a Mac?"))
    [i async for i in backend.answerer.stream(question)]

    expected = {"guardrailIdentifier": "abc123xyz", "guardrailVersion": "3", "trace": "enabled"}
    for call in fake_bedrock.calls("Converse"):
        assert call["guardrailConfig"] == expected
    stream_call = fake_bedrock.calls("ConverseStream")[0]
    assert stream_call["guardrailConfig"] == {**expected, "streamProcessingMode": "sync"}
    # only the question is evaluated on input, not the retrieved passages
    assert stream_call["messages"][0]["content"][1] == {
        "guardContent": {"text": {"text": "Question: VPN from a Mac?"}}
    }
    assert "text" in stream_call["messages"][0]["content"][0]


async def test_asker_groups_and_channel_sources_filter_retrieval(fake_bedrock, bedrock_settings):
    fake_bedrock.script("Retrieve", retrieve_reply(VPN))
    fake_bedrock.script("Converse", converse_reply("GlobalProtect [1]."))
    question = Question("vpn?", asker=Asker("U1", groups=["it-staff"]), sources=["it-wiki", "handbook"])
    await build_bedrock(bedrock_settings).answerer.answer(question)
    config = fake_bedrock.calls("Retrieve")[0]["retrievalConfiguration"]["vectorSearchConfiguration"]
    assert config["filter"] == {
        "andAll": [
            {
                "orAll": [
                    {"listContains": {"key": "acl_groups", "value": "everyone"}},
                    {"listContains": {"key": "acl_groups", "value": "it-staff"}},
                ]
            },
            {"in": {"key": "source", "value": ["it-wiki", "handbook"]}},
        ]
    }


@pytest.mark.parametrize("text", ["", "   "])
async def test_empty_question_is_a_clear_input_error(fake_bedrock, bedrock_settings, text):
    from bot.errors import InputError

    with pytest.raises(InputError) as err:
        await build_bedrock(bedrock_settings).answerer.answer(Question(text))
    assert err.value.user_message == "Please type a question."
    await asyncio.sleep(0)
