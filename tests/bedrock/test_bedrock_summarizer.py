"""Bedrock Summarizer (ConverseStream): the same Summary structure as the embedded summarizer."""

from __future__ import annotations

import json

import pytest

from adapters.bedrock.factory import build_bedrock
from bot.errors import BackendError, InputError
from bot.models import Conversation, Message
from tests.bedrock.replies import converse_stream

THREAD = Conversation(
    "chat",
    [
        Message("Ana", "Should we move the launch to Tuesday?", link="https://slack/p1"),
        Message("kbot", "Here is a summary...", is_bot=True, link="https://slack/p2"),
        Message(
            "Ben",
            "Yes, let's go with Tuesday. Carla, can you update the release notes by Monday?",
            link="https://slack/p3",
        ),
        Message("Carla", "Will do. Do we need legal sign-off?", link="https://slack/p4"),
    ],
    title="Launch date",
)


async def test_summary_items_carry_links_and_authors(fake_bedrock, bedrock_settings):
    reply = {
        "tldr": "The team moved the launch to Tuesday.",
        "key_points": [{"text": "Launch date was discussed", "message": 1}],
        "decisions": [{"text": "Launch on Tuesday", "message": 2}],
        "action_items": [
            {"owner": "Carla", "task": "Update the release notes", "due": "Monday", "message": 2},
            {"owner": None, "task": "", "message": 9},
        ],
        "open_questions": [{"text": "Is legal sign-off needed?", "message": 3}],
    }
    text = "Here you go:\n" + json.dumps(reply)
    fake_bedrock.script("ConverseStream", converse_stream([text[:40], text[40:]], tokens=(400, 90)))
    summary = await build_bedrock(bedrock_settings).summarizer.summarize(THREAD)

    assert summary.to_json() == {
        "tldr": "The team moved the launch to Tuesday.",
        "key_points": [{"text": "Launch date was discussed", "link": "https://slack/p1", "author": "Ana"}],
        "decisions": [{"text": "Launch on Tuesday", "link": "https://slack/p3", "author": "Ben"}],
        "action_items": [
            {
                "owner": "Carla",
                "task": "Update the release notes",
                "due": "Monday",
                "link": "https://slack/p3",
            }
        ],
        "open_questions": [
            {"text": "Is legal sign-off needed?", "link": "https://slack/p4", "author": "Carla"}
        ],
    }
    assert [(u.input_tokens, u.output_tokens) for u in summary.usage] == [(400, 90)]
    request = fake_bedrock.calls("ConverseStream")[0]
    assert request["modelId"] == bedrock_settings.bedrock_model_id
    prompt = request["messages"][0]["content"][0]["text"]
    assert "Title: Launch date" in prompt and "[2] Ben: Yes, let's go with Tuesday." in prompt
    assert "kbot" not in prompt  # bot messages are not summarized


async def test_malformed_model_output_is_a_backend_error(fake_bedrock, bedrock_settings):
    fake_bedrock.script("ConverseStream", converse_stream(["I think they moved the launch."]))
    with pytest.raises(BackendError, match="expected JSON"):
        await build_bedrock(bedrock_settings).summarizer.summarize(THREAD)


async def test_only_bot_messages_is_a_clear_input_error(fake_bedrock, bedrock_settings):
    with pytest.raises(InputError, match="Nothing to summarize"):
        await build_bedrock(bedrock_settings).summarizer.summarize(
            Conversation("chat", [Message("kbot", "hi", is_bot=True), Message("Ana", "   ")])
        )
    assert fake_bedrock.calls("ConverseStream") == []
