"""The assistant thread's context (the channel the user views) and its title-once mark live in the shared
state: the context event and the question may reach different replicas."""

from __future__ import annotations

from pathlib import Path

from adapters.slack.assistant_threads import AssistantThreads
from adapters.state.sqlite_state import SqliteConversationState


class TitleClient:
    def __init__(self) -> None:
        self.titles: list[str] = []

    async def assistant_threads_setTitle(self, **kwargs: str) -> None:  # noqa: N802 - slack_sdk's name
        self.titles.append(kwargs["title"])


async def test_context_and_title_are_shared_between_replicas(tmp_path: Path) -> None:
    a_state, b_state = SqliteConversationState(tmp_path / "kbot.db"), SqliteConversationState(tmp_path / "kbot.db")
    replica_a, replica_b = AssistantThreads(a_state), AssistantThreads(b_state)
    event = {"assistant_thread": {"channel_id": "D1", "thread_ts": "1.2", "context": {"channel_id": "C9"}}}
    await replica_a.remember(event)
    assert await replica_b.viewed_channel("D1", "1.2") == "C9"
    client = TitleClient()
    await replica_a.set_title_once(client, "D1", "1.2", "what is the leave policy?")  # type: ignore[arg-type]
    await replica_b.set_title_once(client, "D1", "1.2", "and for fathers?")  # type: ignore[arg-type]
    assert client.titles == ["what is the leave policy?"]
    await a_state.close()
    await b_state.close()
