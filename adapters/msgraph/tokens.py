"""Token providers: where Graph clients get bearer tokens (msal: :mod:`adapters.msgraph.auth`)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class TokenProvider(Protocol):
    async def token(self, *, force_refresh: bool = False) -> str:
        """A bearer token; ``force_refresh`` after a 401 bypasses any cached token."""
        ...


class StaticToken:
    """A fixed token (Confluence Data Center personal access tokens, tests)."""

    def __init__(self, value: str) -> None:
        self._value = value

    async def token(self, *, force_refresh: bool = False) -> str:
        return self._value
