"""Faults: retried with backoff by botocore, then translated into bot.errors with clear messages."""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.bedrock.factory import build_bedrock
from bot.errors import (
    AccessDeniedError,
    BackendTimeout,
    ConfigError,
    GuardrailIntervened,
    ModelNotFound,
    ThrottledError,
)
from bot.models import Question
from tests.bedrock.fake_bedrock import Fault, Json, Stream, StreamFault
from tests.bedrock.replies import converse_reply, converse_stream, kb_result, retrieve_reply

DOC = kb_result("Parking permits are issued by facilities.", uri="https://wiki/parking", title="Parking")
BLOCKED = "Sorry, I can't discuss that topic here."


async def test_throttling_then_success_is_retried_transparently(fake_bedrock, bedrock_settings):
    fake_bedrock.script("Retrieve", Fault("ThrottlingException", "Rate exceeded", 429), retrieve_reply(DOC))
    fake_bedrock.script(
        "Converse", Fault("ThrottlingException", "Too many requests", 429), converse_reply("Facilities [1].")
    )
    answer = await build_bedrock(bedrock_settings).answerer.answer(Question("parking?"))
    assert answer.grounded and answer.citations[0].uri == "https://wiki/parking"
    assert len(fake_bedrock.calls("Retrieve")) == 2 and len(fake_bedrock.calls("Converse")) == 2


async def test_throttling_that_persists_becomes_throttled_error(fake_bedrock, bedrock_settings):
    settings = bedrock_settings.model_copy(update={"bedrock_max_attempts": 2})
    fake_bedrock.script("Retrieve", *[Fault("ThrottlingException", "Rate exceeded", 429)] * 2)
    with pytest.raises(ThrottledError) as err:
        await build_bedrock(settings).answerer.answer(Question("parking?"))
    assert "ThrottlingException" in str(err.value) and "after retries" in str(err.value)
    assert "rate limited" in err.value.user_message
    assert len(fake_bedrock.calls("Retrieve")) == 2


async def test_service_unavailable_then_success(fake_bedrock, bedrock_settings):
    fake_bedrock.script(
        "Retrieve", Fault("ServiceUnavailableException", "try later", 503), retrieve_reply(DOC)
    )
    fake_bedrock.script("Converse", converse_reply("Facilities [1]."))
    assert (await build_bedrock(bedrock_settings).answerer.answer(Question("parking?"))).grounded


async def test_guardrail_intervention_is_a_polite_message(fake_bedrock, bedrock_settings):
    settings = bedrock_settings.model_copy(
        update={"bedrock_guardrail_id": "gr1", "bedrock_guardrail_version": "1"}
    )
    fake_bedrock.script("Retrieve", retrieve_reply(DOC))
    fake_bedrock.script("Converse", converse_reply(BLOCKED, stop="guardrail_intervened"))
    with pytest.raises(GuardrailIntervened) as err:
        await build_bedrock(settings).answerer.answer(Question("something off-limits"))
    assert err.value.user_message == BLOCKED
    assert "guardrail intervened" in str(err.value)


async def test_guardrail_intervention_while_streaming(fake_bedrock, bedrock_settings):
    settings = bedrock_settings.model_copy(
        update={"bedrock_guardrail_id": "gr1", "bedrock_guardrail_version": "1"}
    )
    fake_bedrock.script("Retrieve", retrieve_reply(DOC))
    fake_bedrock.script("ConverseStream", converse_stream([""], stop="guardrail_intervened"))
    with pytest.raises(GuardrailIntervened) as err:
        [i async for i in build_bedrock(settings).answerer.stream(Question("something off-limits"))]
    assert err.value.user_message == GuardrailIntervened.user_message


async def test_access_denied_is_admin_detail_and_short_user_message(fake_bedrock, bedrock_settings):
    message = (
        "User: arn:aws:sts::123456789012:assumed-role/kbot is not authorized to perform: bedrock:Retrieve"
    )
    fake_bedrock.script("Retrieve", Fault("AccessDeniedException", message, 403))
    with pytest.raises(AccessDeniedError) as err:
        await build_bedrock(bedrock_settings).answerer.answer(Question("parking?"))
    assert message in str(err.value) and "IAM role" in str(err.value)
    assert err.value.user_message == "The bot is not allowed to use its backend. An admin has been told."
    assert len(fake_bedrock.calls("Retrieve")) == 1  # not retried


