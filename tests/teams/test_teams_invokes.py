"""Invoke activities: feedback loop, Adaptive Card actions, the "Summarize thread" message extension."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from adapters.msgraph.tokens import StaticToken
from adapters.teams.graph_thread import GraphThreadReader

from .conftest import FakeConnector, TeamsRig, fixture

TEAM_THREAD = "19:Kb7tEamQw3Rz9Lp2Xv6Nc4Hd8Ys1Fg5Jk0Ua2Wm7Tb1@thread.tacv2"
CHANNEL = "19:4b2e9a7c1d8f4e3a9c6b0d5f2e7a1c38@thread.tacv2"
GROUP = "02bd9fd6-8f93-4758-87c3-1fb73740a315"  # what the fake connector's /v3/teams answers
ROOT = "1714480100201"


async def _ask(rig: TeamsRig) -> str:
    """Ask once in a channel; return the id the connector gave the answer."""
    await rig.post(rig.activity("message_channel_thread_reply_mention.json", text="<at>kbotdev</at> expenses?"))
    posts = await rig.connector.wait_posts(2)
    assert posts[-1].body["type"] == "message"
    return f"bot-msg-{len(posts)}"


def _feedback_invoke(rig: TeamsRig, reply_to: str, reaction: str, text: str | None = None) -> dict[str, Any]:
    invoke = rig.activity(
        "message_channel_thread_reply_mention.json",
        type="invoke",
        name="message/submitAction",
        replyToId=reply_to,
        id="f:feedback-1",
    )
    invoke.pop("text")
    action: dict[str, Any] = {"reaction": reaction}
    if text is not None:
        action["feedback"] = json.dumps({"feedbackText": text})
    invoke["value"] = {"actionName": "feedback", "actionValue": action}
    return invoke


async def test_feedback_loop_like_is_recorded_with_question_and_answer(rig: TeamsRig) -> None:
    answer_id = await _ask(rig)
    resp = await rig.post(_feedback_invoke(rig, answer_id, "like", "Spot on"))
    assert resp.status == 200
    assert await resp.json() == {}  # the feedback loop's invoke is answered with an empty JSON object
    [item] = rig.feedback.items
    assert item.rating == "up" and item.platform == "teams" and item.comment == "Spot on"
    assert item.question == "expenses?"
    assert item.answer.startswith("For 'expenses?'")
    assert item.citations[0]["uri"] == "https://intranet.example.com/finance/expenses"
    assert item.user_id == "8e2f5a13-6c9d-4b70-a1e4-3d7b9c0f2a56"


async def test_feedback_dislike_on_unknown_message_is_still_recorded(rig: TeamsRig) -> None:
    resp = await rig.post(_feedback_invoke(rig, "message-from-before-a-restart", "dislike"))
    assert resp.status == 200
    [item] = rig.feedback.items
    assert item.rating == "down" and item.question == "" and item.comment is None


@pytest.mark.parametrize(
    "value",
    [None, "text", {"actionName": "other"}, {"actionName": "feedback", "actionValue": {"reaction": "meh"}}],
)
async def test_malformed_feedback_invoke_is_400(rig: TeamsRig, value: Any) -> None:
    invoke = _feedback_invoke(rig, "x", "like")
    invoke["value"] = value
    assert (await rig.post(invoke)).status == 400
    assert rig.feedback.items == []


async def test_adaptive_card_feedback_action(rig: TeamsRig) -> None:
    answer_id = await _ask(rig)
    invoke = rig.activity("invoke_adaptive_card_action_execute.json", replyToId=answer_id)
    invoke["value"]["action"] = {
        "type": "Action.Execute",
        "verb": "feedback",
        "data": {"reaction": "dislike"},
    }
    resp = await rig.post(invoke)
    assert resp.status == 200
    body = await resp.json()
    assert body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "Thanks for the feedback!",
    }
    assert rig.feedback.items[0].rating == "down"
    assert rig.feedback.items[0].question == "expenses?"


async def test_unknown_card_action_gets_universal_action_error(rig: TeamsRig) -> None:
    resp = await rig.post(rig.activity("invoke_adaptive_card_action_execute.json"))
    assert resp.status == 200
    body = await resp.json()
    assert body["statusCode"] == 400 and body["type"] == "application/vnd.microsoft.error"
    assert rig.feedback.items == []


async def test_unknown_invoke_is_501(rig: TeamsRig) -> None:
    invoke = rig.activity("invoke_adaptive_card_action_execute.json", name="signin/verifyState")
    assert (await rig.post(invoke)).status == 501


# --- message extension: Summarize thread ------------------------------------------------------


def _graph_message(msg_id: str, who: str, html: str, minute: int, reply_to: str | None = ROOT) -> dict[str, Any]:
    return {
        "id": msg_id,
        "replyToId": reply_to,
        "messageType": "message",
        "deletedDateTime": None,
        "createdDateTime": f"2025-10-08T17:{minute:02d}:00.000Z",
        "from": {"user": {"id": f"id-{who}", "displayName": who, "userIdentityType": "aadUser"}},
        "body": {"contentType": "html", "content": html},
    }


def _serve_thread(connector: FakeConnector) -> None:
    base = f"teams/{GROUP}/channels/{CHANNEL}/messages/{ROOT}"
    connector.graph_pages[base] = _graph_message(
        ROOT, "Rido", "<p>We need to decide the Q4 offsite venue by Friday.</p>", 0, reply_to=None
    )
    # Graph lists replies newest first, across pages
    connector.graph_pages[f"{base}/replies"] = {
        "value": [
            _graph_message("r3", "Ana", "<p>Decision: we book the Lisbon venue. <at>Rido</at> sends invites.</p>", 9),
            _graph_message("r2", "Ben", "<p>Lisbon is cheaper than Berlin by 20 percent for the offsite.</p>", 5),
        ],
        "@odata.nextLink": f"{connector.url}/graph/v1.0/{base}/replies?$skiptoken=page2",
    }
    connector.graph_pages[f"{base}/replies#page2"] = {
        "value": [_graph_message("r1", "Ana", "<p>Options for the offsite venue are Lisbon and Berlin.</p>", 2)],
    }


def _summarize_invoke(rig: TeamsRig, name: str = "composeExtension/fetchTask") -> dict[str, Any]:
    invoke = copy.deepcopy(fixture("message_extension_submit_action.json"))
    base = rig.activity("message_channel_thread_reply_mention.json")
    for key in ("serviceUrl", "from", "recipient", "conversation", "channelData", "channelId"):
        invoke[key] = base[key]
    invoke["id"] = "f:me-1"
    invoke["name"] = name
    invoke["value"]["commandId"] = "summarizeThread"
    invoke["value"]["messagePayload"]["id"] = ROOT
    return invoke


@pytest.fixture
async def graph_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def thread_rig(make_rig, connector: FakeConnector, graph_session: aiohttp.ClientSession) -> TeamsRig:
    reader = GraphThreadReader(connector.url + "/graph", lambda tenant: StaticToken("graph-test-token"), graph_session)
    _serve_thread(connector)
    return await make_rig(teams_thread_reader=reader)


def _posted_summary(rig: TeamsRig) -> list[Any]:
    return [p for p in rig.connector.posts() if "TL;DR" in json.dumps(p.body)]


async def test_summarize_thread_reads_graph_and_posts_the_summary(thread_rig: TeamsRig) -> None:
    resp = await thread_rig.post(_summarize_invoke(thread_rig))
    assert resp.status == 200
    task = (await resp.json())["task"]
    assert task["type"] == "message" and "on its way" in task["value"]
    await thread_rig.connector.wait_for(lambda: bool(_posted_summary(thread_rig)))
    [posted] = _posted_summary(thread_rig)
    text = posted.body["text"]
    assert posted.body["type"] == "message" and posted.match["activity"] == "f:me-1"
    assert "TL;DR" in text and ("Lisbon" in text or "offsite" in text)
    graph_calls = [r for r in thread_rig.connector.received if r.path.startswith("/graph/")]
    assert len(graph_calls) == 3  # parent, replies page 1, replies page 2
    assert all(r.headers["Authorization"] == "Bearer graph-test-token" for r in graph_calls)
    # the team's Graph id came from the Bot Connector (the activity only has the 19:... thread id)
    assert any(r.path == f"/v3/teams/{TEAM_THREAD}" for r in thread_rig.connector.received)


async def test_summarize_thread_submit_action_answers_empty_then_posts(thread_rig: TeamsRig) -> None:
    resp = await thread_rig.post(_summarize_invoke(thread_rig, "composeExtension/submitAction"))
    assert resp.status == 200 and await resp.json() == {}
    await thread_rig.connector.wait_for(lambda: bool(_posted_summary(thread_rig)))
    assert "TL;DR" in _posted_summary(thread_rig)[0].body["text"]


async def test_summarize_thread_outside_a_channel_explains(thread_rig: TeamsRig) -> None:
    invoke = _summarize_invoke(thread_rig)
    invoke["channelData"] = {"tenant": {"id": "t"}}
    resp = await thread_rig.post(invoke)
    assert resp.status == 200
    assert "channel posts" in (await resp.json())["task"]["value"]


async def test_summarize_thread_graph_failure_is_a_clean_message(thread_rig: TeamsRig) -> None:
    thread_rig.connector.graph_pages.clear()  # Graph answers 404
    resp = await thread_rig.post(_summarize_invoke(thread_rig))
    assert resp.status == 200
    posts = await thread_rig.connector.wait_posts(1)
    assert posts[0].body["type"] == "message" and posts[0].body["text"]  # a short explanation, not silence


async def test_summarize_thread_without_graph_credentials(make_rig) -> None:
    rig = await make_rig(emulator=True)
    resp = await rig.post(_summarize_invoke(rig))
    assert resp.status == 200
    assert "not set up" in (await resp.json())["task"]["value"]


async def test_unknown_message_extension_command(thread_rig: TeamsRig) -> None:
    invoke = _summarize_invoke(thread_rig)
    invoke["value"]["commandId"] = "translate"
    resp = await thread_rig.post(invoke)
    assert resp.status == 200
    assert "Unknown command" in (await resp.json())["task"]["value"]
