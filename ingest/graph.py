"""The Microsoft Graph port of the SharePoint connector.

The client (paging, throttling, token refresh) is :class:`adapters.msgraph.client.GraphClient`;
the factory that makes one from a source's credentials (msal) is
:func:`adapters.msgraph.auth.graph_factory`. Both are injected through
:class:`ingest.kinds.ConnectorContext`, so the connector stays vendor-SDK free and testable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from bot.secret_refs import SecretResolver

NEXT_LINK = "@odata.nextLink"
DELTA_LINK = "@odata.deltaLink"


class GraphApi(Protocol):
    async def get(
        self,
        path_or_url: str,
        params: Mapping[str, str] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One JSON object (``path`` relative to the Graph root, or an absolute next/delta link)."""
        ...

    def items(self, path_or_url: str, params: Mapping[str, str] | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every element of ``value`` across all ``@odata.nextLink`` pages."""
        ...

    async def download(self, path_or_url: str, *, max_bytes: int | None = None) -> bytes: ...


class GraphCredentials(Protocol):
    """An app registration's identity and secret references (SharePoint settings carry them)."""

    @property
    def tenant_id(self) -> str: ...

    @property
    def client_id(self) -> str: ...

    @property
    def client_secret_ref(self) -> str | None: ...

    @property
    def certificate_ref(self) -> str | None: ...

    @property
    def certificate_thumbprint(self) -> str | None: ...


class GraphFactory(Protocol):
    async def __call__(self, credentials: GraphCredentials, secrets: SecretResolver) -> GraphApi: ...
