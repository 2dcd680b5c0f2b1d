"""Fair use in Teams, and conversation memory and sent answers shared by bots on one state store."""

from __future__ import annotations

from bot.fair_use import FAIR_USE_REPLY
from bot.settings import load_settings
from tests.fakes import ONE_FAIR_USE_WINDOW

from .conftest import RigFactory


async def test_questions_over_the_limit_get_a_friendly_reply(make_rig: RigFactory) -> None:
    settings = load_settings(kbot_fair_use_questions=1, kbot_fair_use_window_seconds=ONE_FAIR_USE_WINDOW)
    rig = await make_rig(settings=settings)
    ask = rig.activity("message_channel_thread_reply_mention.json", text="<at>kbotdev</at> expenses?")
    await rig.post(ask)
    await rig.connector.wait_posts(2)  # typing, answer
    await rig.post({**ask, "id": "1759944781999", "text": "<at>kbotdev</at> and travel?"})
    posts = await rig.connector.wait_posts(3)
    assert posts[-1].body["text"] == FAIR_USE_REPLY
    assert len(rig.answerer.questions) == 1


async def test_a_second_bot_on_the_same_store_continues_the_conversation(make_rig: RigFactory) -> None:
    """Two Teams bots (replicas) on one KBOT_DB: the follow-up on the second sees the first's turn."""
    first, second = await make_rig(), await make_rig()
    ask = first.activity("message_channel_thread_reply_mention.json", text="<at>kbotdev</at> expenses?")
    await first.post(ask)
    await first.connector.wait_posts(2)
    await second.post({**ask, "id": "1759944781999", "text": "<at>kbotdev</at> and for travel?"})
    await second.connector.wait_posts(4)
    (follow_up,) = second.answerer.questions
    assert [t.text for t in follow_up.history][0] == "expenses?"
    assert follow_up.history[1].role == "assistant"


async def test_feedback_on_a_second_bot_records_the_answer_sent_by_the_first(make_rig: RigFactory) -> None:
    from .test_teams_invokes import _ask, _feedback_invoke

    first, second = await make_rig(), await make_rig()
    answer_id = await _ask(first)
    resp = await second.post(_feedback_invoke(second, answer_id, "like"))
    assert resp.status == 200
    [item] = second.feedback.items
    assert item.question == "expenses?" and item.answer.startswith("For 'expenses?'")
    assert item.citations[0]["uri"] == "https://intranet.example.com/finance/expenses"


async def test_with_the_state_store_down_teams_still_answers(make_rig: RigFactory) -> None:
    from tests.state.broken_state import BrokenState

    rig = await make_rig(state=BrokenState())
    await rig.post(rig.activity("message_channel_thread_reply_mention.json", text="<at>kbotdev</at> expenses?"))
    posts = await rig.connector.wait_posts(2)
    assert posts[-1].body["type"] == "message" and "[1]" in posts[-1].body["text"]
