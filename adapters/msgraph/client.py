"""A small Microsoft Graph client: JSON GET, ``@odata.nextLink`` paging, downloads.

Throttling (429/503 with ``Retry-After``), bounded retries and a single token refresh on 401
come from :class:`adapters.http.HttpClient`. Shared by the SharePoint connector (as its port
:class:`ingest.graph.GraphApi`), the Teams adapter (channel message replies) and Entra ID group
membership.

``base_url`` is the Graph root for the cloud in use (``KBOT_GRAPH_URL``, e.g.
``https://graph.microsoft.com`` or ``https://graph.microsoft.us``); ``/v1.0`` is appended unless
the URL already names a version. Absolute URLs (next/delta links) are used as given.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp

from adapters.http import HttpClient
from adapters.msgraph.tokens import TokenProvider
from bot.errors import ConnectorError
from ingest.graph import DELTA_LINK, NEXT_LINK
from ingest.http import Sleep

__all__ = ["DELTA_LINK", "NEXT_LINK", "GraphClient"]


class GraphClient:
    """Implements :class:`ingest.graph.GraphApi`."""

    def __init__(
        self,
        base_url: str,
        token_provider: TokenProvider,
        session: aiohttp.ClientSession,
        *,
        max_attempts: int = 5,
        timeout: float = 60.0,
        sleep: Sleep | None = None,
    ) -> None:
        root = base_url.rstrip("/")
        if not root.endswith(("/v1.0", "/beta")):
            root += "/v1.0"
        self.base_url = root
        self._tokens = token_provider
        self.http = HttpClient(
            session, auth=self._auth, max_attempts=max_attempts, timeout=timeout, sleep=sleep or asyncio.sleep
        )

    async def _auth(self, force_refresh: bool) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {await self._tokens.token(force_refresh=force_refresh)}"}

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    async def get(
        self,
        path_or_url: str,
        params: Mapping[str, str] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        resp = await self.http.request(
            "GET", self.url(path_or_url), params=params, headers={"Accept": "application/json", **(headers or {})}
        )
        data = resp.json()
        if not isinstance(data, dict):
            raise ConnectorError(f"unexpected Graph response for {path_or_url.split('?', 1)[0]}")
        return data

    async def pages(
        self, path_or_url: str, params: Mapping[str, str] | None = None, *, max_pages: int = 10_000
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield each page (the whole JSON object, so callers can read ``@odata.deltaLink``)."""
        page = await self.get(path_or_url, params)
        for _ in range(max_pages):
            yield page
            next_link = page.get(NEXT_LINK)
            if not next_link:
                return
            page = await self.get(next_link)
        raise ConnectorError(f"Graph paging exceeded {max_pages} pages for {path_or_url.split('?', 1)[0]}")

    async def items(
        self, path_or_url: str, params: Mapping[str, str] | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield every element of ``value`` across all pages."""
        async for page in self.pages(path_or_url, params):
            for item in page.get("value", []):
                yield item

    async def download(self, path_or_url: str, *, max_bytes: int | None = None) -> bytes:
        """File bytes (``/content`` answers 302 to a pre-authenticated URL; redirects are followed)."""
        return await self.http.get_bytes(self.url(path_or_url), max_bytes=max_bytes)
