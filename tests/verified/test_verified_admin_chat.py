"""``/kbot-admin answers`` (Slack, signed slash commands) and Teams ``admin answers`` (activities)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.teams.admin import handle_admin_command
from bot.admin.models import Actor
from tests.admin.test_slack_admin import admin_command
from tests.fakes import HashEmbedder
from tests.payloads import load as load_payload
from tests.slack.support import SlackHarness
from tests.verified.support import ANSWER, QUESTION, make_app

CLI = Actor("ops", "cli")
TEAMS_ADMIN = load_payload("teams", "message_personal.json")["from"]["aadObjectId"]


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[SlackHarness]:
    settings = {"kbot_db": tmp_path / "kbot.db", "kbot_admins": "UADMIN"}
    async with SlackHarness(settings=settings, embedder=HashEmbedder()) as harness:
        yield harness


async def run(slack: SlackHarness, text: str, user: str = "UADMIN") -> dict[str, Any]:
    before = len(slack.api.of("response_url"))
    await slack.post_form(admin_command(text, user, slack.api.base_url))
    return (await slack.api.wait_for("response_url", count=before + 1))[before].args


async def test_slack_admin_lists_reviews_edits_and_removes(slack: SlackHarness) -> None:
    old = await slack.app.verified.save(
        CLI, question=QUESTION, answer=ANSWER, expert="dana", review_by=datetime.now(UTC).date() - timedelta(days=3)
    )
    fresh = await slack.app.verified.save(CLI, question="Who approves <b>travel</b>?", answer="Managers.", expert="sam")
    listing = (await run(slack, "answers"))["text"]
    assert old.id in listing and fresh.id in listing and "needs review" in listing
    assert "<b>" not in listing  # user text cannot act as markup in the reply
    review = (await run(slack, "answers review"))["text"]
    assert old.id in review and fresh.id not in review
    assert "updated" in (await run(slack, f"answers edit {old.id} review=never"))["text"]
    assert (await run(slack, "answers review"))["text"] == "No verified answers need review."
    assert "Verified by @dana" in (await run(slack, f"answers show {old.id}"))["text"]

    denied = await run(slack, f"answers remove {old.id}", user="W111")
    assert denied["text"].startswith("Only members of the experts channel or kbot admins")
    assert (await slack.app.config.list_audit(1))[0].outcome == "denied"
    bad = await run(slack, f"answers edit {old.id} answer=")
    assert "empty" in bad["text"]
    assert "removed" in (await run(slack, f"answers remove {old.id}"))["text"]
    assert [a.id for a in await slack.app.verified_repo.list_verified()] == [fresh.id]


async def test_teams_admin_answers_export_and_import(tmp_path: Path) -> None:
    app = make_app(tmp_path / "k.db", kbot_admins=TEAMS_ADMIN)
    saved = await app.verified.save(CLI, question=QUESTION, answer=ANSWER, expert="dana")
    activity = copy.deepcopy(load_payload("teams", "message_personal.json"))

    async def say(text: str, who: str = TEAMS_ADMIN) -> str:
        activity["text"], activity["from"]["aadObjectId"] = text, who
        reply = await handle_admin_command(app, activity)
        assert reply is not None
        return str(reply.get("text") or reply)

    assert saved.id in await say("admin answers")
    exported = await app.verified.export(CLI)
    fresh = make_app(tmp_path / "fresh.db", kbot_admins=TEAMS_ADMIN)
    activity["text"] = "admin answers import\n" + "\n".join(exported)
    reply = await handle_admin_command(fresh, activity)
    assert reply is not None and "Imported 1 verified answer(s)." in str(reply)
    assert await fresh.verified.export(CLI) == exported
    assert "only kbot admins" in await say("admin answers", who="someone-else")
    await app.aclose()
    await fresh.aclose()
