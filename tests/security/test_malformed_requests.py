"""Issue 19 item 11: malformed requests get 400/401, never a 500 or an ERROR traceback in the logs."""

from __future__ import annotations

import json
import logging
import time

import pytest

from tests.slack.support import SlackHarness, signed_headers


def event(inner: object) -> str:
    return json.dumps(
        {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": "EvBad1",
            "event_time": int(time.time()),
            "event": inner,
        }
    )


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


@pytest.mark.parametrize("timestamp", ["abc", "9" * 40, "-1", "1e9", ""])
async def test_slack_bad_timestamp_is_401(timestamp: str, caplog: pytest.LogCaptureFixture) -> None:
    body = event({"type": "app_mention", "text": "hi", "user": "U1", "channel": "C1", "ts": "1.0"})
    headers = signed_headers(body) | {"X-Slack-Request-Timestamp": timestamp}
    async with SlackHarness() as slack:
        status, _ = await slack.post_raw(body, headers)
        assert status == 401
        assert slack.api.calls == []
    no_errors(caplog)


@pytest.mark.parametrize("inner", ["notadict", 42, ["a"], None])
async def test_slack_signed_event_that_is_not_an_object_is_400(inner: object, caplog: pytest.LogCaptureFixture) -> None:
    body = event(inner)
    async with SlackHarness() as slack:
        status, _ = await slack.post_raw(body, signed_headers(body))
        assert status == 400
        await slack.settle()
        assert slack.api.calls == []
    no_errors(caplog)


async def test_teams_invoke_with_a_string_value_is_4xx(rig, caplog: pytest.LogCaptureFixture) -> None:
    activity = rig.activity("invoke_adaptive_card_action_execute.json", value="x")
    unsigned = await rig.post(activity, headers={})
    assert unsigned.status == 401
    signed = await rig.post(activity)
    assert signed.status == 400, await signed.text()
    no_errors(caplog)


async def test_unreachable_slack_api_still_acks(caplog: pytest.LogCaptureFixture) -> None:
    body = event({"type": "app_mention", "text": "<@UBOT> hi", "user": "U1", "channel": "C1", "ts": "1.0"})
    async with SlackHarness() as slack:
        await slack.api.stop()  # SLACK_API_URL now refuses connections
        status, _ = await slack.post_raw(body, signed_headers(body))
        assert status == 200, "acknowledged: Slack must not retry into the same failure"
        await slack.api.start()  # so the harness can shut down cleanly
    no_errors(caplog)
