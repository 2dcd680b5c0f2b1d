"""Fair use is one of AskService's rules: every chat front end inherits it, the operator's CLI is exempt."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.state.sqlite_state import SqliteConversationState
from bot.conversation.ask import AskRequest, AskService
from bot.fair_use import FAIR_USE_REPLY, FairUse, FairUseExceeded
from bot.state import ConversationState
from tests.conversation.test_ask_service import Echo, RecordingAccess
from tests.fakes import ONE_FAIR_USE_WINDOW
from tests.state.broken_state import BrokenState


def service(state: ConversationState, limit: int = 2) -> tuple[AskService, Echo]:
    echo = Echo()
    fair_use = FairUse(lambda: state, limit=limit, window_seconds=ONE_FAIR_USE_WINDOW)
    return AskService(echo, RecordingAccess(), fair_use=fair_use), echo


async def test_over_the_limit_is_refused_before_answering_with_the_friendly_reply(tmp_path: Path) -> None:
    ask, echo = service(SqliteConversationState(tmp_path / "kbot.db"))
    for _ in range(2):
        await ask.ask(AskRequest("q?", "slack", "U1"))
    with pytest.raises(FairUseExceeded) as refused:
        await ask.prepare(AskRequest("q?", "slack", "U1"))
    assert refused.value.user_message == FAIR_USE_REPLY
    assert len(echo.questions) == 2
    await ask.ask(AskRequest("q?", "teams", "U1"))  # counted per platform user
    await ask.ask(AskRequest("q?", "slack", "U2"))


async def test_empty_repeated_and_cli_questions_are_not_counted(tmp_path: Path) -> None:
    ask, _ = service(SqliteConversationState(tmp_path / "kbot.db"), limit=1)
    for req in (
        AskRequest("   ", "slack", "U1"),  # refused as empty, not counted
        AskRequest("q?", "cli", "operator"),
        AskRequest("q?", "cli", "operator"),
        AskRequest("q?", "slack", "U1", repeat=True),  # Slack's share of an /ask already counted
    ):
        try:
            await ask.ask(req)
        except FairUseExceeded:
            pytest.fail(f"counted: {req}")
        except Exception:  # noqa: BLE001 - the empty question's own refusal
            assert not req.text.strip()
    await ask.ask(AskRequest("q?", "slack", "U1"))
    with pytest.raises(FairUseExceeded):
        await ask.ask(AskRequest("q?", "slack", "U1"))


async def test_a_store_that_is_down_never_blocks_questions() -> None:
    broken = BrokenState()
    ask, echo = service(broken, limit=1)  # type: ignore[arg-type]
    for _ in range(3):
        await ask.ask(AskRequest("q?", "slack", "U1"))
    assert len(echo.questions) == 3 and broken.calls == 3


async def test_no_limit_never_builds_the_store() -> None:
    def no_store() -> ConversationState:
        raise AssertionError("built the state store")

    echo = Echo()
    ask = AskService(echo, RecordingAccess(), fair_use=FairUse(no_store, limit=0, window_seconds=60))
    await ask.ask(AskRequest("q?", "slack", "U1"))
    assert len(echo.questions) == 1