async def test_unknown_model_is_model_not_found(fake_bedrock, bedrock_settings):
    settings = bedrock_settings.model_copy(update={"bedrock_model_id": "anthropic.claude-nope-v9:0"})
    fake_bedrock.script("Retrieve", retrieve_reply(DOC))
    fake_bedrock.script(
        "Converse", Fault("ValidationException", "The provided model identifier is invalid.", 400)
    )
    with pytest.raises(ModelNotFound) as err:
        await build_bedrock(settings).answerer.answer(Question("parking?"))
    assert "anthropic.claude-nope-v9:0" in str(err.value)


async def test_unknown_knowledge_base_is_a_config_error(fake_bedrock, bedrock_settings):
    fake_bedrock.script(
        "Retrieve", Fault("ResourceNotFoundException", "Knowledge base KBTEST1234 not found", 404)
    )
    with pytest.raises(ConfigError) as err:
        await build_bedrock(bedrock_settings).retriever.retrieve("parking?")
    assert "BEDROCK_KNOWLEDGE_BASE_ID" in str(err.value)


async def test_fault_inside_the_event_stream_is_translated(fake_bedrock, bedrock_settings):
    fake_bedrock.script("Retrieve", retrieve_reply(DOC))
    fake_bedrock.script(
        "ConverseStream",
        Stream(
            [
                ("messageStart", {"role": "assistant"}),
                ("contentBlockDelta", {"delta": {"text": "Faci"}, "contentBlockIndex": 0}),
                StreamFault("throttlingException", "slow down"),
            ]
        ),
    )
    with pytest.raises(ThrottledError):
        [i async for i in build_bedrock(bedrock_settings).answerer.stream(Question("parking?"))]


async def test_read_timeout_becomes_backend_timeout(fake_bedrock, bedrock_settings):
    settings = bedrock_settings.model_copy(update={"bedrock_read_timeout": 0.3, "bedrock_max_attempts": 1})
    fake_bedrock.script("Retrieve", Json(retrieve_reply(DOC).body, delay=2.0))
    retriever = build_bedrock(settings).retriever  # built first: loading botocore's models is not the call
    started = time.monotonic()
    with pytest.raises(BackendTimeout) as err:
        await retriever.retrieve("parking?")
    assert time.monotonic() - started < 1.5  # gave up after the 0.3 s read timeout, not the 2 s reply
    assert "timed out" in str(err.value)
    await asyncio.sleep(2.0)  # let the slow reply finish before the server stops


async def test_health_shows_the_last_fault_until_a_call_succeeds(fake_bedrock, bedrock_settings):
    backend = build_bedrock(bedrock_settings)
    fake_bedrock.script(
        "Retrieve", Fault("AccessDeniedException", "no bedrock:Retrieve", 403), retrieve_reply(DOC)
    )
    with pytest.raises(AccessDeniedError):
        await backend.retriever.retrieve("parking?")
    health = backend.health()
    assert health["status"] == "degraded" and health["last_error_kind"] == "AccessDeniedError"
    assert "no bedrock:Retrieve" in health["last_error"] and health["answer_mode"] == "converse"
    await backend.retriever.retrieve("parking?")
    assert backend.health()["status"] == "ok" and backend.health()["last_ok_operation"] == "Retrieve"


async def test_abandoning_a_stream_early_releases_it(fake_bedrock, bedrock_settings):
    backend = build_bedrock(bedrock_settings)
    fake_bedrock.script("Retrieve", retrieve_reply(DOC), retrieve_reply(DOC))
    fake_bedrock.script("ConverseStream", converse_stream([f"part {i} " for i in range(200)] + ["[1]"]))
    fake_bedrock.script("Converse", converse_reply("Facilities [1]."))
    started = time.monotonic()
    items = backend.answerer.stream(Question("parking?"))
    async for _ in items:
        break
    await items.aclose()  # type: ignore[attr-defined]  # what `async for` in a chat adapter does on exit
    assert time.monotonic() - started < 5
    assert (await backend.answerer.answer(Question("parking?"))).grounded  # the backend is still usable
