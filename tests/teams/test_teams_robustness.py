"""Malformed requests, unknown activity types, failing backends: clean responses, server keeps serving."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.errors import ThrottledError
from bot.models import Answer, Question

from .conftest import FakeAnswerer, FakeStreamingAnswerer, TeamsRig, fixture


async def _still_serving(rig: TeamsRig) -> None:
    before = len(rig.connector.posts())
    resp = await rig.post(rig.activity("message_personal.json", text="still there?"))
    assert resp.status == 200
    await rig.connector.wait_posts(before + 2)
    assert rig.connector.posts()[-1].body["type"] == "message"


@pytest.mark.parametrize(
    "body,content_type,status",
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'{"text": "no type"}', "application/json", 400),
        (b'{"type": ""}', "application/json", 400),
        (b'{"type": "message", "text": "hi"}', "text/plain", 415),
        (
            b'{"type": "message", "text": "hi", "channelId": "msteams"}',
            "application/json",
            400,
        ),  # no serviceUrl
    ],
)
async def test_malformed_requests_get_clean_errors(rig: TeamsRig, body: bytes, content_type: str, status: int) -> None:
    resp = await rig.client.post("/api/messages", data=body, headers={"Content-Type": content_type})
    assert resp.status == status
    assert "error" in await resp.json()
    await _still_serving(rig)


@pytest.mark.parametrize(
    "kind", ["messageReaction", "messageUpdate", "messageDelete", "installationUpdate", "somethingNew"]
)
async def test_unknown_and_ignored_types_are_acknowledged(rig: TeamsRig, kind: str) -> None:
    source = {
        "messageReaction": "message_reaction.json",
        "messageUpdate": "message_update.json",
        "messageDelete": "message_delete.json",
    }.get(kind, "message_update.json")
    activity = dict(fixture(source), type=kind, serviceUrl=rig.connector.url + "/")
    resp = await rig.post(activity)
    assert resp.status == 200
    await rig.connector.settle()
    assert rig.connector.posts() == []
    await _still_serving(rig)


async def test_activity_without_conversation_or_sender_does_not_break_the_server(rig: TeamsRig) -> None:
    activity = {
        "type": "message",
        "text": "hello",
        "serviceUrl": rig.connector.url + "/",
        "channelId": "msteams",
    }
    assert (await rig.post(activity)).status == 200
    await rig.connector.settle()
    await _still_serving(rig)


async def test_null_and_odd_fields_are_tolerated(rig: TeamsRig) -> None:
    activity = rig.activity("message_personal.json", text=None, attachments=[], value=None, locale=None)
    assert (await rig.post(activity)).status == 200
    posts = await rig.connector.wait_posts(1)
    assert "Ask me anything" in posts[0].body["text"]


async def test_wrongly_typed_fields_are_a_400(rig: TeamsRig) -> None:
    resp = await rig.post(rig.activity("message_personal.json", entities="not-a-list"))
    assert resp.status == 400
    assert (await resp.json()) == {"error": "malformed activity"}
    await _still_serving(rig)


async def test_connector_failure_is_logged_and_next_turn_works(rig: TeamsRig) -> None:
    rig.connector.fail_next = 3
    assert (await rig.post(rig.activity("message_personal.json", text="expenses?"))).status == 200
    await rig.connector.wait_posts(2)
    await rig.connector.settle()
    rig.connector.fail_next = 0
    await _still_serving(rig)


class _ThrottledAnswerer(FakeAnswerer):
    async def answer(self, question: Question) -> Answer:
        raise ThrottledError("429 from the model")


class _ThrottledStream(FakeStreamingAnswerer):
    async def stream(self, question: Question) -> Any:
        yield await self._first()
        raise ThrottledError("429 mid-stream")

    async def _first(self) -> Any:
        from bot.ports import AnswerDelta

        return AnswerDelta("Partial ")


async def test_backend_error_becomes_a_short_reply(make_rig) -> None:
    rig: TeamsRig = await make_rig(answerer=_ThrottledAnswerer())
    await rig.post(rig.activity("message_channel_thread_reply_mention.json", text="<at>kbotdev</at> q"))
    posts = await rig.connector.wait_posts(2)
    assert posts[-1].body["text"] == ThrottledError.user_message


async def test_backend_error_mid_stream_finishes_the_stream(make_rig) -> None:
    rig: TeamsRig = await make_rig(answerer=_ThrottledStream())
    await rig.post(rig.activity("message_personal.json", text="q"))
    await rig.connector.wait_posts(2)
    await rig.connector.wait_final()
    final = rig.connector.posts()[-1].body
    assert final["text"] == ThrottledError.user_message
    assert {"type": "streaminfo", "streamType": "final", "streamId": "bot-msg-1"} in final["entities"]
    await rig.connector.settle()
    assert sum(p.body["type"] == "message" for p in rig.connector.posts()) == 1  # no second error message


async def test_reset_forgets_history(rig: TeamsRig) -> None:
    await rig.post(rig.activity("message_personal.json", text="expenses?"))
    await rig.connector.wait_posts(2)
    await rig.post(rig.activity("message_personal.json", text="reset"))
    await rig.connector.wait_posts(3)
    await rig.post(rig.activity("message_personal.json", text="travel?"))
    await rig.connector.wait_posts(5)
    assert rig.answerer.questions[-1].history == []


async def test_too_long_question_is_refused_politely(rig: TeamsRig) -> None:
    await rig.post(rig.activity("message_personal.json", text="why " * 2000))
    posts = await rig.connector.wait_posts(1)
    assert "too long" in posts[0].body["text"]
    assert rig.answerer.questions == []


class _CrashingStream(FakeStreamingAnswerer):
    async def stream(self, question: Question) -> Any:
        from bot.ports import AnswerDelta

        yield AnswerDelta("Partial ")
        raise RuntimeError("bug in a backend")


async def test_unexpected_error_mid_stream_still_closes_the_stream(make_rig) -> None:
    rig: TeamsRig = await make_rig(answerer=_CrashingStream())
    await rig.post(rig.activity("message_personal.json", text="q"))
    posts = await rig.connector.wait_final()
    assert posts[-1].body["text"] == "Sorry, something went wrong. Please try again later."
    assert {"type": "streaminfo", "streamType": "final", "streamId": "bot-msg-1"} in posts[-1].body["entities"]
    await _still_serving(rig)


async def test_misconfigured_backend_is_reported_not_dropped(make_rig) -> None:
    from bot.errors import ConfigError
    from bot.settings import load_settings

    rig: TeamsRig = await make_rig(settings=load_settings(kbot_backend="bedrock"), answerer=None)
    await rig.post(rig.activity("message_personal.json", text="expenses?"))
    posts = await rig.connector.wait_posts(1)
    assert posts[-1].body["text"] == ConfigError.user_message
    invoke = rig.activity("invoke_adaptive_card_action_execute.json")
    assert (await rig.post(invoke)).status == 503


async def test_a_redelivered_message_is_answered_once(rig: TeamsRig) -> None:
    """The Bot Connector may deliver one activity again (same conversation + activity id), possibly to
    another replica: it is answered once."""
    inbound = rig.activity("message_personal.json", text="expenses?")
    assert (await rig.post(inbound)).status == 200
    await rig.connector.wait_final()
    assert (await rig.post(copy.deepcopy(inbound))).status == 200
    await rig.connector.settle()
    assert len(rig.answerer.questions) == 1
    assert sum(p.body["type"] == "message" for p in rig.connector.posts()) == 1
