"""Slack admin surfaces through the real bolt app: HMAC-signed requests in, fake Slack Web API out."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from adapters.config_store.sqlite_config import SqliteConfigRepository
from bot.admin.service import AdminService
from bot.admin.sync import QueuedSync
from bot.models import Source, SourceStatus
from ingest.registry import SOURCE_KINDS
from tests.slack.support import SlackHarness, fixture, signed_headers

ADMIN_ID, USER_ID = "UADMIN", "W111"


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[SlackHarness]:
    repo = SqliteConfigRepository(tmp_path / "kbot.db")
    await repo.save_source(Source("handbook", "folder", {"path": "/srv/handbook"}))
    await repo.save_status(SourceStatus("handbook", documents=42, failures=1))
    service = AdminService(repo, bootstrap_admins={ADMIN_ID}, kinds=SOURCE_KINDS, sync=QueuedSync(repo))
    async with SlackHarness(config=repo, admin=service) as slack:
        yield slack
    await repo.close()


def admin_command(text: str, user: str, hooks: str, trigger_id: str = "111.111.xxx") -> dict[str, str]:
    fields = dict(parse_qsl(fixture("slash_command_form.json")["raw_body"]))
    fields.update(command="/kbot-admin", text=text, user_id=user, response_url=f"{hooks}/hooks/commands/T111/1/a")
    fields["trigger_id"] = trigger_id
    return fields


def texts(blocks: list[dict]) -> str:
    return json.dumps(blocks)


async def response(slack: SlackHarness) -> dict:
    [call] = await slack.api.wait_for("response_url")
    return call.args


async def test_non_admin_is_refused_and_audited(harness: SlackHarness) -> None:
    status, _ = await harness.post_form(admin_command("remove handbook", USER_ID, harness.api.base_url))
    assert status == 200
    reply = await response(harness)
    assert reply["text"] == "Sorry, only kbot admins can do that." and reply["response_type"] == "ephemeral"
    assert [s.name for s in await harness.app.config.list_sources()] == ["handbook"]
    [entry] = await harness.app.config.list_audit()
    assert (entry.actor, entry.action, entry.outcome) == ("slack:W111", "sources.remove", "denied")


async def test_admin_lists_status_with_sync_buttons(harness: SlackHarness) -> None:
    await harness.post_form(admin_command("status", ADMIN_ID, harness.api.base_url))
    reply = await response(harness)
    [block] = reply["blocks"]
    assert "*handbook* (folder)" in block["text"]["text"] and "Documents: 42" in block["text"]["text"]
    assert block["accessory"]["action_id"] == "kbot_admin_sync" and block["accessory"]["value"] == "handbook"


async def test_add_opens_the_modal_and_submission_validates(harness: SlackHarness) -> None:
    trigger = harness.api.new_trigger_id()
    await harness.post_form(admin_command("add", ADMIN_ID, harness.api.base_url, trigger))
    [opened] = await harness.api.wait_for("views.open")
    view = json.loads(opened.args["view"]) if isinstance(opened.args["view"], str) else opened.args["view"]
    assert view["callback_id"] == "kbot_admin_add_source" and opened.args["trigger_id"] == trigger
    assert not harness.api.refused

    payload = fixture("view_submission.json")
    payload["user"]["id"] = ADMIN_ID
    payload["view"]["callback_id"] = "kbot_admin_add_source"
    values: dict[str, Any] = {
        "kind": {"value": {"type": "static_select", "selected_option": {"value": "confluence"}}},
        "name": {"value": {"type": "plain_text_input", "value": "hr-wiki"}},
        "settings": {
            "value": {
                "type": "plain_text_input",
                "value": 'base_url=https://acme.atlassian.net/wiki\nspaces=["HR"]\n'
                "email=bot@acme.com\ntoken_ref=ATATT3xFfGF0T4nXgq1Y2hJk",
            }
        },
        "audience": {"value": {"type": "plain_text_input", "value": "hr"}},
        "schedule": {"value": {"type": "plain_text_input", "value": None}},
    }
    payload["view"]["state"]["values"] = values
    status, body = await harness.post_interaction(payload)
    assert status == 200
    errors = json.loads(body)
    assert errors["response_action"] == "errors" and "secret reference" in errors["errors"]["settings"]
    assert "ATATT" not in body
    assert [s.name for s in await harness.app.config.list_sources()] == ["handbook"]

    values["settings"]["value"]["value"] = values["settings"]["value"]["value"].replace(
        "ATATT3xFfGF0T4nXgq1Y2hJk", "env:CONFLUENCE_TOKEN"
    )
    status, body = await harness.post_interaction(payload)
    assert status == 200 and body == ""
    saved = await harness.app.config.get_source("hr-wiki")
    assert saved.settings["token_ref"] == "env:CONFLUENCE_TOKEN" and saved.audience == ["hr"]
    [published] = await harness.api.wait_for("views.publish")
    assert published.args["user_id"] == ADMIN_ID


async def test_forged_submission_by_non_admin_changes_nothing(harness: SlackHarness) -> None:
    payload = fixture("view_submission.json")
    payload["view"]["callback_id"] = "kbot_admin_add_source"
    payload["view"]["state"]["values"] = {
        "kind": {"value": {"type": "static_select", "selected_option": {"value": "folder"}}},
        "name": {"value": {"type": "plain_text_input", "value": "evil"}},
        "settings": {"value": {"type": "plain_text_input", "value": "path=/etc"}},
    }
    status, body = await harness.post_interaction(payload)
    assert status == 200 and "only kbot admins" in body
    assert [s.name for s in await harness.app.config.list_sources()] == ["handbook"]
    assert (await harness.app.config.list_audit())[0].outcome == "denied"


def sync_click(user: str, hooks: str) -> dict:
    payload = fixture("block_actions.json")
    payload["user"]["id"] = user
    payload["container"] = {"type": "view", "view_id": "V1"}
    payload["view"] = {"id": "V1", "type": "home", "callback_id": ""}
    payload["response_url"] = f"{hooks}/hooks/actions/T111/1/y"
    payload["actions"][0].update(action_id="kbot_admin_sync", value="handbook")
    return payload


async def test_sync_now_from_app_home_queues_a_sync_and_refreshes(harness: SlackHarness) -> None:
    status, _ = await harness.post_interaction(sync_click(ADMIN_ID, harness.api.base_url))
    assert status == 200
    [published] = await harness.api.wait_for("views.publish")
    assert "sync queued" in texts(published.args["view"]["blocks"])
    [note] = await harness.api.wait_for("chat.postMessage")
    assert note.args["channel"] == ADMIN_ID and "queued" in note.args["text"]
    [request] = await harness.app.config.pending_sync_requests()
    assert (request.source, request.requested_by) == ("handbook", "slack:UADMIN")


async def test_sync_click_by_non_admin_is_denied(harness: SlackHarness) -> None:
    await harness.post_interaction(sync_click(USER_ID, harness.api.base_url))
    [note] = await harness.api.wait_for("chat.postMessage")
    assert note.args["text"] == "Sorry, only kbot admins can do that."
    assert await harness.app.config.pending_sync_requests() == []
    [published] = await harness.api.wait_for("views.publish")
    assert "Sync now" not in texts(published.args["view"]["blocks"])


def home_opened(user: str) -> dict:
    payload = fixture("app_mention.json")
    payload["event"] = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0LAN2Q65",
        "tab": "home",
        "event_ts": "1515449522000016",
    }
    payload["event_id"] = f"EvHome{user}"
    return payload


async def test_app_home_shows_health_to_admins_and_help_to_others(harness: SlackHarness) -> None:
    await harness.post_event(home_opened(ADMIN_ID))
    [admin_view] = await harness.api.wait_for("views.publish")
    assert admin_view.args["user_id"] == ADMIN_ID
    assert "Sync now" in texts(admin_view.args["view"]["blocks"]) and "Documents: 42" in texts(
        admin_view.args["view"]["blocks"]
    )
    await harness.post_event(home_opened(USER_ID))
    calls = await harness.api.wait_for("views.publish", 2)
    user_view = calls[1].args["view"]
    assert "Only kbot admins can configure sources" in texts(user_view["blocks"])
    assert "Sync now" not in texts(user_view["blocks"]) and "handbook" not in texts(user_view["blocks"])


async def test_unsigned_admin_request_is_rejected(harness: SlackHarness) -> None:
    from urllib.parse import urlencode

    body = urlencode(admin_command("remove handbook", ADMIN_ID, harness.api.base_url))
    headers = signed_headers(body, secret="wrong-secret", content_type="application/x-www-form-urlencoded")
    status, _ = await harness.post_raw(body, headers)
    assert status == 401
    assert [s.name for s in await harness.app.config.list_sources()] == ["handbook"]
    assert await harness.app.config.list_audit() == []


@pytest.fixture
async def channel_harness(tmp_path: Path) -> AsyncIterator[SlackHarness]:
    from bot.admin.groups import FileGroupResolver

    mapping = tmp_path / "groups.json"
    mapping.write_text(json.dumps({"W222": ["hr", "eng"], "W111": ["eng"]}))
    repo = SqliteConfigRepository(tmp_path / "config.db")
    await repo.save_source(Source("handbook", "folder", {"path": "/srv/handbook"}))
    await repo.save_source(Source("old", "folder", {"path": "/srv/old"}, enabled=False))
    async with SlackHarness(config=repo, groups=FileGroupResolver(mapping)) as slack:
        original = slack.api._result

        def with_members(method: str, args: dict) -> dict:
            if method == "conversations.members":
                return {"members": ["W222", "W111", "UBOT"], "response_metadata": {"next_cursor": ""}}
            return original(method, args)

        slack.api._result = with_members  # type: ignore[method-assign]
        yield slack
    await repo.close()


def mention(text: str, event_id: str) -> dict:
    payload = fixture("app_mention.json")
    payload["event"].update(text=f"<@UBOT> {text}", user="W222", channel="C111")
    payload["event_id"] = event_id
    return payload


async def test_channel_answer_uses_groups_every_member_has(channel_harness: SlackHarness) -> None:
    await channel_harness.post_event(mention("what is the leave policy?", "EvCh1"))
    await channel_harness.settle()
    [question] = channel_harness.answerer.questions
    assert question.asker.user_id == "W222" and question.asker.groups == ["eng"]
    assert question.sources == ["handbook"]  # the disabled source is never searched


async def test_ephemeral_channel_answers_only_the_asker(channel_harness: SlackHarness) -> None:
    from bot.admin.models import ChannelSettings

    await channel_harness.app.config.save_channel(ChannelSettings("slack", "C111", visibility="ephemeral"))
    await channel_harness.post_event(mention("what is the leave policy?", "EvCh2"))
    await channel_harness.settle()
    [question] = channel_harness.answerer.questions
    assert question.asker.groups == ["eng", "hr"]
    [private] = await channel_harness.api.wait_for("chat.postEphemeral")
    assert private.args["user"] == "W222" and private.args["channel"] == "C111"
    assert "Answer to: what is the leave policy?" in texts(private.args["blocks"])
    assert not [c for c in channel_harness.api.of("chat.postMessage") if "Answer to" in json.dumps(c.args)]


def add_submission(name: str, user: str = ADMIN_ID) -> dict[str, Any]:
    payload = fixture("view_submission.json")
    payload["user"]["id"] = user
    payload["view"]["callback_id"] = "kbot_admin_add_source"
    payload["view"]["state"]["values"] = {
        "kind": {"value": {"type": "static_select", "selected_option": {"value": "folder"}}},
        "name": {"value": {"type": "plain_text_input", "value": name}},
        "settings": {"value": {"type": "plain_text_input", "value": "path=/srv/policies"}},
    }
    return payload


async def test_add_spends_the_trigger_before_slow_lookups(harness: SlackHarness) -> None:
    """Issue 16 item 8: users.info and the admin check take longer than the trigger's 3 s life."""
    harness.api.delays["users.info"] = 3.2
    await harness.post_form(admin_command("add", ADMIN_ID, harness.api.base_url, harness.api.new_trigger_id()))
    [opened] = await harness.api.wait_for("views.open")
    await harness.settle()
    assert not harness.api.refused, harness.api.refused
    assert not harness.api.of("views.update")  # an admin keeps the form


async def test_add_form_is_replaced_by_a_refusal_for_non_admins(harness: SlackHarness) -> None:
    await harness.post_form(admin_command("add", USER_ID, harness.api.base_url, harness.api.new_trigger_id()))
    [update] = await harness.api.wait_for("views.update")
    assert update.args["view_id"] == "V123" and "only kbot admins" in json.dumps(update.args["view"])


async def test_modal_submission_is_acked_within_three_seconds(harness: SlackHarness) -> None:
    """Issue 16 item 8: a slow users.info must not hold the view_submission ack past Slack's 3 s."""
    harness.api.delays["users.info"] = 3.2
    started = time.monotonic()
    status, body = await harness.post_interaction(add_submission("policies"))
    assert status == 200 and time.monotonic() - started < 3.0
    [dm] = await harness.api.wait_for("chat.postMessage", within=8)
    assert "Source policies (folder) added." in dm.args["text"]
    assert (await harness.app.config.get_source("policies")) is not None
