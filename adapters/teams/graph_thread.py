"""Read a channel thread through Microsoft Graph for "Summarize thread".

``GET /teams/{team-id}/channels/{channel-id}/messages/{message-id}`` (the parent) and
``.../replies`` (paged), application permission ``ChannelMessage.Read.All``. Uses the shared
:class:`adapters.msgraph.client.GraphClient` (paging, Retry-After, token refresh) and ``KBOT_GRAPH_URL``.
Tokens: the bot's own app registration (``MICROSOFT_APP_ID``/``MICROSOFT_APP_PASSWORD``), issued by the
tenant the activity came from, so one multi-tenant bot reads each customer's Graph with its consent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import aiohttp

from adapters.msgraph.client import GraphClient
from adapters.msgraph.tokens import TokenProvider
from bot.errors import ConfigError
from bot.settings import Settings

MAX_REPLIES = 1000  # a summary of a longer thread uses the first thousand replies


class GraphThreadReader:
    def __init__(
        self,
        graph_url: str,
        tokens_for_tenant: Callable[[str | None], TokenProvider],
        session: aiohttp.ClientSession,
    ) -> None:
        self.graph_url = graph_url
        self._tokens_for_tenant = tokens_for_tenant
        self._session = session
        self._clients: dict[str | None, GraphClient] = {}

    def _client(self, tenant_id: str | None) -> GraphClient:
        if tenant_id not in self._clients:
            tokens = self._tokens_for_tenant(tenant_id)
            self._clients[tenant_id] = GraphClient(self.graph_url, tokens, self._session)
        return self._clients[tenant_id]

    async def channel_thread(
        self, tenant_id: str | None, team_id: str, channel_id: str, message_id: str
    ) -> list[dict[str, Any]]:
        graph = self._client(tenant_id)
        team, channel, message = (quote(part, safe="") for part in (team_id, channel_id, message_id))
        path = f"teams/{team}/channels/{channel}/messages/{message}"
        messages = [await graph.get(path)]
        async for reply in graph.items(f"{path}/replies", {"$top": "50"}):
            messages.append(reply)
            if len(messages) > MAX_REPLIES:
                break
        head, replies = messages[0], messages[1:]
        replies.sort(key=lambda m: str(m.get("createdDateTime") or ""))  # Graph returns newest first
        return [head, *replies]


def build_thread_reader(settings: Settings, session: aiohttp.ClientSession) -> GraphThreadReader | None:
    """None when the bot has no app credentials (emulator mode): the action then says it is not set up."""
    app_id = settings.microsoft_app_id
    password = settings.microsoft_app_password
    if not app_id or password is None:
        return None
    from adapters.msgraph.auth import MsalTokenProvider

    providers: dict[str | None, TokenProvider] = {}

    def tokens_for_tenant(tenant_id: str | None) -> TokenProvider:
        single = settings.microsoft_app_type == "SingleTenant"
        tenant = (settings.microsoft_app_tenant_id if single else tenant_id) or settings.microsoft_app_tenant_id
        if not tenant:
            raise ConfigError("no tenant id for the Graph token (MICROSOFT_APP_TENANT_ID)")
        if tenant not in providers:
            providers[tenant] = MsalTokenProvider(
                tenant,
                app_id,
                client_secret=password.get_secret_value(),
                login_url=settings.kbot_login_url,
                graph_url=settings.kbot_graph_url,
            )
        return providers[tenant]

    return GraphThreadReader(settings.kbot_graph_url, tokens_for_tenant, session)
