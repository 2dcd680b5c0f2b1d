"""What the verified-answer service needs: a repository (config store) and the experts' roster."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.admin.models import Actor
from bot.verified.models import ExpertRequest, VerifiedAnswer


@runtime_checkable
class VerifiedRepository(Protocol):
    """Verified answers and expert requests (the config store: SQLite locally, DynamoDB on AWS)."""

    async def list_verified(self) -> list[VerifiedAnswer]: ...

    async def get_verified(self, answer_id: str) -> VerifiedAnswer | None: ...

    async def save_verified(self, answer: VerifiedAnswer) -> None: ...

    async def remove_verified(self, answer_id: str) -> bool: ...

    async def save_expert_request(self, request: ExpertRequest) -> None: ...

    async def get_expert_request(self, request_id: str) -> ExpertRequest | None: ...

    async def claim_notification(self, request_id: str) -> bool:
        """Mark the request's asker as told; True only for the first caller (so they are told once)."""
        ...


class ExpertRoster(Protocol):
    """Whether a person belongs to the experts channel (Slack: conversations.members; Teams: roster)."""

    async def is_expert(self, actor: Actor) -> bool: ...
