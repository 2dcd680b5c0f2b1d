"""Turns of one conversation stay in order when the shared state store is slow (DynamoDB under load,
a busy CI machine): a command sent right after an answer acts on that answer too."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.state.sqlite_state import SqliteConversationState
from bot.models import Turn

from .conftest import RigFactory


class SlowHistoryWrites:
    """The shared state, with history writes that take ``delay`` seconds (everything else as is)."""

    def __init__(self, inner: SqliteConversationState, delay: float) -> None:
        self.inner, self.delay = inner, delay

    async def add_turns(self, thread: str, turns: Sequence[Turn], *, max_turns: int, ttl_seconds: float) -> None:
        await asyncio.sleep(self.delay)
        await self.inner.add_turns(thread, turns, max_turns=max_turns, ttl_seconds=ttl_seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_reset_right_after_an_answer_forgets_that_answer(make_rig: RigFactory, tmp_path: Path) -> None:
    """The answer is on screen, its history write still in flight, and the user says "reset"."""
    state = SqliteConversationState(tmp_path / "state.db")
    rig = await make_rig(state=SlowHistoryWrites(state, delay=0.5))
    try:
        await rig.post(rig.activity("message_personal.json", text="expenses?"))
        await rig.connector.wait_for(lambda: len(rig.connector.posts()) >= 2)  # typing, answer
        await rig.post(rig.activity("message_personal.json", text="reset"))
        await rig.connector.wait_for(lambda: len(rig.connector.posts()) >= 3)
        await rig.post(rig.activity("message_personal.json", text="travel?"))
        await rig.connector.wait_for(lambda: len(rig.connector.posts()) >= 5)
        assert [q.text for q in rig.answerer.questions] == ["expenses?", "travel?"]
        assert rig.answerer.questions[-1].history == []
    finally:
        await state.close()
