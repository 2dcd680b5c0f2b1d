"""/ask, /summarize, the "Summarize thread" shortcut and the answer buttons, over signed requests."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from tests.slack.fake_slack_api import BOT_ID, BOT_USER_ID
from tests.slack.support import SlackHarness, fixture

THREAD = [
    {
        "type": "message",
        "user": "W222",
        "ts": "1583636382.000300",
        "text": "We need to pick a date for the offsite. I suggest May 12 in Lisbon.",
    },
    {
        "type": "message",
        "user": "W111",
        "ts": "1583636390.000100",
        "text": "We decided on May 12. <@W222> will book the venue by Friday.",
    },
    {
        "type": "message",
        "user": "U111",
        "ts": "1583636399.000200",
        "text": "Who is handling the travel budget approval?",
    },
]


def command(name: str, text: str, hooks: str) -> dict[str, str]:
    fields = dict(parse_qsl(fixture("slash_command_form.json")["raw_body"]))
    fields.update(command=name, text=text, response_url=f"{hooks}/hooks/commands/T111/1/x")
    return fields


def blocks_text(blocks: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if isinstance(b.get("text"), dict))


async def _ask(slack: SlackHarness, text: str = "how many days of leave do I get?") -> dict:
    status, _ = await slack.post_form(command("/ask", text, slack.api.base_url))
    assert status == 200
    (reply,) = await slack.api.wait_for("response_url")
    return reply.args


async def test_ask_replies_ephemerally_with_share_button(slack: SlackHarness) -> None:
    reply = await _ask(slack)
    assert reply["response_type"] == "ephemeral"
    assert "Leave policy" in blocks_text(reply["blocks"])
    actions = [b for b in reply["blocks"] if b["type"] == "actions"][0]
    assert [e["action_id"] for e in actions["elements"]] == [
        "kbot_share",
        "kbot_feedback_up",
        "kbot_feedback_down",
    ]
    assert slack.answerer.questions[0].asker.user_id == "W111"
    assert not slack.api.of("chat.postMessage")


async def test_ask_without_text_shows_usage_in_the_ack(slack: SlackHarness) -> None:
    status, body = await slack.post_form(command("/ask", "  ", slack.api.base_url))
    await slack.settle()
    assert status == 200 and "Usage: `/ask <question>`" in body
    assert not slack.answerer.questions


def block_action(action_id: str, value: str, hooks: str, message: dict | None = None) -> dict:
    payload = fixture("block_actions.json")
    payload["actions"][0].update(action_id=action_id, value=value, block_id="kbot_feedback")
    payload["response_url"] = f"{hooks}/hooks/actions/T111/1/y"
    if message is not None:
        payload["message"] = message
        payload["container"].update(is_ephemeral=False, message_ts=message["ts"])
    return payload


async def test_share_in_channel_posts_the_answer_publicly(slack: SlackHarness) -> None:
    reply = await _ask(slack)
    share = [b for b in reply["blocks"] if b["type"] == "actions"][0]["elements"][0]
    status, _ = await slack.post_interaction(block_action("kbot_share", share["value"], slack.api.base_url))
    assert status == 200
    calls = await slack.api.wait_for("response_url", count=3)
    public, delete = calls[1].args, calls[2].args
    assert public["response_type"] == "in_channel" and "Leave policy" in blocks_text(public["blocks"])
    assert "<@W111> asked: how many days of leave do I get?" in json.dumps(public["blocks"])
    assert delete["delete_original"] is True
    # Answered again for the channel's audience: the private answer used the asker's own access.
    assert [q.text for q in slack.answerer.questions] == ["how many days of leave do I get?"] * 2


async def test_feedback_buttons_record_question_answer_citations_and_user(slack: SlackHarness) -> None:
    payload = fixture("app_mention.json")
    payload["event"]["text"] = f"<@{BOT_USER_ID}> how many days of leave do I get?"
    await slack.post_event(payload)
    (post,) = await slack.api.wait_for("chat.postMessage")
    up = [b for b in post.args["blocks"] if b["type"] == "actions"][0]["elements"][0]
    message = {
        "type": "message",
        "ts": "1700000001.000100",
        "bot_id": BOT_ID,
        "text": post.args["text"],
        "blocks": post.args["blocks"],
        "thread_ts": payload["event"]["ts"],
    }
    status, _ = await slack.post_interaction(
        block_action("kbot_feedback_up", up["value"], slack.api.base_url, message)
    )
    assert status == 200
    (thanks,) = await slack.api.wait_for("response_url")
    assert thanks.args["text"] == "Thanks for the feedback!"
    (feedback,) = slack.feedback.items
    assert (feedback.rating, feedback.user_id, feedback.platform) == ("up", "W111", "slack")
    assert feedback.question == "how many days of leave do I get?"
    assert feedback.answer.startswith("Answer to: how many days")
    assert [c["uri"] for c in feedback.citations] == [
        "https://wiki.example.com/leave",
        "https://wiki.example.com/hr?a=1&b=2",
    ]


async def test_thumbs_down_offers_an_expert_and_posts_the_question(slack: SlackHarness) -> None:
    reply = await _ask(slack, "what is the travel policy?")
    down = [b for b in reply["blocks"] if b["type"] == "actions"][0]["elements"][2]
    await slack.post_interaction(block_action("kbot_feedback_down", down["value"], slack.api.base_url))
    offer = (await slack.api.wait_for("response_url", count=2))[1].args
    button = offer["blocks"][1]["elements"][0]
    assert button["action_id"] == "kbot_ask_expert"
    assert slack.feedback.items[0].rating == "down"
    await slack.post_interaction(block_action("kbot_ask_expert", button["value"], slack.api.base_url))
    (expert_post,) = await slack.api.wait_for("chat.postMessage")
    assert expert_post.args["channel"] == "CEXPERTS"
    assert "what is the travel policy?" in expert_post.args["text"] and "<@W111>" in expert_post.args["text"]
    done = (await slack.api.wait_for("response_url", count=3))[2].args
    assert "<#CEXPERTS>" in done["text"]


async def test_feedback_after_restart_uses_button_and_message(slack: SlackHarness) -> None:
    value = json.dumps({"id": "gone", "q": "old question"})
    message = {"type": "message", "ts": "1.2", "text": "old answer", "blocks": []}
    await slack.post_interaction(block_action("kbot_feedback_down", value, slack.api.base_url, message))
    await slack.api.wait_for("response_url")
    (feedback,) = slack.feedback.items
    assert (feedback.question, feedback.answer, feedback.rating) == ("old question", "old answer", "down")


async def test_summarize_in_channel_uses_recent_messages(slack: SlackHarness) -> None:
    slack.api.histories["C111"] = list(reversed(THREAD))  # Slack returns newest first
    await slack.post_form(command("/summarize", "", slack.api.base_url))
    (reply,) = await slack.api.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral"
    assert reply.args["blocks"][0]["text"]["text"] == "Recent messages summary"
    text = blocks_text(reply.args["blocks"])
    assert "*TL;DR*" in text and "May 12" in text
    assert slack.api.of("conversations.history")[0].args["channel"] == "C111"


async def test_summarize_with_message_link_reads_that_thread(slack: SlackHarness) -> None:
    slack.api.threads[("C999", "1583636382.000300")] = THREAD
    link = "https://example.slack.com/archives/C999/p1583636390000100?thread_ts=1583636382.000300&cid=C999"
    await slack.post_form(command("/summarize", link, slack.api.base_url))
    (reply,) = await slack.api.wait_for("response_url")
    assert reply.args["blocks"][0]["text"]["text"] == "Thread summary"
    assert "May 12" in blocks_text(reply.args["blocks"])
    assert "https://example.slack.com/archives/C999/p" in json.dumps(reply.args["blocks"])  # item links
    names = {c.args["user"] for c in slack.api.of("users.info")}
    assert names == {"W111", "W222", "U111"}


async def test_summarize_forwarded_email_text(slack: SlackHarness) -> None:
    email = (
        "From: Priya Shah <priya@example.com>\nSubject: Q3 launch plan\n\n"
        "We decided to move the launch to October 14. Marco will update the release notes by Friday."
    )
    await slack.post_form(command("/summarize", email, slack.api.base_url))
    (reply,) = await slack.api.wait_for("response_url")
    assert reply.args["blocks"][0]["text"]["text"].startswith("Email summary")
    assert "October 14" in blocks_text(reply.args["blocks"])


async def test_summarize_where_the_bot_is_not_a_member(slack: SlackHarness) -> None:
    slack.api.errors["conversations.history"] = "not_in_channel"
    await slack.post_form(command("/summarize", "", slack.api.base_url))
    (reply,) = await slack.api.wait_for("response_url")
    assert reply.args["text"].startswith("I can't read that conversation. Invite me first")


async def test_message_shortcut_summarizes_the_thread(slack: SlackHarness) -> None:
    slack.api.threads[("C111", "1583636382.000300")] = THREAD
    payload = fixture("message_shortcut.json")
    payload["callback_id"] = "kbot_summarize_thread"
    payload["response_url"] = f"{slack.api.base_url}/hooks/app/T111/1/z"
    status, _ = await slack.post_interaction(payload)
    assert status == 200
    (reply,) = await slack.api.wait_for("response_url")
    assert reply.args["blocks"][0]["text"]["text"] == "Thread summary"
    assert slack.api.of("conversations.replies")[0].args["ts"] == "1583636382.000300"


async def test_summarize_invoked_in_a_thread_reads_that_thread(slack: SlackHarness) -> None:
    slack.api.threads[("C111", "1583636382.000300")] = THREAD
    fields = command("/summarize", "", slack.api.base_url) | {"thread_ts": "1583636382.000300"}
    await slack.post_form(fields)
    (reply,) = await slack.api.wait_for("response_url")
    assert reply.args["blocks"][0]["text"]["text"] == "Thread summary"
    assert not slack.api.of("conversations.history")
