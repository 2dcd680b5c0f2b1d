"""Close the loop on the Slack wire: ask -> 👎 -> "Ask an expert" -> the expert's thread reply ->
"Save as verified answer" -> the asker is told once -> others get it first, marked; audience,
rights and bad input honoured. Signed requests into ``kbot serve``, the fake Slack Web API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import HashEmbedder
from tests.slack.support import SlackHarness, fixture
from tests.slack.test_slack_commands import block_action, blocks_text, command

QUESTION = "How many vacation days do new employees get in their first year?"
PARAPHRASE = "how many vacation days does a new employee get during the first year"
EXPERT_REPLY = "New hires get *25 vacation days* in year one, see <https://hr.example.com/leave|the leave page>."
POST_TS = "1700000500.000100"  # the experts-channel post the buttons sit on


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[SlackHarness]:
    groups = tmp_path / "groups.json"
    groups.write_text(json.dumps({"U111": ["hr"], "W333": ["engineering"], "W111": ["hr"]}))
    settings = {"kbot_db": tmp_path / "kbot.db", "kbot_user_groups_file": groups}
    async with SlackHarness(experts_channel="CEXPERTS", settings=settings, embedder=HashEmbedder()) as harness:
        harness.api.members["CEXPERTS"] = ["W999", "W998", "W222"]  # Dana is on the second page
        harness.api.users["W333"] = "Eve"
        yield harness


async def ask(slack: SlackHarness, text: str, user: str) -> dict[str, Any]:
    before = len(slack.api.of("response_url"))
    fields = command("/ask", text, slack.api.base_url) | {"user_id": user}
    status, _ = await slack.post_form(fields)
    assert status == 200
    return (await slack.api.wait_for("response_url", count=before + 1))[before].args


def as_user(payload: dict[str, Any], user: str, channel: str | None = None) -> dict[str, Any]:
    payload["user"]["id"] = user
    if channel:
        payload["channel"]["id"] = channel
        payload["container"]["channel_id"] = channel
    return payload


async def forward_to_experts(slack: SlackHarness) -> dict[str, Any]:
    """W111 asks, presses 👎 then "Ask an expert"; returns the experts-channel post."""
    reply = await ask(slack, QUESTION, "W111")
    assert "Verified" not in blocks_text(reply["blocks"])
    down = [b for b in reply["blocks"] if b["type"] == "actions"][0]["elements"][2]
    await slack.post_interaction(block_action("kbot_feedback_down", down["value"], slack.api.base_url))
    offer = (await slack.api.wait_for("response_url", count=2))[1].args
    expert = offer["blocks"][1]["elements"][0]
    await slack.post_interaction(block_action("kbot_ask_expert", expert["value"], slack.api.base_url))
    (post,) = await slack.api.wait_for("chat.postMessage")
    assert post.args["channel"] == "CEXPERTS"
    return post.args


def save_click(
    post: dict[str, Any], user: str, action: str = "kbot_verified_save", hooks: str = "", trigger: str = ""
) -> dict[str, Any]:
    """``trigger``: a fresh ``trigger_id`` from the fake API (the fixture's one is unknown to it, so stale)."""
    button = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action][0]
    message = {"type": "message", "ts": POST_TS, "text": post["text"], "blocks": post["blocks"], "bot_id": "BBOT"}
    payload = block_action(action, button["value"], hooks, message)
    payload["actions"][0]["block_id"] = "kbot_verified"
    if trigger:
        payload["trigger_id"] = trigger
    return as_user(payload, user, "CEXPERTS")


def expert_replied(slack: SlackHarness, text: str, user: str = "W222") -> None:
    slack.api.threads[("CEXPERTS", POST_TS)] = [
        {"type": "message", "ts": POST_TS, "bot_id": "BBOT", "text": "Question from <@W111>"},
        {"type": "message", "ts": "1700000600.000100", "user": user, "text": text, "thread_ts": POST_TS},
    ]


def posts_to(slack: SlackHarness, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in slack.api.of("chat.postMessage") if c.args.get("channel") == channel]


