"""A state store that is down: every call fails the way an unreachable SQLite file or DynamoDB table does."""

from __future__ import annotations

from typing import Any

from bot.errors import StoreError


class BrokenState:
    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        async def fail(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            raise StoreError(f"state store unavailable ({name})")

        return fail
