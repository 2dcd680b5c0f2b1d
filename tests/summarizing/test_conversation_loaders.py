"""Slack / Teams / transcript / pasted-email inputs -> Conversation."""

from __future__ import annotations

import json

import pytest

from bot.errors import InputError
from bot.summarizing.chat_loaders import from_slack, from_teams, slack_text
from bot.summarizing.loaders import from_json, from_transcript, load_text
from tests.payloads import load as load_payload


def test_slack_thread_with_directory_bots_files_and_permalinks(data_dir) -> None:  # type: ignore[no-untyped-def]
    payload = json.loads((data_dir / "slack_thread.json").read_text())
    users = json.loads((data_dir / "users.json").read_text())
    conv = from_slack(payload, users, "https://acme.slack.com/archives/C0OPS")
    assert conv.kind == "chat" and len(conv.messages) == 9
    first, bot, files = conv.messages[0], conv.messages[2], conv.messages[3]
    assert first.author == "Dana" and "@Raj do we know why?" in first.text and first.text.startswith("@here")
    assert first.link == "https://acme.slack.com/archives/C0OPS/p1715600000000100"
    assert (conv.messages[1].link or "").endswith("p1715600060000200?thread_ts=1715600000.000100")
    assert bot.is_bot and bot.author == "disk-alert"
    assert files.text == "[file: Disk usage graph]"


def test_slack_edits_and_deletes_replace_by_ts() -> None:
    raw = [
        {"user": "U1", "text": "first draft", "ts": "1.000001"},
        {"user": "U2", "text": "to be deleted", "ts": "2.000001"},
        {
            "subtype": "message_changed",
            "ts": "3.0",
            "message": {"user": "U1", "text": "final wording", "edited": {}},
            "previous_message": {"user": "U1", "text": "first draft", "ts": "1.000001"},
        },
        {"subtype": "message_deleted", "deleted_ts": "2.000001", "ts": "4.0"},
        {"subtype": "channel_join", "user": "U3", "text": "<@U3> has joined", "ts": "5.0"},
    ]
    conv = from_slack({"messages": raw})
    assert [(m.author, m.text) for m in conv.messages] == [("U1", "final wording")]


def test_slack_mrkdwn_rendering() -> None:
    text = "<@U1|dana> see <https://x.io/doc|the doc> in <#C1|ops> &amp; <!channel> &lt;3"
    assert slack_text(text, {}) == "@dana see the doc in #ops & @channel <3"
    assert slack_text("<@U1>", {"U1": "Dana"}) == "@Dana"


def test_slack_event_payloads() -> None:
    names = ("message_channel_thread_reply.json", "message_changed.json")
    events = [load_payload("slack", name)["event"] for name in names]
    conv = from_slack(events)
    assert conv.messages and all(m.text for m in conv.messages)
    assert any(m.text == events[1]["message"]["text"] for m in conv.messages)  # the edited text, not the original
    assert not any(m.text == events[1]["previous_message"]["text"] for m in conv.messages)


def test_teams_activities_links_mentions_and_bots(data_dir) -> None:  # type: ignore[no-untyped-def]
    conv = from_json(json.loads((data_dir / "teams_thread.json").read_text()))
    assert [m.author for m in conv.messages] == ["Lena Fischer", "Omar Haddad", "kbot", "Lena Fischer"]
    assert conv.messages[2].is_bot
    assert "@Omar Haddad can you order" in conv.messages[3].text and "<p>" not in conv.messages[3].text
    link = conv.messages[1].link or ""
    assert link.startswith("https://teams.microsoft.com/l/message/19%3Aabc%40thread.tacv2/1715600000002?")
    assert "parentMessageId=1715600000001" in link and "tenantId=tenant-1" in link


def test_teams_channel_activity_payload() -> None:
    activity = load_payload("teams", "message_channel_thread_reply_mention.json")
    conv = from_teams([activity])
    assert conv.messages[0].text == "@kbotdev where is the expense policy?"
    assert "parentMessageId=1714480100201" in (conv.messages[0].link or "")


def test_graph_chat_messages() -> None:
    conv = from_teams(
        {
            "value": [
                {
                    "messageType": "message",
                    "webUrl": "https://teams.microsoft.com/l/message/x/1",
                    "from": {"user": {"displayName": "Ana"}, "application": None},
                    "body": {"contentType": "html", "content": "<div>Ship it <b>today</b></div>"},
                    "createdDateTime": "2024-05-01T10:00:00Z",
                },
                {
                    "messageType": "message",
                    "from": {"user": None, "application": {"displayName": "Bot"}},
                    "body": {"content": "beep"},
                },
                {"messageType": "systemEventMessage", "from": None, "body": {"content": ""}},
            ]
        }
    )
    assert [(m.author, m.text, m.is_bot) for m in conv.messages] == [
        ("Ana", "Ship it today", False),
        ("Bot", "beep", True),
    ]
    assert conv.messages[0].link == "https://teams.microsoft.com/l/message/x/1"


def test_transcript_formats() -> None:
    conv = from_transcript("#Person1#: Hello there.\n#Person2#: Hi!\nstill person two\n[10:31] Ann Lee: later")
    assert [(m.author, m.text) for m in conv.messages] == [
        ("Person1", "Hello there."),
        ("Person2", "Hi!\nstill person two"),
        ("Ann Lee", "later"),
    ]


def test_load_text_detects_formats(data_dir) -> None:  # type: ignore[no-untyped-def]
    assert load_text((data_dir / "vendor_thread.txt").read_text()).kind == "chat"
    assert load_text((data_dir / "forwarded.txt").read_text()).kind == "email"
    assert load_text((data_dir / "slack_thread.json").read_text()).messages[0].author == "U01DANA"
    body = load_text("Please review the attached budget.\nIt is due Monday.")
    assert body.kind == "email" and len(body.messages) == 1


@pytest.mark.parametrize("text", ["", "   \n  ", '{"messages": 3}', "[1, 2]"])
def test_load_text_rejects_unusable_input(text: str) -> None:
    with pytest.raises(InputError):
        load_text(text)