async def test_expert_reply_becomes_the_verified_answer_others_get_first(slack: SlackHarness) -> None:
    post = await forward_to_experts(slack)
    assert "Save as verified answer" in json.dumps(post["blocks"])
    expert_replied(slack, EXPERT_REPLY)
    status, _ = await slack.post_interaction(save_click(post, "W222", hooks=slack.api.base_url))
    assert status == 200
    await slack.settle()
    (told,) = posts_to(slack, "W111")  # the asker: /ask answers are private, so in a direct message
    assert posts_to(slack, "C111") == []
    assert told["text"].startswith("<@W111> An expert answered your question:")
    assert "25 vacation days" in told["text"] and "Verified by @Dana on" in told["text"]
    (confirm,) = [p for p in posts_to(slack, "CEXPERTS") if p.get("thread_ts") == POST_TS]
    assert "Saved as a verified answer by <@W222>" in confirm["text"]

    other = await ask(slack, PARAPHRASE, "U111")
    shown = blocks_text(other["blocks"])
    assert shown.index("Verified by @Dana on") < shown.index("Answer to:"), shown
    assert "25 vacation days" in shown and "the leave page (https://hr.example.com/leave)" in shown
    links = json.dumps(other["blocks"])
    assert "Verified answer: " + QUESTION in links and "archives/CEXPERTS" in links  # its own citation

    await slack.post_interaction(save_click(post, "W222", hooks=slack.api.base_url))  # saved again
    await slack.settle()
    assert len(posts_to(slack, "W111")) == 1  # told once
    audit = await slack.app.config.list_audit(5)
    assert [(e.actor, e.action, e.outcome) for e in audit][:2] == [
        ("slack:W222", "answers.save", "ok"),
        ("slack:W222", "answers.save", "ok"),
    ]


async def test_audience_set_in_the_edit_form_hides_it_from_others(slack: SlackHarness) -> None:
    post = await forward_to_experts(slack)
    expert_replied(slack, EXPERT_REPLY)
    edit = save_click(post, "W222", "kbot_verified_edit", slack.api.base_url, slack.api.new_trigger_id())
    await slack.post_interaction(edit)
    (opened,) = await slack.api.wait_for("views.open")
    assert not slack.api.refused
    view = opened.args["view"]
    if isinstance(view, str):
        view = json.loads(view)
    assert view["blocks"][1]["element"]["initial_value"].startswith("New hires get *25 vacation days*")
    submission = fixture("view_submission.json")
    submission["user"]["id"] = "W222"
    submission["view"].update(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        state={
            "values": {
                "question": {"value": {"type": "plain_text_input", "value": QUESTION}},
                "answer": {"value": {"type": "plain_text_input", "value": "New hires get 25 days (HR only)."}},
                "audience": {"value": {"type": "plain_text_input", "value": "hr"}},
                "review_by": {"value": {"type": "plain_text_input", "value": "2099-01-31"}},
            }
        },
    )
    status, body = await slack.post_interaction(submission)
    assert status == 200 and "errors" not in body
    await slack.settle()
    assert "Verified by @Dana" in blocks_text((await ask(slack, PARAPHRASE, "U111"))["blocks"])
    outside = blocks_text((await ask(slack, PARAPHRASE, "W333"))["blocks"])
    assert "Verified" not in outside and "HR only" not in outside


async def test_non_expert_cannot_save_and_bad_input_changes_nothing(slack: SlackHarness) -> None:
    post = await forward_to_experts(slack)
    expert_replied(slack, EXPERT_REPLY)
    await slack.post_interaction(save_click(post, "W333", hooks=slack.api.base_url))
    await slack.settle()
    denied = slack.api.of("response_url")[-1].args
    assert "Only members of the experts channel or kbot admins" in denied["text"]
    assert (await slack.app.config.list_audit(1))[0].outcome == "denied"

    for bad, says in (("<!channel> read this now", "markup"), ("x" * 50_000, "too long")):
        expert_replied(slack, bad)
        await slack.post_interaction(save_click(post, "W222", hooks=slack.api.base_url))
        await slack.settle()
        assert says in slack.api.of("response_url")[-1].args["text"]
    assert await slack.app.verified_repo.list_verified() == []
    assert posts_to(slack, "W111") == []  # nobody told of an answer that wasn't saved
    assert "Verified" not in blocks_text((await ask(slack, PARAPHRASE, "U111"))["blocks"])


async def test_a_question_asked_in_a_channel_thread_is_answered_in_that_thread(slack: SlackHarness) -> None:
    mention = fixture("app_mention.json")
    mention["event"].update(text=f"<@UBOT> {QUESTION}", user="W111")
    await slack.post_event(mention)
    (answer,) = await slack.api.wait_for("chat.postMessage")
    thread = mention["event"]["ts"]
    assert answer.args["thread_ts"] == thread
    down = [b for b in answer.args["blocks"] if b["type"] == "actions"][0]["elements"][1]
    message = {
        "type": "message",
        "ts": "1714471201.000100",
        "bot_id": "BBOT",
        "text": answer.args["text"],
        "blocks": answer.args["blocks"],
        "thread_ts": thread,
    }
    await slack.post_interaction(block_action("kbot_feedback_down", down["value"], slack.api.base_url, message))
    offer = (await slack.api.wait_for("response_url"))[0].args
    expert = offer["blocks"][1]["elements"][0]
    await slack.post_interaction(block_action("kbot_ask_expert", expert["value"], slack.api.base_url, message))
    post = (await slack.api.wait_for("chat.postMessage", count=2))[1].args
    expert_replied(slack, EXPERT_REPLY)
    await slack.post_interaction(save_click(post, "W222", hooks=slack.api.base_url))
    await slack.settle()
    told = [p for p in posts_to(slack, "C111") if "An expert answered" in p["text"]]
    assert [p["thread_ts"] for p in told] == [thread]


