"""The HTTP port of the remote connectors (Confluence, MediaWiki; Graph for SharePoint builds on it).

Connectors are logic (paging, checkpoints, ACL mapping) and stay in the core; they speak HTTP
only through :class:`HttpFetcher`. The implementation (aiohttp: timeouts, bounded retries,
``Retry-After``, one auth refresh on 401) is :class:`adapters.http.HttpClient`, injected through
:class:`HttpClients` where connectors are built, so ``ingest/`` never imports aiohttp.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.errors import ConnectorError, InputError

AuthHeaders = Callable[[bool], Awaitable[Mapping[str, str]]]  # force_refresh -> headers
Sleep = Callable[[float], Awaitable[None]]


class HttpStatusError(ConnectorError):
    """A non-2xx answer that retries did not cure (``status`` lets a connector skip one document)."""

    def __init__(self, status: int, url: str, detail: str = "") -> None:
        super().__init__(f"HTTP {status} from {strip_query(url)}{': ' + detail if detail else ''}")
        self.status = status
        self.url = url


class FileTooLarge(InputError):
    pass


@dataclass(slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    # Every (name, value) header pair, repeated names kept (``Set-Cookie``): ``headers`` keeps one.
    header_pairs: tuple[tuple[str, str], ...] = field(default=())

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ConnectorError(f"invalid JSON from {strip_query(self.url)}: {exc}") from None

    def header_values(self, name: str) -> list[str]:
        wanted = name.casefold()
        return [value for key, value in self.header_pairs if key.casefold() == wanted]


class HttpFetcher(Protocol):
    """One configured client (auth, retry policy) for one remote system."""

    requests: int  # HTTP requests sent so far (tests and benchmarks read it)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        """The 2xx response; raises HttpStatusError, ThrottledError/BackendTimeout, FileTooLarge."""
        ...

    async def get_json(self, url: str, params: Mapping[str, str] | None = None) -> Any: ...

    async def get_bytes(self, url: str, *, max_bytes: int | None = None) -> bytes: ...


class HttpClients(Protocol):
    """Makes an :class:`HttpFetcher` (one shared connection pool behind them all)."""

    def __call__(
        self,
        *,
        auth: AuthHeaders | None = None,
        max_attempts: int = 5,
        timeout: float = 30.0,
        sleep: Sleep | None = None,
    ) -> HttpFetcher: ...


def strip_query(url: str) -> str:
    """URLs in messages lose their query (tokens, cursors) so logs never carry secrets."""
    return url.split("?", 1)[0]
