"""``admin ...`` messages reach the admin commands through the real endpoint (not the answerer)."""

from __future__ import annotations

from bot.settings import load_settings

from .conftest import TeamsRig

ADA = "3c1d9e27-5b84-4f0a-9d6e-81a2f4c7b0e5"  # aadObjectId in tests/payloads/teams/message_personal.json


async def test_admin_command_from_an_admin_gets_a_card(make_rig) -> None:
    rig: TeamsRig = await make_rig(settings=load_settings(kbot_admins=ADA))
    await rig.post(rig.activity("message_personal.json", text="admin sources"))
    posts = await rig.connector.wait_posts(1)
    attachments = posts[-1].body.get("attachments") or []
    assert attachments and attachments[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert rig.answerer.questions == []


async def test_admin_command_from_someone_else_is_refused(rig: TeamsRig) -> None:
    await rig.post(rig.activity("message_personal.json", text="admin add folder x"))
    posts = await rig.connector.wait_posts(1)
    assert posts[-1].body["text"] == "Sorry, only kbot admins can do that."
    assert rig.answerer.questions == []
