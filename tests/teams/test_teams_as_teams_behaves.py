"""Teams as it really behaves (issue 16): channel gating, the invoke deadline, invoke bodies, citation
limits, the Stop button, single-tenant start-up. The fake connector enforces the documented rules."""

from __future__ import annotations

import asyncio

import pytest

from adapters.server import build_web_app
from adapters.teams.render import MESSAGE_ENTITY_TYPE
from adapters.wiring import App
from bot.admin.models import ChannelSettings
from bot.errors import ConfigError
from bot.settings import load_settings

from .conftest import LONG_SNIPPET, FakeConnector, FakeStreamingAnswerer, TeamsRig
from .test_teams_invokes import CHANNEL, _feedback_invoke, _summarize_invoke, graph_session, thread_rig  # noqa: F401


async def test_channel_posts_are_answered_only_when_they_mention_the_bot(rig: TeamsRig) -> None:
    """Item 1: with RSC every channel post arrives; only a mention of the bot is a question."""
    await rig.post(rig.channel_post("lunch anyone?", mention_bot=False, message_id="1"))
    await rig.post(rig.channel_post("how do I file expenses?", mention_bot=True, message_id="2"))
    await rig.connector.wait_posts(2)
    await rig.connector.settle()
    assert [q.text for q in rig.answerer.questions] == ["how do I file expenses?"]
    # a follow-up without a mention in the thread the bot answered: off by default in Teams
    await rig.post(rig.channel_post("and for travel?", mention_bot=False, message_id="3"))
    await rig.connector.settle()
    assert len(rig.answerer.questions) == 1
    # `kbot channels set teams <channel> --followups on`
    await rig.app.config.save_channel(ChannelSettings("teams", CHANNEL, followups=True))
    await rig.post(rig.channel_post("and for travel?", mention_bot=False, message_id="4"))
    await rig.connector.wait_posts(4)
    assert rig.answerer.questions[-1].text == "and for travel?"
    assert rig.answerer.questions[-1].history[0].text == "how do I file expenses?"


async def test_followups_setting_does_not_open_unanswered_threads(rig: TeamsRig) -> None:
    await rig.app.config.save_channel(ChannelSettings("teams", CHANNEL, followups=True))
    await rig.post(rig.channel_post("anyone seen the offsite plan?", mention_bot=False))
    await rig.connector.settle()
    assert not rig.answerer.questions and not rig.connector.posts()


async def test_summarize_thread_answers_the_invoke_at_once_and_posts_the_summary(
    thread_rig: TeamsRig,  # noqa: F811 - the fixture
) -> None:
    """Item 2: Graph + summarizing outlast the invoke deadline; the invoke is answered first.
    Graph answers only after the invoke was: an answer that waited for Graph would miss Teams' deadline
    (the rig's ``invoke_deadline``) however fast the machine."""
    connector: FakeConnector = thread_rig.connector
    connector.graph_gate = asyncio.Event()
    resp = await thread_rig.post(_summarize_invoke(thread_rig))
    connector.graph_gate.set()
    assert resp.status == 200
    task = (await resp.json())["task"]
    assert "on its way" in str(task["value"])
    posts = await connector.wait_for(lambda: any("TL;DR" in str(p.body) for p in connector.posts()), 10)
    summary = next(p for p in posts if "TL;DR" in str(p.body))
    assert summary.body["type"] == "message" and "Lisbon" in str(summary.body)


async def test_feedback_invoke_is_answered_with_an_empty_object(rig: TeamsRig) -> None:
    """Item 3: ``message/submitAction`` (the feedback loop) answers 200 with ``{}``."""
    await rig.post(rig.channel_post("expenses?", mention_bot=True))
    await rig.connector.wait_posts(2)
    resp = await rig.post(_feedback_invoke(rig, "bot-msg-2", "like"))
    assert resp.status == 200 and await resp.json() == {}


async def test_citation_abstract_stays_within_160_characters(rig: TeamsRig) -> None:
    """Item 3: Teams' client citation schema: ``abstract`` max length 160."""
    await rig.post(rig.channel_post("expenses?", mention_bot=True))
    posts = await rig.connector.wait_posts(2)
    entity = next(e for e in posts[-1].body["entities"] if e.get("type") == MESSAGE_ENTITY_TYPE)
    abstract = entity["citation"][0]["appearance"]["abstract"]
    assert len(LONG_SNIPPET) > 160 and 0 < len(abstract) <= 160


async def test_stop_button_ends_the_stream_without_an_error_message(make_rig) -> None:
    """Item 3: after Stop, Teams refuses the stream's updates (403); no "Sorry…" message follows."""
    rig: TeamsRig = await make_rig(answerer=FakeStreamingAnswerer(pieces=8, delay=0.05))
    rig.connector.stop_after_updates = 2  # the user presses Stop after the second update
    await rig.post(rig.activity("message_personal.json", text="How do expenses work?"))
    await rig.connector.wait_for(lambda: bool(rig.connector.stopped_streams))
    await rig.connector.settle()
    texts = [str(p.body.get("text") or "") for p in rig.connector.posts()]
    assert not any("Sorry" in t for t in texts), texts
    assert not any(p.body["type"] == "message" for p in rig.connector.posts())


def test_single_tenant_is_the_default_and_needs_the_tenant_id() -> None:
    """Item 4: Microsoft's default for new bots; without the tenant id the server refuses to start."""
    settings = load_settings(
        _env_file=None, microsoft_app_id="8e2a4a8c-5d0e-4b43-9d8c-0f1b7d2b3c4d", microsoft_app_password="s"
    )
    assert settings.microsoft_app_type == "SingleTenant"
    with pytest.raises(ConfigError, match="MICROSOFT_APP_TENANT_ID"):
        build_web_app(App(settings))
