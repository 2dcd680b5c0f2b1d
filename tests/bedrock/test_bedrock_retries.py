"""Retries per call kind, counted at the endpoint: retrieval is retried the way botocore really retries;
a generation that was accepted and then timed out is never sent again (it would be paid again)."""

from __future__ import annotations

import asyncio

import pytest

from adapters.bedrock.factory import build_bedrock
from bot.errors import BackendTimeout, ThrottledError
from bot.models import Conversation, Message, Question
from tests.bedrock.fake_bedrock import Fault, Json
from tests.bedrock.replies import converse_reply, converse_stream, kb_result, retrieve_reply

DOC = kb_result("Parking permits are issued by facilities.", uri="https://wiki/parking", title="Parking")


@pytest.fixture
def slow_settings(bedrock_settings):
    return bedrock_settings.model_copy(
        update={"bedrock_read_timeout": 3.0, "bedrock_generation_read_timeout": 0.4, "bedrock_max_attempts": 3}
    )


async def test_a_timed_out_generation_costs_one_request_and_says_it_took_too_long(fake_bedrock, slow_settings):
    fake_bedrock.script("Retrieve", retrieve_reply(DOC))
    # Realistic latency: the model is still generating when the client's read timeout fires.
    fake_bedrock.script("Converse", *[Json(converse_reply("Facilities [1].").body, delay=1.0)] * 3)
    with pytest.raises(BackendTimeout) as err:
        await build_bedrock(slow_settings).answerer.answer(Question("parking?"))
    assert len(fake_bedrock.calls("Converse")) == 1  # one generation paid, not three
    assert "took too long" in err.value.user_message
    await asyncio.sleep(1.0)  # let the slow replies finish before the server stops


async def test_a_timed_out_stream_start_is_not_resent(fake_bedrock, slow_settings):
    fake_bedrock.script("Retrieve", retrieve_reply(DOC))
    fake_bedrock.script("ConverseStream", *[Json({}, delay=1.0)] * 3)
    with pytest.raises(BackendTimeout):
        [i async for i in build_bedrock(slow_settings).answerer.stream(Question("parking?"))]
    assert len(fake_bedrock.calls("ConverseStream")) == 1
    await asyncio.sleep(1.0)


async def test_retrieval_read_timeout_is_retried_like_botocore_does(fake_bedrock, slow_settings):
    fake_bedrock.script("Retrieve", Json(retrieve_reply(DOC).body, delay=1.0), retrieve_reply(DOC))
    settings = slow_settings.model_copy(update={"bedrock_read_timeout": 0.4})
    passages = await build_bedrock(settings).retriever.retrieve("parking?")
    assert passages and len(fake_bedrock.calls("Retrieve")) == 2
    await asyncio.sleep(1.0)


async def test_generation_refused_before_it_ran_is_retried(fake_bedrock, slow_settings):
    """A throttled or unavailable call was never accepted: sending it again costs nothing twice."""
    fake_bedrock.script("Retrieve", retrieve_reply(DOC))
    fake_bedrock.script(
        "Converse",
        Fault("ThrottlingException", "Too many requests", 429),
        Fault("ServiceUnavailableException", "try later", 503),
        converse_reply("Facilities [1]."),
    )
    answer = await build_bedrock(slow_settings).answerer.answer(Question("parking?"))
    assert answer.grounded and len(fake_bedrock.calls("Converse")) == 3


@pytest.mark.parametrize(
    ("code", "status", "retried"),
    [
        ("ThrottlingException", 429, True),
        ("ServiceUnavailableException", 503, True),
        ("InternalServerException", 500, True),
        ("ServiceQuotaExceededException", 400, False),  # docs used to claim botocore retries it
        ("ModelTimeoutException", 408, False),  # likewise
        ("ValidationException", 400, False),
    ],
)
async def test_documented_retrieval_retries_match_botocore(fake_bedrock, bedrock_settings, code, status, retried):
    """docs/bedrock.md "Retries" states these; this is what botocore actually does (3 attempts)."""
    fake_bedrock.script("Retrieve", *[Fault(code, "x", status)] * 3)
    with pytest.raises(Exception):  # noqa: B017 - the translation is tested elsewhere
        await build_bedrock(bedrock_settings).retriever.retrieve("q")
    assert len(fake_bedrock.calls("Retrieve")) == (3 if retried else 1)


async def test_summary_streams_so_its_length_never_hits_the_read_timeout(fake_bedrock, slow_settings):
    """A long summary is generated as a stream: the read timeout bounds the gap between events only."""
    summary = '{"tldr": "Parking moves to level 2.", "key_points": [], "decisions": [], "action_items": []}'
    pieces = [summary[i : i + 20] for i in range(0, len(summary), 20)]
    fake_bedrock.script("ConverseStream", converse_stream(pieces))
    conversation = Conversation(
        kind="chat", title="parking", messages=[Message(author="ann", text="Parking moves to level 2 next week.")]
    )
    result = await build_bedrock(slow_settings).summarizer.summarize(conversation)
    assert result.tldr == "Parking moves to level 2." and fake_bedrock.calls("Converse") == []


async def test_throttled_generation_after_all_attempts_is_throttled_error(fake_bedrock, slow_settings):
    fake_bedrock.script("Retrieve", retrieve_reply(DOC))
    fake_bedrock.script("Converse", *[Fault("ThrottlingException", "Too many requests", 429)] * 3)
    with pytest.raises(ThrottledError):
        await build_bedrock(slow_settings).answerer.answer(Question("parking?"))
    assert len(fake_bedrock.calls("Converse")) == 3
