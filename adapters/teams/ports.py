"""What the Teams handlers need from the transport and from Graph, as plain-dict Protocols.

``bf_adapter`` implements :class:`Replier` on botbuilder; a move to the Microsoft 365 Agents SDK
only has to implement it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(slots=True)
class InvokeReply:
    """HTTP status and JSON body answering an ``invoke`` activity (``body=None``: empty body)."""

    status: int
    body: Any = None


class Replier(Protocol):
    async def send(self, activity: dict[str, Any]) -> str | None:
        """Send an activity into the inbound activity's conversation (as a reply); return its id."""
        ...

    async def team_group_id(self, team_id: str) -> str | None:
        """The Entra group id of a team (Graph's team id) from its ``19:...`` thread id."""
        ...

    async def members(self, conversation_id: str, limit: int) -> list[dict[str, Any]] | None:
        """Members of a chat or team (``id``, ``aadObjectId``, ``name``, ``email``); None: over ``limit``."""
        ...

    async def start_thread(self, channel_id: str, activity: dict[str, Any]) -> str | None:
        """Post ``activity`` as a new thread in a channel; returns the thread's conversation id."""
        ...

    async def send_to(self, conversation_id: str, activity: dict[str, Any]) -> str | None:
        """Send ``activity`` into another conversation (same connector); returns its id."""
        ...


class AdminHooks(Protocol):
    """Admin chat commands and their card buttons (``adapters.teams.admin``); None = not an admin one."""

    async def command(self, activity: dict[str, Any]) -> dict[str, Any] | None: ...

    async def card_action(self, activity: dict[str, Any]) -> dict[str, Any] | None: ...


class VerifiedHooks(Protocol):
    """Verified answers on Teams (``adapters.teams.verified``): the "Ask an expert" offer after 👎,
    and the expert/"Save as verified answer" card actions (None: not one of those)."""

    async def after_feedback(self, activity: dict[str, Any], replier: Replier) -> None:
        """After a recorded 👍/👎 (``message/submitAction``)."""
        ...

    async def card_action(self, activity: dict[str, Any], replier: Replier) -> InvokeReply | None: ...


TurnHandler = Callable[[dict[str, Any], Replier], Awaitable[InvokeReply | None]]


class ThreadReader(Protocol):
    async def channel_thread(
        self, tenant_id: str | None, team_id: str, channel_id: str, message_id: str
    ) -> list[dict[str, Any]]:
        """Graph ``chatMessage`` objects: the parent message followed by its replies, oldest first."""
        ...


class FileFetcher(Protocol):
    async def fetch(self, url: str, *, max_bytes: int) -> bytes: ...
