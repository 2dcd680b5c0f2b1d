"""Signature checks and hostile or broken input: 4xx or a clean ignore, and the server keeps serving."""

from __future__ import annotations

import json
import time

from tests.slack.fake_slack_api import BOT_USER_ID
from tests.slack.support import SlackHarness, fixture, signed_headers


def mention(text: str = "how many days of leave do I get?", event_id: str = "EvS1") -> dict:
    payload = fixture("app_mention.json")
    payload["event"]["text"] = f"<@{BOT_USER_ID}> {text}"
    payload["event_id"] = event_id
    return payload


async def _still_serving(slack: SlackHarness) -> None:
    before = len(slack.api.of("chat.postMessage"))
    status, _ = await slack.post_event(mention(event_id=f"EvAlive{before}"))
    assert status == 200
    await slack.api.wait_for("chat.postMessage", count=before + 1)
    assert slack.session is not None
    async with slack.session.get(f"{slack.url}/healthz") as resp:
        assert resp.status == 200


async def test_forged_signature_is_rejected_without_processing(slack: SlackHarness) -> None:
    body = json.dumps(mention())
    headers = signed_headers(body, secret="not-the-secret")
    status, _ = await slack.post_raw(body, headers)
    assert status == 401
    tampered = signed_headers(body)
    status, _ = await slack.post_raw(body.replace("leave", "LEAVE"), tampered)
    assert status == 401
    status, _ = await slack.post_raw(body, {"Content-Type": "application/json"})  # unsigned
    assert status == 401
    await slack.settle()
    assert slack.api.calls == [] and slack.answerer.questions == []


async def test_stale_signature_is_rejected(slack: SlackHarness) -> None:
    status, _ = await slack.post_event(mention(), timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    await slack.settle()
    assert slack.api.calls == []
    # ... and the same event, freshly signed, is still answered (a rejected request does not count as seen).
    assert (await slack.post_event(mention()))[0] == 200
    await slack.api.wait_for("chat.postMessage")


async def test_url_verification_returns_the_challenge(slack: SlackHarness) -> None:
    status, body = await slack.post_event(fixture("url_verification.json"))
    assert status == 200 and json.loads(body)["challenge"] == fixture("url_verification.json")["challenge"]


async def test_malformed_bodies_get_4xx(slack: SlackHarness) -> None:
    for body in ('{"type": "event_callback", "event": ', "[1, 2, 3]", '"just a string"'):
        status, _ = await slack.post_raw(body, signed_headers(body))
        assert 400 <= status < 500, body
    status, _ = await slack.post_raw("", signed_headers(""))
    assert 400 <= status < 500
    await _still_serving(slack)


async def test_huge_bodies_and_messages(slack: SlackHarness) -> None:
    huge = mention("x" * (2 * 1024 * 1024), event_id="EvHugeBody")
    status, _ = await slack.post_event(huge)
    assert status == 413
    long_question = mention("why " * 5000, event_id="EvLong")
    assert (await slack.post_event(long_question))[0] == 200
    (post,) = await slack.api.wait_for("chat.postMessage")
    assert post.args["text"].startswith("That message is too long for me to answer")
    assert slack.answerer.questions == []
    await _still_serving(slack)


async def test_unknown_event_types_and_missing_fields_are_ignored(slack: SlackHarness) -> None:
    unknown = mention(event_id="EvUnknown")
    unknown["event"] = {"type": "reaction_added", "user": "W222", "reaction": "tada"}
    assert (await slack.post_event(unknown))[0] == 200
    weird = mention(event_id="EvWeird")
    weird["event"] = {"type": "brand_new_event_type_2030"}
    assert (await slack.post_event(weird))[0] == 200
    no_channel = mention(event_id="EvNoChannel")
    del no_channel["event"]["channel"]
    assert (await slack.post_event(no_channel))[0] == 200
    no_event = {"type": "event_callback", "event_id": "EvNoEvent", "team_id": "T111"}
    assert (await slack.post_event(no_event))[0] < 500
    no_text = mention(event_id="EvNoText")
    del no_text["event"]["text"]
    assert (await slack.post_event(no_text))[0] == 200
    (post,) = await slack.api.wait_for("chat.postMessage")
    assert post.args["text"].startswith("Ask me a question")
    await slack.settle()
    assert slack.answerer.questions == []
    await _still_serving(slack)


async def test_unknown_interactions_and_commands_do_not_break_the_server(slack: SlackHarness) -> None:
    weird_action = fixture("block_actions.json")  # action_id "open_docs": not ours
    status, _ = await slack.post_interaction(weird_action)
    assert status < 500
    status, _ = await slack.post_form(
        {"command": "/nope", "text": "x", "user_id": "W1", "team_id": "T111", "channel_id": "C111"}
    )
    assert status < 500
    bad_value = fixture("block_actions.json")
    bad_value["actions"][0].update(action_id="kbot_feedback_up", value="not json")
    bad_value["response_url"] = f"{slack.api.base_url}/hooks/x"
    assert (await slack.post_interaction(bad_value))[0] == 200
    await slack.api.wait_for("response_url")
    await _still_serving(slack)


async def test_healthz_reports_backend_and_document_count(slack: SlackHarness) -> None:
    assert slack.session is not None
    async with slack.session.get(f"{slack.url}/healthz") as resp:
        body = await resp.json()
    assert resp.status == 200
    assert body.pop("surfaces")["slack"] == {"mounted": True, "mode": "http"}
    assert body == {"status": "ok", "backend": "embedded", "slack": True, "documents": 0}
