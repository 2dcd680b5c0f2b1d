"""Fair use in Slack: over the per-user limit, a short friendly reply instead of an answer."""

from __future__ import annotations

from bot.fair_use import FAIR_USE_REPLY
from tests.fakes import ONE_FAIR_USE_WINDOW
from tests.slack.fake_slack_api import BOT_USER_ID
from tests.slack.support import SlackHarness
from tests.slack.test_slack_commands import command


def _limit(questions: int) -> dict:
    return {"kbot_fair_use_questions": questions, "kbot_fair_use_window_seconds": ONE_FAIR_USE_WINDOW}


def _mention(i: int, user: str) -> dict:
    ts = f"{1700000100 + i}.000100"
    return {
        "type": "event_callback",
        "team_id": "T111",
        "api_app_id": "A111",
        "event_id": f"EvFair{i}",
        "event": {
            "type": "app_mention",
            "user": user,
            "text": f"<@{BOT_USER_ID}> question {i}?",
            "ts": ts,
            "channel": "C111",
            "event_ts": ts,
        },
    }


async def test_mentions_over_the_limit_get_a_friendly_reply() -> None:
    async with SlackHarness(settings=_limit(2)) as slack:
        for i in range(3):
            assert (await slack.post_event(_mention(i, "W222")))[0] == 200
            await slack.api.wait_for("chat.postMessage", count=i + 1)
        await slack.post_event(_mention(9, "W333"))  # another user is not affected
        posts = await slack.api.wait_for("chat.postMessage", count=4)
        await slack.settle()
    assert [p.args["text"] == FAIR_USE_REPLY for p in posts] == [False, False, True, False]
    assert len(slack.answerer.questions) == 3  # the refused question never reached the backend


async def test_ask_over_the_limit_gets_a_friendly_ephemeral_reply(payloads: None) -> None:  # /ask form: shared fixture
    async with SlackHarness(settings=_limit(1)) as slack:
        for _ in range(2):
            assert (await slack.post_form(command("/ask", "leave days?", slack.api.base_url)))[0] == 200
        replies = await slack.api.wait_for("response_url", count=2)
        await slack.settle()
    assert [r.args.get("text") == FAIR_USE_REPLY for r in replies].count(True) == 1
    assert len(slack.answerer.questions) == 1


async def test_with_the_state_store_down_questions_are_still_answered() -> None:
    """Dedupe, fair use and answer records fail open: an answer, never silence."""
    from tests.state.broken_state import BrokenState

    state = BrokenState()
    async with SlackHarness(state=state) as slack:
        assert (await slack.post_event(_mention(1, "W222")))[0] == 200
        (post,) = await slack.api.wait_for("chat.postMessage")
        await slack.settle()
    assert post.args.get("blocks") and state.calls >= 3  # claim, fair use, record: all tried
