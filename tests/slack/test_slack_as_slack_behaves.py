"""Slack as it really behaves (issue 16): escaped text in, button value limit, streaming faults,
assistant threads, escaped fallback text. The fake API enforces the documented rules."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.admin.models import ChannelSettings
from bot.models import Answer, Question
from tests.slack.fake_slack_api import BOT_USER_ID, as_slack_sends
from tests.slack.support import FakeAnswerer, SlackHarness, StreamingFakeAnswerer, fixture
from tests.slack.test_slack_commands import THREAD, block_action, command
from tests.slack.test_slack_events import mention

TYPED = "R&D budget for <2024>?"


async def test_incoming_markup_is_decoded_once_and_escaped_once_on_the_way_out(slack: SlackHarness) -> None:
    """Item 5: entities, channels, links and <!here> reach the core decoded; headers escape once."""
    text = (
        f"{as_slack_sends(TYPED)} see <#C123|general>, <https://wiki.example.com/rd|the "
        f"{as_slack_sends('R&D')} wiki> <!here>"
    )
    await slack.post_event(mention(text))
    await slack.api.wait_for("chat.postMessage")
    await slack.settle()
    assert slack.answerer.questions[0].text == (
        "R&D budget for <2024>? see #general, the R&D wiki (https://wiki.example.com/rd) @here"
    )

    await slack.post_form(command("/ask", as_slack_sends(TYPED), slack.api.base_url))
    (reply,) = await slack.api.wait_for("response_url")
    assert slack.answerer.questions[1].text == TYPED
    share = [b for b in reply.args["blocks"] if b["type"] == "actions"][0]["elements"][0]
    await slack.post_interaction(block_action("kbot_share", share["value"], slack.api.base_url))
    public = (await slack.api.wait_for("response_url", count=3))[1].args
    header = public["blocks"][0]["elements"][0]["text"]
    assert header.endswith("asked: R&amp;D budget for &lt;2024&gt;?"), header


async def test_experts_post_escapes_the_question_once(slack: SlackHarness) -> None:
    """Item 5: the experts-channel post shows "R&amp;D", never "R&amp;amp;D"."""
    await slack.post_form(command("/ask", as_slack_sends(TYPED), slack.api.base_url))
    (reply,) = await slack.api.wait_for("response_url")
    down = next(
        b
        for b in [b for b in reply.args["blocks"] if b["type"] == "actions"][0]["elements"]
        if b["action_id"] == "kbot_feedback_down"
    )
    await slack.post_interaction(block_action("kbot_feedback_down", down["value"], slack.api.base_url))
    offer = (await slack.api.wait_for("response_url", count=2))[1].args
    button = offer["blocks"][1]["elements"][0]
    await slack.post_interaction(block_action("kbot_ask_expert", button["value"], slack.api.base_url))
    (expert_post,) = await slack.api.wait_for("chat.postMessage")
    await slack.settle()
    assert ">R&amp;D budget for &lt;2024&gt;?" in expert_post.args["text"]
    assert "&amp;amp;" not in expert_post.args["text"]


async def test_long_japanese_question_survives_feedback_and_share(slack: SlackHarness) -> None:
    """Item 6: a 375-character Japanese question; the button value carries only the record id."""
    question = ("有給休暇の申請手続きと承認までの日数について教えてください。" * 13)[:375]
    await slack.post_form(command("/ask", question, slack.api.base_url))
    (reply,) = await slack.api.wait_for("response_url")
    buttons = [b for b in reply.args["blocks"] if b["type"] == "actions"][0]["elements"]
    assert all(len(b["value"]) <= 2000 for b in buttons)
    up = next(b for b in buttons if b["action_id"] == "kbot_feedback_up")
    await slack.post_interaction(block_action("kbot_feedback_up", up["value"], slack.api.base_url))
    await slack.api.wait_for("response_url", count=2)
    await slack.settle()
    assert slack.feedback.items[0].question == question
    await slack.post_interaction(block_action("kbot_share", buttons[0]["value"], slack.api.base_url))
    await slack.api.wait_for("response_url", count=4)
    await slack.settle()
    assert slack.answerer.questions[-1].text == question
    assert not slack.api.refused


class LongStreamingAnswerer(StreamingFakeAnswerer):
    async def answer(self, question: Question) -> Answer:
        answer = await super().answer(question)
        return Answer(text=answer.text + " More detail." * 60, grounded=True, citations=answer.citations)


async def test_stream_failure_midway_finishes_the_stream_with_a_note(payloads: None) -> None:
    """Item 7: appendStream fails after the stream started: close it with a note, no full repost."""
    async with SlackHarness(answerer=LongStreamingAnswerer()) as slack:
        slack.api.errors["chat.appendStream"] = "internal_error"
        await slack.post_event(mention("how many days of leave do I get?"))
        (stop,) = await slack.api.wait_for("chat.stopStream")
        await slack.settle()
        assert "interrupted" in stop.args.get("markdown_text", "")
        assert not slack.api.of("chat.postMessage")


async def test_sdk_without_stream_methods_falls_back_to_post_message(
    payloads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 7: an slack-sdk without ``chat_startStream`` (AttributeError) still answers."""
    monkeypatch.delattr(AsyncWebClient, "chat_startStream")
    async with SlackHarness(answerer=StreamingFakeAnswerer()) as slack:
        await slack.post_event(mention("how many days of leave do I get?"))
        (post,) = await slack.api.wait_for("chat.postMessage")
        await slack.settle()
        assert "Leave policy" in str(post.args["blocks"])


