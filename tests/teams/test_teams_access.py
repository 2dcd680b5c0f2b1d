"""ACL groups for Teams questions: own groups in 1:1, groups common to all members in channels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.admin.models import ChannelSettings
from bot.models import Source
from bot.settings import load_settings

from .conftest import TeamsRig

ASKER = "8e2f5a13-6c9d-4b70-a1e4-3d7b9c0f2a56"  # in message_channel_thread_reply_mention.json
PERSONAL_ASKER = "3c1d9e27-5b84-4f0a-9d6e-81a2f4c7b0e5"  # in message_personal.json
TEAM = "19:Kb7tEamQw3Rz9Lp2Xv6Nc4Hd8Ys1Fg5Jk0Ua2Wm7Tb1@thread.tacv2"
CHANNEL = "19:4b2e9a7c1d8f4e3a9c6b0d5f2e7a1c38@thread.tacv2"
BOT = "28:a41c6f02-7d3b-4e95-8c1a-6f0e2b9d5c73"


@pytest.fixture
async def acl_rig(make_rig, tmp_path: Path) -> TeamsRig:
    groups = tmp_path / "groups.json"
    groups.write_text(
        json.dumps(
            {
                ASKER: ["finance", "staff"],
                PERSONAL_ASKER: ["hr", "staff"],
                "aad-colleague": ["staff", "sales"],
                "aad-intern": ["staff"],
            }
        )
    )
    rig: TeamsRig = await make_rig(settings=load_settings(kbot_user_groups_file=groups))
    rig.connector.rosters[TEAM] = [
        {"id": BOT, "name": "kbotdev"},
        {"id": "29:asker", "aadObjectId": ASKER, "name": "Rui Patel"},
        {"id": "29:colleague", "aadObjectId": "aad-colleague", "name": "Colleague"},
        {"id": "29:intern", "aadObjectId": "aad-intern", "name": "Intern", "email": "intern@example.com"},
    ]
    return rig


async def _ask_in_channel(rig: TeamsRig, replies: int = 2) -> None:
    before = len(rig.connector.posts())
    await rig.post(rig.activity("message_channel_thread_reply_mention.json", text="<at>kbotdev</at> budget?"))
    await rig.connector.wait_posts(before + replies)


async def test_channel_answer_uses_groups_every_member_has(acl_rig: TeamsRig) -> None:
    await _ask_in_channel(acl_rig)
    asker = acl_rig.answerer.questions[-1].asker
    assert asker.user_id == ASKER
    assert asker.groups == ["staff"]  # not "finance": the colleague and the intern would see the answer
    pages = [r for r in acl_rig.connector.received if r.path.endswith("/pagedmembers")]
    assert len(pages) == 2  # 4 members, 2 per page: the continuation token was followed


async def test_personal_chat_uses_the_askers_own_groups(acl_rig: TeamsRig) -> None:
    await acl_rig.post(acl_rig.activity("message_personal.json", text="my leave balance?"))
    await acl_rig.connector.wait_posts(2)
    assert acl_rig.answerer.questions[-1].asker.groups == ["hr", "staff"]
    assert not [r for r in acl_rig.connector.received if r.path.endswith("/pagedmembers")]


async def test_unknown_roster_means_public_documents_only(acl_rig: TeamsRig) -> None:
    acl_rig.connector.rosters.clear()  # the connector answers 404
    await _ask_in_channel(acl_rig)
    assert acl_rig.answerer.questions[-1].asker.groups == []


async def test_ephemeral_channel_setting_still_uses_member_groups(acl_rig: TeamsRig) -> None:
    """Teams bots cannot reply privately in a channel, so "ephemeral" acts as "members"."""
    await acl_rig.app.config.save_channel(ChannelSettings("teams", CHANNEL, visibility="ephemeral"))
    await _ask_in_channel(acl_rig)
    assert acl_rig.answerer.questions[-1].asker.groups == ["staff"]


async def test_channel_sources_setting_limits_sources(acl_rig: TeamsRig) -> None:
    for name in ("handbook", "wiki"):
        await acl_rig.app.config.save_source(Source(name, "folder", {"path": str(name)}))
    await _ask_in_channel(acl_rig)
    assert acl_rig.answerer.questions[-1].sources == ["handbook", "wiki"]
    await acl_rig.app.config.save_channel(ChannelSettings("teams", CHANNEL, sources=["handbook"]))
    await _ask_in_channel(acl_rig)
    assert acl_rig.answerer.questions[-1].sources == ["handbook"]
