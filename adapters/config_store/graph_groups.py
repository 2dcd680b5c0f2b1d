"""Entra ID group membership from Microsoft Graph, for :class:`bot.admin.groups.GraphGroupResolver`.

``GET /users/{id or UPN}/transitiveMemberOf/microsoft.graph.group`` (application permission
``GroupMember.Read.All``); each group counts by display name and by object id, so ACLs taken
from SharePoint (ids) and audiences typed by admins (names) both match.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

from adapters.msgraph.client import GraphClient
from adapters.msgraph.tokens import TokenProvider


class GraphMembership:
    def __init__(
        self,
        graph_url: str,
        tokens: TokenProvider,
        session: aiohttp.ClientSession | None = None,
        **client_options: Any,
    ) -> None:
        self._graph_url, self._tokens, self._options = graph_url, tokens, client_options
        self._session = session
        self._own_session = session is None

    def _client(self) -> GraphClient:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return GraphClient(self._graph_url, self._tokens, self._session, **self._options)

    async def __call__(self, user: str) -> list[str]:
        path = f"/users/{quote(user, safe='@.')}/transitiveMemberOf/microsoft.graph.group"
        groups: set[str] = set()
        async for group in self._client().items(path, {"$select": "id,displayName", "$top": "999"}):
            groups.update(str(group[key]) for key in ("id", "displayName") if group.get(key))
        return sorted(groups)

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