async def test_edit_form_refuses_non_experts_and_bad_input_in_the_form(slack: SlackHarness) -> None:
    post = await forward_to_experts(slack)
    expert_replied(slack, EXPERT_REPLY)
    edit = save_click(post, "W222", "kbot_verified_edit", slack.api.base_url, slack.api.new_trigger_id())
    await slack.post_interaction(edit)
    (opened,) = await slack.api.wait_for("views.open")
    assert not slack.api.refused
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view

    async def submit(user: str, answer: str) -> dict[str, Any]:
        submission = fixture("view_submission.json")
        submission["user"]["id"] = user
        values = {"question": QUESTION, "answer": answer, "audience": "", "review_by": ""}
        submission["view"].update(
            callback_id=view["callback_id"],
            private_metadata=view["private_metadata"],
            state={"values": {k: {"value": {"type": "plain_text_input", "value": v}} for k, v in values.items()}},
        )
        status, body = await slack.post_interaction(submission)
        assert status == 200
        return json.loads(body)

    refused = await submit("W333", "Eve's answer.")
    assert refused["response_action"] == "errors"
    assert refused["errors"]["answer"].startswith("Only members of the experts channel")
    assert (await slack.app.config.list_audit(1))[0].outcome == "denied"
    too_long = await submit("W222", "y" * 50_000)
    assert "too long" in too_long["errors"]["answer"]
    assert await slack.app.verified_repo.list_verified() == []


async def test_modal_input_is_stored_as_typed_and_escaped_once_when_shown(slack: SlackHarness) -> None:
    """``plain_text_input`` values arrive as typed: Slack's entity escaping is documented for message
    text and text objects (https://docs.slack.dev/messaging/formatting-message-text#escaping), while the
    view state carries the raw ``value`` string
    (https://api.slack.com/changelog/2020-09-full-state-on-view-submisson-and-block-actions,
    https://api.slack.com/reference/surfaces/views). So modal values are not decoded (``decode_slack_text``
    would turn a typed ``&amp;`` into ``&``), and rendering escapes them exactly once."""
    typed = "R&D uses <Step-7> for Q&A; type &amp; to get an ampersand."
    post = await forward_to_experts(slack)
    expert_replied(slack, EXPERT_REPLY)
    edit = save_click(post, "W222", "kbot_verified_edit", slack.api.base_url, slack.api.new_trigger_id())
    await slack.post_interaction(edit)
    (opened,) = await slack.api.wait_for("views.open")
    assert not slack.api.refused
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    submission = fixture("view_submission.json")
    submission["user"]["id"] = "W222"
    values = {"question": QUESTION, "answer": typed, "audience": "", "review_by": ""}
    submission["view"].update(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        state={"values": {k: {"value": {"type": "plain_text_input", "value": v}} for k, v in values.items()}},
    )
    status, body = await slack.post_interaction(submission)
    assert status == 200 and "errors" not in body
    await slack.settle()
    (saved,) = await slack.app.verified_repo.list_verified()
    assert saved.answer == typed
    shown = json.dumps((await ask(slack, PARAPHRASE, "U111"))["blocks"])
    assert "R&amp;D uses &lt;Step-7&gt; for Q&amp;A; type &amp;amp; to get" in shown, shown


def test_add_source_modal_values_are_read_as_typed() -> None:
    from adapters.slack.admin_views import modal_values

    url = "https://contoso.sharepoint.com/sites/R&D?a=1&amp;b=<2>"
    view = {"state": {"values": {"location": {"value": {"type": "plain_text_input", "value": url}}}}}
    assert modal_values(view) == {"location": url}


async def test_edit_click_whose_trigger_slack_refuses_tells_the_expert(slack: SlackHarness) -> None:
    """A ``trigger_id`` expires 3 s after the click and works once (https://api.slack.com/docs/triggers);
    when ``views.open`` is refused the expert is told to click again, not left with nothing."""
    post = await forward_to_experts(slack)
    expert_replied(slack, EXPERT_REPLY)
    await slack.post_interaction(save_click(post, "W222", "kbot_verified_edit", slack.api.base_url))
    await slack.api.wait_for("views.open")
    await slack.settle()
    assert slack.api.refused == [("views.open", "invalid_trigger_id")]
    notes = [c.args for c in slack.api.of("response_url") if "Edit" in str(c.args.get("text"))]
    assert notes and notes[-1]["response_type"] == "ephemeral" and notes[-1]["replace_original"] is False
