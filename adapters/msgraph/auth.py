"""Microsoft Graph app-only tokens with msal client credentials (secret or certificate).

The authority is ``KBOT_LOGIN_URL/<tenant>`` and the scope ``KBOT_GRAPH_URL/.default``, so national
clouds (US Gov, China) work by setting both URLs. msal is synchronous and does OIDC discovery when
the application is constructed; both run in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import msal

from adapters.msgraph.client import GraphClient
from bot.errors import AccessDeniedError, ConfigError
from bot.secret_refs import SecretResolver
from ingest.graph import GraphApi, GraphCredentials, GraphFactory
from ingest.http import Sleep


class MsalTokenProvider:
    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        client_secret: str | None = None,
        private_key_pem: str | None = None,
        thumbprint: str | None = None,
        login_url: str = "https://login.microsoftonline.com",
        graph_url: str = "https://graph.microsoft.com",
        http_client: Any = None,  # a requests.Session (tests: one that trusts a local certificate)
        instance_discovery: bool = False,
    ) -> None:
        if client_secret:
            self._credential: Any = client_secret
        elif private_key_pem and thumbprint:
            self._credential = {"private_key": private_key_pem, "thumbprint": thumbprint}
            if "BEGIN CERTIFICATE" in private_key_pem:  # PEM bundle with the public cert: send x5c (SNI)
                self._credential["public_certificate"] = private_key_pem
        else:
            raise ConfigError("Graph auth needs a client secret, or a certificate private key and thumbprint")
        self._authority = f"{login_url.rstrip('/')}/{tenant_id}"
        self._client_id = client_id
        self._scopes = [f"{graph_url.rstrip('/')}/.default"]
        self._http_client = http_client
        self._instance_discovery = instance_discovery
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = asyncio.Lock()

    def _build(self) -> msal.ConfidentialClientApplication:
        extra = {"http_client": self._http_client} if self._http_client is not None else {}
        try:
            return msal.ConfidentialClientApplication(
                self._client_id, client_credential=self._credential, authority=self._authority,
                instance_discovery=self._instance_discovery, **extra,
            )
        except ValueError as exc:  # bad authority / discovery failed
            raise ConfigError(f"Microsoft login authority {self._authority}: {exc}") from None

    def _acquire(self, force_refresh: bool) -> dict[str, Any]:
        if self._app is None:
            self._app = self._build()
        if force_refresh:  # the cached token was rejected (401): drop it so msal asks for a new one
            cache = self._app.token_cache
            for entry in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(entry)
        return self._app.acquire_token_for_client(scopes=self._scopes)

    async def token(self, *, force_refresh: bool = False) -> str:
        async with self._lock:
            result = await asyncio.to_thread(self._acquire, force_refresh)
        if "access_token" not in result:
            detail = (result.get("error_description") or "").strip().splitlines()
            raise AccessDeniedError(
                f"Microsoft login failed for client {self._client_id}: {result.get('error')}"
                + (f": {detail[0]}" if detail else "")
            )
        return str(result["access_token"])


def graph_token_factory(
    login_url: str, graph_url: str, http_client: Any = None
) -> Callable[[GraphCredentials, SecretResolver], Awaitable[MsalTokenProvider]]:
    """Credentials (SharePoint settings) + secrets → an msal token provider."""

    async def build(credentials: GraphCredentials, secrets: SecretResolver) -> MsalTokenProvider:
        ref, cert = credentials.client_secret_ref, credentials.certificate_ref
        secret = await secrets(ref) if ref else None
        key = await secrets(cert) if cert else None
        return MsalTokenProvider(
            credentials.tenant_id, credentials.client_id, client_secret=secret, private_key_pem=key,
            thumbprint=credentials.certificate_thumbprint, login_url=login_url, graph_url=graph_url,
            http_client=http_client,
        )

    return build


def graph_factory(
    session: aiohttp.ClientSession,
    *,
    login_url: str,
    graph_url: str,
    http_client: Any = None,
    sleep: Sleep | None = None,
) -> GraphFactory:
    """The ``ConnectorContext.graph`` hook: a :class:`GraphClient` per SharePoint source."""
    tokens = graph_token_factory(login_url, graph_url, http_client)

    async def build(credentials: GraphCredentials, secrets: SecretResolver) -> GraphApi:
        return GraphClient(graph_url, await tokens(credentials, secrets), session, sleep=sleep)

    return build
