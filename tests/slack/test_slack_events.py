"""Conversations over the real bolt app: signed Events API requests in, Web API calls to the fake out."""

from __future__ import annotations

import time
from email.message import EmailMessage

from tests.slack.fake_slack_api import BOT_ID, BOT_USER_ID
from tests.slack.support import SlackHarness, StreamingFakeAnswerer, fixture

MENTION_TS = fixture("app_mention.json")["event"]["ts"]
ASSISTANT_THREAD = fixture("assistant_thread_started.json")["event"]["assistant_thread"]["thread_ts"]


def _blocks_text(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def mention(text: str, event_id: str = "EvM1") -> dict:
    payload = fixture("app_mention.json")
    payload["event"]["text"] = f"<@{BOT_USER_ID}> {text}"
    payload["event_id"] = event_id
    return payload


async def test_mention_is_answered_in_thread_with_numbered_sources(slack: SlackHarness) -> None:
    status, _ = await slack.post_event(mention("how many days of leave do I get?"))
    assert status == 200
    (post,) = await slack.api.wait_for("chat.postMessage")
    await slack.settle()
    assert post.args["channel"] == "C111"
    assert post.args["thread_ts"] == MENTION_TS  # the mention's own ts starts the thread
    text = _blocks_text(post.args["blocks"])
    assert "Answer to: how many days of leave do I get?" in text and "*the handbook*" in text
    assert "*1.* <https://wiki.example.com/leave|Leave policy>  ·  indexed at 2024-05-01" in text
    assert "*2.* <https://wiki.example.com/hr?a=1&amp;b=2|HR handbook>" in text
    actions = [b for b in post.args["blocks"] if b["type"] == "actions"][0]
    assert [e["action_id"] for e in actions["elements"]] == ["kbot_feedback_up", "kbot_feedback_down"]
    (question,) = slack.answerer.questions
    assert question.text == "how many days of leave do I get?"
    assert question.asker.user_id == "W222"  # groups: the admin access resolver (tests/admin)
    assert question.conversation_id == MENTION_TS
    assert post.headers["Authorization"] == "Bearer xoxb-test-token"


async def test_not_found_answer_says_so_plainly(slack: SlackHarness) -> None:
    await slack.post_event(mention("something unknown"))
    (post,) = await slack.api.wait_for("chat.postMessage")
    text = _blocks_text(post.args["blocks"])
    assert "couldn't find an answer" in text
    assert "Sources" not in text


async def test_thread_follow_up_keeps_context(slack: SlackHarness) -> None:
    payload = fixture("message_channel_thread_reply.json")
    payload["event_id"] = "EvFollow"
    root, reply = payload["event"]["thread_ts"], payload["event"]["ts"]
    slack.api.threads[("C111", root)] = [
        {"type": "message", "user": "W222", "text": f"<@{BOT_USER_ID}> What is Slack?", "ts": root},
        {
            "type": "message",
            "bot_id": BOT_ID,
            "user": BOT_USER_ID,
            "text": "Slack is a chat app.",
            "ts": f"{int(float(root)) + 1}.000100",  # between the root and the reply
        },
        {"type": "message", "user": "W222", "text": payload["event"]["text"], "ts": reply},
    ]
    await slack.post_event(payload)
    (post,) = await slack.api.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == root
    (question,) = slack.answerer.questions
    assert question.text == payload["event"]["text"]
    assert [(t.role, t.text) for t in question.history] == [
        ("user", "What is Slack?"),
        ("assistant", "Slack is a chat app."),
    ]


async def test_channel_thread_without_the_bot_is_ignored(slack: SlackHarness) -> None:
    payload = fixture("message_channel_thread_reply.json")
    root = payload["event"]["thread_ts"]
    slack.api.threads[("C111", root)] = [{"type": "message", "user": "W222", "text": "hi all", "ts": root}]
    status, _ = await slack.post_event(payload)
    await slack.settle()
    assert status == 200
    assert slack.api.of("conversations.replies") and not slack.api.of("chat.postMessage")
    assert not slack.answerer.questions


async def test_direct_message_is_answered_in_its_thread(slack: SlackHarness) -> None:
    payload = fixture("message_im_in_thread.json")
    del payload["event"]["thread_ts"], payload["event"]["parent_user_id"]
    await slack.post_event(payload)
    (post,) = await slack.api.wait_for("chat.postMessage")
    assert post.args["channel"] == "D111" and post.args["thread_ts"] == payload["event"]["ts"]
    assert slack.answerer.questions[0].history == []


async def test_assistant_thread_started_sets_suggested_prompts(slack: SlackHarness) -> None:
    await slack.post_event(fixture("assistant_thread_started.json"))
    (prompts,) = await slack.api.wait_for("assistant.threads.setSuggestedPrompts")
    assert prompts.args["channel_id"] == "D111" and prompts.args["thread_ts"] == ASSISTANT_THREAD
    assert len(prompts.args["prompts"]) >= 2 and all("message" in p for p in prompts.args["prompts"])
    (greeting,) = slack.api.of("chat.postMessage")
    assert greeting.args["thread_ts"] == ASSISTANT_THREAD


async def test_assistant_user_message_sets_status_then_answers(slack: SlackHarness) -> None:
    await slack.post_event(fixture("message_im_in_thread.json"))
    (post,) = await slack.api.wait_for("chat.postMessage")
    (status,) = slack.api.of("assistant.threads.setStatus")
    assert status.args["status"] == "is thinking…" and status.args["thread_ts"] == ASSISTANT_THREAD
    assert status.at <= post.at
    assert post.args["channel"] == "D111" and post.args["thread_ts"] == ASSISTANT_THREAD


async def test_streaming_backend_uses_chat_stream_methods(payloads: None) -> None:
    async with SlackHarness(answerer=StreamingFakeAnswerer()) as slack:
        await slack.post_event(mention("how many days of leave do I get?"))
        (stop,) = await slack.api.wait_for("chat.stopStream")
        await slack.settle()
        (start,) = slack.api.of("chat.startStream")
        assert start.args["thread_ts"] == MENTION_TS
        assert start.args["recipient_user_id"] == "W222" and start.args["recipient_team_id"] == "T111"
        streamed = "".join(c.args.get("markdown_text", "") for c in slack.api.of("chat.appendStream"))
        streamed += stop.args.get("markdown_text", "")
        assert streamed == "Answer to: how many days of leave do I get?. See **the handbook** [1]."
        assert "Leave policy" in _blocks_text(stop.args["blocks"])
        assert not slack.api.of("chat.postMessage")


async def test_streaming_falls_back_to_post_message(payloads: None) -> None:
    async with SlackHarness(answerer=StreamingFakeAnswerer()) as slack:
        slack.api.errors["chat.startStream"] = "unknown_method"
        await slack.post_event(mention("how many days of leave do I get?"))
        (post,) = await slack.api.wait_for("chat.postMessage")
        await slack.settle()
        assert "Leave policy" in _blocks_text(post.args["blocks"])
        assert not slack.api.of("chat.appendStream")


async def test_own_messages_edits_and_deletions_do_not_trigger_answers(slack: SlackHarness) -> None:
    own = fixture("message_im_in_thread.json")
    own["event_id"], own["event"]["user"], own["event"]["bot_id"] = "EvOwn", BOT_USER_ID, BOT_ID
    own_plain = fixture("message_channels.json")
    own_plain["event_id"], own_plain["event"]["bot_id"] = "EvOwn2", "BOTHER"
    edited, deleted = fixture("message_changed.json"), fixture("message_deleted.json")
    edited["event_id"], deleted["event_id"] = "EvEdit", "EvDel"
    edited_dm = fixture("message_changed.json")
    edited_dm["event_id"], edited_dm["event"]["channel_type"] = "EvEditDm", "im"
    for payload in (own, own_plain, edited, deleted, edited_dm):
        status, _ = await slack.post_event(payload)
        assert status == 200
    await slack.settle()
    assert not slack.answerer.questions
    assert not slack.api.of("chat.postMessage")


async def test_retries_of_the_same_event_answer_once(slack: SlackHarness) -> None:
    payload = mention("how many days of leave do I get?", event_id="EvRetry")
    assert (await slack.post_event(payload))[0] == 200
    for retry in (1, 2, 3):
        assert (await slack.post_event(payload, retry=retry))[0] == 200
    await slack.api.wait_for("chat.postMessage")
    await slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1
    assert len(slack.answerer.questions) == 1


async def test_rate_limited_post_is_retried_after_retry_after(slack: SlackHarness) -> None:
    slack.api.rate_limited["chat.postMessage"] = 1
    started = time.monotonic()
    await slack.post_event(mention("how many days of leave do I get?"))
    (post,) = await slack.api.wait_for("chat.postMessage", within=8)
    (limited,) = slack.api.of("chat.postMessage:429")
    assert post.at - limited.at >= 1.0
    assert post.at - started < 5


async def test_backend_failure_becomes_a_short_reply(payloads: None) -> None:
    from bot.errors import ThrottledError

    class Throttled:
        async def answer(self, question):
            raise ThrottledError("bedrock said 429")

    async with SlackHarness(answerer=Throttled()) as slack:
        await slack.post_event(mention("anything"))
        (post,) = await slack.api.wait_for("chat.postMessage")
        assert post.args["text"] == ThrottledError.user_message
        assert post.args["thread_ts"] == MENTION_TS


def _eml() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Priya Shah <priya@example.com>"
    msg["To"] = "team@example.com"
    msg["Subject"] = "Q3 launch plan"
    msg.set_content(
        "Hi team,\n\nWe decided to move the launch to October 14 because the payments review is not done.\n"
        "Marco will update the release notes by Friday. Dana needs to confirm the venue booking.\n"
        "Can someone check whether the legal sign-off is still needed?\n\nThanks,\nPriya\n"
    )
    return msg.as_bytes()


async def test_eml_shared_in_dm_gets_an_email_summary(slack: SlackHarness) -> None:
    slack.api.files["plan.eml"] = _eml()
    payload = fixture("message_channels.json")
    event = payload["event"]
    event.update(channel="D111", channel_type="im", subtype="file_share", text="", user="W222")
    event["files"] = [
        {"id": "F1", "name": "plan.eml", "size": 600, "url_private": f"{slack.api.base_url}/files/plan.eml"}
    ]
    await slack.post_event(payload)
    (post,) = await slack.api.wait_for("chat.postMessage", within=60)  # first unstructured import is slow
    (download,) = slack.api.of("file_download")
    assert download.headers["Authorization"] == "Bearer xoxb-test-token"
    assert post.args["thread_ts"] == event["ts"]
    assert post.args["blocks"][0]["text"]["text"] == "Email summary: Q3 launch plan"
    assert "October 14" in _blocks_text(post.args["blocks"])
    assert not slack.answerer.questions


async def test_token_is_not_sent_to_foreign_file_hosts(slack: SlackHarness) -> None:
    payload = fixture("message_channels.json")
    event = payload["event"]
    event.update(channel="D111", channel_type="im", subtype="file_share", text="", user="W222")
    event["files"] = [
        {"id": "F1", "name": "x.eml", "url_private": f"http://localhost:{slack.api.port}/files/x.eml"}
    ]
    await slack.post_event(payload)
    (post,) = await slack.api.wait_for("chat.postMessage")
    (download,) = slack.api.of("file_download")
    assert "Authorization" not in download.headers
    assert post.args["text"].startswith("x.eml: I couldn't download the file")


async def test_stream_closed_by_slack_midway_is_edited_into_the_whole_answer(payloads: None) -> None:
    class Chatty(StreamingFakeAnswerer):
        async def answer(self, question):
            answer = await super().answer(question)
            answer.text = "Long answer. " * 40  # several appendStream flushes
            return answer

    async with SlackHarness(answerer=Chatty()) as slack:
        slack.api.errors["chat.appendStream"] = "message_not_in_streaming_state"
        slack.api.errors["chat.stopStream"] = "message_not_in_streaming_state"
        await slack.post_event(mention("tell me everything"))
        (update,) = await slack.api.wait_for("chat.update")
        await slack.settle()
        assert _blocks_text(update.args["blocks"]).startswith("Long answer. Long answer.")
        assert update.args["ts"] and update.args["channel"] == "C111"
        assert len(slack.api.of("chat.appendStream")) == 1  # gave up streaming after the first failure
        assert not slack.api.of("chat.postMessage")  # no second copy of the answer


async def test_access_check_failure_becomes_a_short_reply(payloads: None) -> None:
    from bot.errors import StoreError

    class BrokenConfig:
        def __getattr__(self, name: str):
            async def fail(*args, **kwargs):
                raise StoreError("config store unreadable")

            return fail

    async with SlackHarness(config=BrokenConfig()) as slack:
        await slack.post_event(mention("anything"))
        (post,) = await slack.api.wait_for("chat.postMessage")
        assert post.args["text"] == StoreError.user_message
        assert not slack.answerer.questions
