"""Close the loop on Teams, on Bot Framework activities with the fake connector: ask -> 👎 ->
"Ask an expert" (a new thread in the experts channel) -> the expert's reply -> "Save as verified
answer" -> the asker is told once -> a colleague asking a paraphrase gets it first, marked; an
audience keeps it from others; non-experts and bad input are refused (audited, nothing saved)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bot.settings import load_settings
from tests.fakes import HashEmbedder
from tests.teams.conftest import RigFactory, TeamsRig

EXPERTS = "19:e8c1f0a2b3d44c5e9f6a7b8c9d0e1f2a@thread.tacv2"
TEAM = "19:Kb7tEamQw3Rz9Lp2Xv6Nc4Hd8Ys1Fg5Jk0Ua2Wm7Tb1@thread.tacv2"
GROUP = "02bd9fd6-8f93-4758-87c3-1fb73740a315"
ADA = "3c1d9e27-5b84-4f0a-9d6e-81a2f4c7b0e5"  # asks (message_personal.json)
LENA = "5b7c1e94-2d3a-4f68-9e05-b1a8c6d4f273"  # a colleague
DANA = "7d2c4b1a-9e8f-4a3b-8c6d-5e4f3a2b1c0d"  # the expert
QUESTION = "How many vacation days do new employees get in their first year?"
PARAPHRASE = "how many vacation days does a new employee get during the first year"


class ExpertsThread:
    """Graph's view of the experts thread (the ThreadReader port): the bot's post, then replies."""

    def __init__(self) -> None:
        self.replies: list[dict[str, Any]] = []
        self.asked: list[tuple[Any, ...]] = []

    async def channel_thread(
        self, tenant_id: str | None, team_id: str, channel_id: str, message_id: str
    ) -> list[dict[str, Any]]:
        self.asked.append((team_id, channel_id, message_id))
        root = {
            "id": message_id,
            "from": {"application": {"id": "bot", "displayName": "kbot"}},
            "body": {"content": "Q"},
        }
        return [root, *self.replies]


@pytest.fixture
async def loop_rig(make_rig: RigFactory, tmp_path: Path) -> tuple[TeamsRig, ExpertsThread]:
    groups = tmp_path / "groups.json"
    groups.write_text(json.dumps({ADA: ["finance"], LENA: ["engineering"]}))
    settings = load_settings(
        _env_file=None, kbot_db=tmp_path / "kbot.db", kbot_teams_experts_channel=EXPERTS, kbot_user_groups_file=groups
    )
    thread = ExpertsThread()
    rig = await make_rig(settings=settings, embedder=HashEmbedder(), teams_thread_reader=thread)
    rig.connector.rosters[EXPERTS] = [{"id": "29:dana", "aadObjectId": DANA, "name": "Dana Whitfield"}]
    return rig, thread


def personal(rig: TeamsRig, user: str, who: str, **changes: Any) -> dict[str, Any]:
    activity = rig.activity("message_personal.json", **changes)
    activity["from"] = {"id": f"29:{who}", "name": who, "aadObjectId": user}
    activity["conversation"] = dict(activity["conversation"], id=f"a:personal-{who}")
    return activity


async def ask(rig: TeamsRig, text: str, user: str = ADA, name: str = "Ada") -> dict[str, Any]:
    before = len(rig.connector.posts())
    await rig.post(personal(rig, user, name, text=text))
    posts = await rig.connector.wait_for(
        lambda: any(p.body.get("type") == "message" for p in rig.connector.posts()[before:])
    )
    await rig.connector.settle()  # the turn remembers the answer right after sending it
    return [p for p in posts[before:] if p.body.get("type") == "message"][-1].body


def execute(rig: TeamsRig, verb: str, data: dict[str, Any], *, user: str, name: str, channel: bool) -> dict[str, Any]:
    activity = rig.activity("invoke_adaptive_card_action_execute.json")
    activity["value"] = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
    activity["from"] = {"id": f"29:{name}", "name": name, "aadObjectId": user}
    if channel:
        activity["conversation"] = {
            "id": f"{EXPERTS};messageid=1700000000002",
            "conversationType": "channel",
            "isGroup": True,
        }
        activity["channelData"] = {
            "channel": {"id": EXPERTS},
            "team": {"id": TEAM},
            "tenant": {"id": "9d4f2b61-7c3e-4a85-b0d9-6e1f8a2c5b37"},
        }
    else:
        activity["conversation"] = dict(activity["conversation"], id=f"a:personal-{name}")
    return activity


async def forward(rig: TeamsRig) -> str:
    """Ada asks, dislikes the answer, presses "Ask an expert"; returns the expert request id."""
    answer = await ask(rig, QUESTION)
    assert "Verified" not in answer["text"]
    answer_id = f"bot-msg-{len(rig.connector.posts())}"
    dislike = personal(rig, ADA, "Ada", type="invoke", name="message/submitAction", replyToId=answer_id)
    dislike.pop("text")
    dislike["value"] = {"actionName": "feedback", "actionValue": {"reaction": "dislike"}}
    resp = await rig.post(dislike)
    assert resp.status == 200 and await resp.json() == {}  # what Teams expects for feedback
    offer = rig.connector.posts()[-1].body
    action = offer["attachments"][0]["content"]["actions"][0]
    assert action["title"] == "Ask an expert"
    resp = await rig.post(execute(rig, action["verb"], action["data"], user=ADA, name="Ada", channel=False))
    assert "posted your question to the experts channel" in (await resp.json())["value"]
    created = [p for p in rig.connector.posts() if p.path == "/v3/conversations"]
    assert created and created[-1].body["channelData"]["channel"]["id"] == EXPERTS
    card = json.dumps(created[-1].body["activity"])
    assert QUESTION in card and "Save as verified answer" in card and "Ada" in card
    return str(action["data"]["request"])


async def save(rig: TeamsRig, request: str, *, user: str = DANA, name: str = "Dana Whitfield", **inputs: str) -> str:
    data = {"request": request, "answer": "", "audience": "", "review_by": ""} | inputs
    resp = await rig.post(execute(rig, "kbot.verified.save", data, user=user, name=name, channel=True))
    assert resp.status == 200
    return str((await resp.json())["value"])


def told(rig: TeamsRig) -> list[str]:
    path = "/v3/conversations/a:personal-Ada/activities"
    return [
        p.body.get("text", "")
        for p in rig.connector.posts()
        if p.path == path and "expert answered" in p.body.get("text", "")
    ]


async def test_expert_reply_becomes_the_answer_colleagues_get_first(loop_rig: tuple[TeamsRig, ExpertsThread]) -> None:
    rig, thread = loop_rig
    request = await forward(rig)
    thread.replies.append(
        {
            "id": "1700000000003",
            "from": {"user": {"id": DANA, "displayName": "Dana Whitfield"}},
            "body": {"contentType": "html", "content": "<p>New hires get <b>25 vacation days</b> in year one.</p>"},
        }
    )
    saved = await save(rig, request)
    assert saved.startswith("Saved as a verified answer (Verified by @Dana Whitfield on ")
    assert thread.asked == [(GROUP, EXPERTS, "1700000000002")]
    [note] = told(rig)
    assert note.startswith("An expert answered your question: New hires get 25 vacation days in year one.")

    colleague = await ask(rig, PARAPHRASE, LENA, "Lena")
    text = colleague["text"]
    assert text.index("Verified by @Dana Whitfield on") < text.index("For '"), text
    citations = colleague["entities"][0]["citation"]
    assert citations[0]["appearance"]["name"].startswith("Verified answer: ")

    await save(rig, request)  # saved again: the asker is not told twice
    assert len(told(rig)) == 1


async def test_audience_from_the_card_form_hides_it_from_others(loop_rig: tuple[TeamsRig, ExpertsThread]) -> None:
    rig, _ = loop_rig
    request = await forward(rig)
    tidied = "How many vacation days do new employees get in year one?"
    await save(
        rig, request, question=tidied, answer="Finance only: 25 days.", audience="finance", review_by="2099-12-31"
    )
    [kept] = await rig.app.verified_repo.list_verified()
    assert (kept.question, kept.audience, str(kept.review_by)) == (tidied, ["finance"], "2099-12-31")
    assert "Verified by @Dana Whitfield" in (await ask(rig, PARAPHRASE, ADA, "Ada"))["text"]
    other = (await ask(rig, PARAPHRASE, LENA, "Lena"))["text"]
    assert "Verified" not in other and "Finance only" not in other


async def test_non_expert_and_bad_input_change_nothing(loop_rig: tuple[TeamsRig, ExpertsThread]) -> None:
    rig, _ = loop_rig
    request = await forward(rig)
    refused = await save(rig, request, user=LENA, name="Lena", answer="Nobody gets leave.")
    assert refused.startswith("Only members of the experts channel or kbot admins")
    assert (await rig.app.config.list_audit(1))[0].outcome == "denied"
    assert "too long" in await save(rig, request, answer="x" * 50_000)
    assert "isn't allowed" in await save(rig, request, answer="<script>alert(1)</script>")
    assert "Reply in the thread" in await save(rig, request)  # empty form, no reply yet
    assert await rig.app.verified_repo.list_verified() == [] and told(rig) == []
    assert copy.deepcopy(rig.app.settings.kbot_teams_experts_channel) == EXPERTS
