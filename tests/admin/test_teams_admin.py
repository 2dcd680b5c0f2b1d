"""Teams admin commands and card actions on real Bot Framework activity shapes (tests/payloads/teams)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from adapters.config_store.sqlite_config import SqliteConfigRepository
from adapters.teams.admin import handle_admin_card_action, handle_admin_command, teams_access
from adapters.wiring import App, AppOverrides
from bot.admin.groups import FileGroupResolver
from bot.admin.models import ChannelSettings, Member
from bot.admin.service import AdminService
from bot.admin.sync import QueuedSync
from bot.models import Source, SourceStatus
from bot.settings import load_settings
from ingest.registry import SOURCE_KINDS
from tests.payloads import load as load_payload


def fixture(name: str) -> dict[str, Any]:
    return load_payload("teams", name)


ADMIN_AAD = fixture("message_personal.json")["from"]["aadObjectId"]  # Ada Okafor
USER_AAD = fixture("invoke_adaptive_card_action_execute.json")["from"]["aadObjectId"]  # Lena Schmidt


@pytest.fixture
async def app(tmp_path: Path):
    repo = SqliteConfigRepository(tmp_path / "kbot.db")
    await repo.save_source(Source("handbook", "folder", {"path": "/srv/handbook"}))
    await repo.save_status(SourceStatus("handbook", documents=42))
    service = AdminService(repo, bootstrap_admins={ADMIN_AAD}, kinds=SOURCE_KINDS, sync=QueuedSync(repo))
    mapping = tmp_path / "groups.json"
    mapping.write_text(json.dumps({ADMIN_AAD: ["hr", "eng"], USER_AAD: ["eng"]}))
    yield App(load_settings(), AppOverrides(config=repo, admin=service, groups=FileGroupResolver(mapping)))
    await repo.close()


def message(text: str, *, admin: bool = True) -> dict[str, Any]:
    activity = copy.deepcopy(fixture("message_personal.json"))
    activity["text"] = text
    if not admin:
        activity["from"]["aadObjectId"] = USER_AAD
    return activity


async def command(app: App, activity: dict[str, Any]) -> dict[str, Any]:
    reply = await handle_admin_command(app, activity)
    assert reply is not None
    return reply


async def card_action(app: App, activity: dict[str, Any]) -> dict[str, Any]:
    reply = await handle_admin_card_action(app, activity)
    assert reply is not None
    return reply


def card_content(reply: dict[str, Any]) -> dict[str, Any]:
    [attachment] = reply["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


async def test_status_card_has_health_and_sync_buttons(app: App) -> None:
    reply = await command(app, message("admin status"))
    body = json.dumps(card_content(reply))
    assert "**handbook** (folder)" in body and '"value": "42"' in body
    assert '"verb": "kbot_admin_sync"' in body and '"source": "handbook"' in body


async def test_non_admin_command_is_refused_and_audited(app: App) -> None:
    reply = await command(app, message("admin remove handbook", admin=False))
    assert reply == {
        "type": "message",
        "text": "Sorry, only kbot admins can do that.",
        "textFormat": "markdown",
    }
    assert [s.name for s in await app.config.list_sources()] == ["handbook"]
    [entry] = await app.config.list_audit()
    assert (entry.actor, entry.outcome) == (f"teams:{USER_AAD}", "denied")


async def test_ordinary_questions_are_not_admin_commands(app: App) -> None:
    assert await handle_admin_command(app, message("admin rights for my laptop?")) is None
    assert await handle_admin_command(app, message("what is the leave policy?")) is None


async def test_admin_commands_outside_personal_chat_are_redirected(app: App) -> None:
    activity = message("admin status")
    activity["conversation"]["conversationType"] = "channel"
    reply = await command(app, activity)
    assert "1:1 chat" in reply["text"]


def execute(verb: str, data: dict[str, Any], *, admin: bool = False) -> dict[str, Any]:
    activity = copy.deepcopy(fixture("invoke_adaptive_card_action_execute.json"))
    activity["value"]["action"].update(verb=verb, data=data)
    if admin:
        activity["from"]["aadObjectId"] = ADMIN_AAD
    return activity


async def test_sync_now_button_queues_and_refreshes_the_card(app: App) -> None:
    response = await card_action(app, execute("kbot_admin_sync", {"source": "handbook"}, admin=True))
    assert response["statusCode"] == 200 and response["type"] == "application/vnd.microsoft.card.adaptive"
    assert "queued" in json.dumps(response["value"]) and "sync queued" in json.dumps(response["value"])
    [request] = await app.config.pending_sync_requests()
    assert request.requested_by == f"teams:{ADMIN_AAD}"


async def test_sync_button_by_non_admin_is_denied(app: App) -> None:
    response = await card_action(app, execute("kbot_admin_sync", {"source": "handbook"}))
    assert "only kbot admins" in json.dumps(response["value"])
    assert "handbook" not in json.dumps(response["value"])
    assert await app.config.pending_sync_requests() == []
    assert (await app.config.list_audit())[0].outcome == "denied"


async def test_add_form_validates_and_hides_pasted_secrets(app: App) -> None:
    form = await command(app, message("admin add"))
    assert any(i.get("id") == "settings" for i in card_content(form)["body"])
    data = {
        "kind": "confluence",
        "name": "hr-wiki",
        "audience": "hr",
        "settings": 'base_url=https://acme.atlassian.net/wiki\nspaces=["HR"]\nemail=a@acme.com\n'
        "token_ref=ATATT3xFfGF0T4nXgq1Y2hJkLmNoPq",
    }
    response = await card_action(app, execute("kbot_admin_add", data, admin=True))
    shown = json.dumps(response["value"])
    assert "must be a secret reference" in shown and "ATATT" not in shown
    assert [s.name for s in await app.config.list_sources()] == ["handbook"]
    data["settings"] = data["settings"].replace("ATATT3xFfGF0T4nXgq1Y2hJkLmNoPq", "env:CONFLUENCE_TOKEN")
    response = await card_action(app, execute("kbot_admin_add", data, admin=True))
    assert "Source hr-wiki (confluence) added." in json.dumps(response["value"])
    assert (await app.config.get_source("hr-wiki")).audience == ["hr"]


async def test_action_submit_message_is_handled_too(app: App) -> None:
    activity = message("")
    activity["value"] = {"kbot_admin": "kbot_admin_sync", "source": "handbook"}
    reply = await card_action(app, activity)
    assert "queued" in json.dumps(card_content(reply))
    other = message("")
    other["value"] = {"reaction": "like"}
    assert await handle_admin_card_action(app, other) is None


async def test_teams_access_personal_channel_and_ephemeral_fallback(app: App) -> None:
    access = await teams_access(app, message("what is the leave policy?"))
    assert access.asker.groups == ["eng", "hr"] and access.sources == ["handbook"]
    channel = fixture("message_channel_thread_reply_mention.json")
    channel_id = (channel.get("channelData") or {}).get("channel", {}).get("id") or channel["conversation"]["id"].split(
        ";"
    )[0]
    channel["from"]["aadObjectId"] = ADMIN_AAD
    assert (await teams_access(app, channel)).asker.groups == []  # roster unknown: public documents only
    roster = [Member(ADMIN_AAD), Member(USER_AAD)]
    assert (await teams_access(app, channel, roster)).asker.groups == ["eng"]
    await app.config.save_channel(ChannelSettings("teams", channel_id, visibility="ephemeral"))
    access = await teams_access(app, channel, roster)
    assert not access.ephemeral and access.asker.groups == ["eng"]  # no private replies in Teams channels
