"""What chat needs to remember across requests and across ``kbot serve`` replicas (one port).

Every replica behind the load balancer reads and writes the same store (SQLite file or DynamoDB
table), so a Slack retry landing on another replica is still dropped, a Teams follow-up sees the
turn another replica answered, and a 👍 finds the question wherever it was answered.
Implementations: :mod:`adapters.state.sqlite_state`, :mod:`adapters.state.dynamodb_state`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from bot.models import Turn

CLAIM_TTL_SECONDS = 3600.0  # Slack retries within minutes; a finished event id is kept an hour
CLAIM_LEASE_SECONDS = 30.0  # a claim nobody renewed for this long was left by a dead replica
TURNS_TTL_SECONDS = 24 * 3600.0
ANSWER_TTL_SECONDS = 7 * 24 * 3600.0
SESSION_TTL_SECONDS = 24 * 3600.0  # Bedrock forgets R&G sessions after 24 h anyway


@dataclass(slots=True)
class AnswerRecord:
    """One answer as sent, so feedback or "share" clicked on any replica can find it in full."""

    question: str
    answer: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    asker: str = ""
    channel: str | None = None
    thread: str | None = None
    grounded: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "citations": self.citations,
            "asker": self.asker,
            "channel": self.channel,
            "thread": self.thread,
            "grounded": self.grounded,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnswerRecord:
        return cls(
            str(data.get("question") or ""),
            str(data.get("answer") or ""),
            list(data.get("citations") or []),
            str(data.get("asker") or ""),
            data.get("channel"),
            data.get("thread"),
            bool(data.get("grounded", True)),
        )


@runtime_checkable
class ConversationState(Protocol):
    # --- claim-once keys (e.g. Slack event ids) ------------------------------------------------
    async def claim(self, key: str, owner: str, *, lease_seconds: float, ttl_seconds: float) -> bool:
        """Atomically take ``key`` for ``owner``: True if it was free, expired, or claimed by someone
        whose lease ran out before completing (a dead replica). Never True again once completed."""
        ...

    async def renew(self, key: str, owner: str, *, lease_seconds: float) -> bool:
        """Extend ``owner``'s lease on an uncompleted claim; False if it is no longer ``owner``'s."""
        ...

    async def complete(self, key: str, owner: str) -> None:
        """Mark the work done: the key can never be claimed again within its TTL."""
        ...

    # --- conversation turns per thread ------------------------------------------------------
    async def turns(self, thread: str) -> list[Turn]: ...

    async def add_turns(self, thread: str, turns: Sequence[Turn], *, max_turns: int, ttl_seconds: float) -> None:
        """Append ``turns``, keep the newest ``max_turns``, and restart the thread's TTL."""
        ...

    async def forget_turns(self, thread: str) -> None: ...

    # --- answer records ----------------------------------------------------------------------
    async def put_answer(self, record_id: str, record: AnswerRecord, *, ttl_seconds: float) -> None: ...

    async def get_answer(self, record_id: str) -> AnswerRecord | None: ...

    # --- backend session ids per thread -----------------------------------------------------
    async def session_id(self, thread: str) -> str | None: ...

    async def put_session_id(self, thread: str, session_id: str, *, ttl_seconds: float) -> None: ...

    async def forget_session_id(self, thread: str) -> None: ...

    # --- counters (fair use) -----------------------------------------------------------------
    async def bump(self, key: str, *, ttl_seconds: float) -> int:
        """Atomically add one to the counter ``key`` (created at 1, gone after ``ttl_seconds``); the new value."""
        ...