async def test_assistant_thread_gets_a_title_and_summarizes_the_viewed_channel(slack: SlackHarness) -> None:
    """Item 9: setTitle on the first question; "summarize this" uses the thread context's channel."""
    started = fixture("assistant_thread_started.json")
    viewed = started["event"]["assistant_thread"]["context"]["channel_id"]  # the channel the user looks at
    await slack.post_event(started)
    await slack.api.wait_for("assistant.threads.setSuggestedPrompts")
    await slack.settle()
    slack.api.histories[viewed] = list(reversed(THREAD))
    payload = fixture("message_im_in_thread.json")
    payload["event"]["text"] = "summarize this"
    payload["event_id"] = "EvSummarizeThis"
    await slack.post_event(payload)
    (title,) = await slack.api.wait_for("assistant.threads.setTitle")
    assert title.args["thread_ts"] == payload["event"]["thread_ts"] and title.args["title"] == "summarize this"
    posts = await slack.api.wait_for("chat.postMessage", count=2)
    await slack.settle()
    assert slack.api.of("conversations.history")[0].args["channel"] == viewed
    assert "May 12" in str(posts[-1].args["blocks"])
    assert not slack.answerer.questions


class PingingAnswerer(FakeAnswerer):
    async def answer(self, question: Question) -> Answer:
        self.questions.append(question)
        return Answer(text="<!channel> R&D is <b>open</b>", grounded=True)


async def test_top_level_text_is_escaped_like_the_blocks(payloads: None) -> None:
    """Item 10: the notification text must not ping @channel or carry raw control characters."""
    async with SlackHarness(answerer=PingingAnswerer()) as slack:
        await slack.post_event(mention("who is on call?"))
        (post,) = await slack.api.wait_for("chat.postMessage")
        await slack.settle()
        assert post.args["text"].startswith("&lt;!channel&gt; R&amp;D is &lt;b&gt;open&lt;/b&gt;")
        assert BOT_USER_ID not in post.args["text"]


async def test_thread_followups_follow_the_channel_setting(slack: SlackHarness) -> None:
    """Item 1 (Slack side): the same channel setting as Teams; Slack's default stays on."""
    payload = fixture("message_channel_thread_reply.json")
    root, reply = payload["event"]["thread_ts"], payload["event"]["ts"]
    slack.api.threads[("C111", root)] = [
        {"type": "message", "user": "W222", "text": f"<@{BOT_USER_ID}> What is Slack?", "ts": root},
        {"type": "message", "bot_id": "BBOT", "user": BOT_USER_ID, "text": "A chat app.", "ts": "1726133699.1"},
        {"type": "message", "user": "W222", "text": "When was it released?", "ts": reply},
    ]
    await slack.app.config.save_channel(ChannelSettings("slack", "C111", followups=False))
    payload["event_id"] = "EvFollowOff"
    await slack.post_event(payload)
    await slack.settle()
    assert not slack.answerer.questions and not slack.api.of("chat.postMessage")
    await slack.app.config.save_channel(ChannelSettings("slack", "C111", followups=None))
    payload["event_id"] = "EvFollowDefault"
    await slack.post_event(payload)
    await slack.api.wait_for("chat.postMessage")
    assert slack.answerer.questions[0].text == payload["event"]["text"]
