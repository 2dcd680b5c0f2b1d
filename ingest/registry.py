"""Source kinds: the typed settings schema of each kind, and the factory that builds its connector.

``SOURCE_KINDS`` maps a kind (``bot.models.Source.kind``) to the pydantic model its ``settings``
must satisfy; ``kbot sources add`` validates input against it. Secrets are never stored in
settings: keys ending in ``_ref`` hold a reference, ``env:NAME`` (an environment variable) or a
Secrets Manager ARN (``arn:aws:secretsmanager:...``), resolved only when a connector is built.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import ConfigError, InputError
from bot.models import Source
from ingest.auth import TokenProvider
from ingest.http import Sleep
from ingest.interfaces import Connector

SECRET_REF_HELP = "a secret reference: 'env:VAR_NAME' or a Secrets Manager ARN 'arn:aws:secretsmanager:...'"


_ENV_REF = re.compile(r"env:[A-Za-z_][A-Za-z0-9_]*")
_ARN_REF = re.compile(r"arn:aws[a-z-]*:secretsmanager:")


def _check_ref(value: str | None) -> str | None:
    if value is None:
        return None
    if _ENV_REF.fullmatch(value) or _ARN_REF.match(value):
        return value
    raise ValueError(f"must be {SECRET_REF_HELP}, never the secret itself")


class SourceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval_minutes: int = Field(60, ge=1, le=7 * 24 * 60, description="how often `kbot worker` syncs it")
    max_file_mb: int | None = Field(None, ge=1, description="per-file size limit (default KBOT_MAX_FILE_MB)")


class FolderSettings(SourceSettings):
    path: str = Field(..., description="local path or mounted share")


class SharePointSettings(SourceSettings):
    site_url: str = Field(..., description="https://contoso.sharepoint.com/sites/HR")
    tenant_id: str
    client_id: str
    client_secret_ref: str | None = None
    certificate_ref: str | None = Field(None, description="PEM private key (+ certificate) reference")
    certificate_thumbprint: str | None = None
    libraries: list[str] = Field(default_factory=list, description="drive names; empty = every library")
    include_folders: list[str] = Field(default_factory=list, description="path prefixes inside a library")
    exclude_folders: list[str] = Field(default_factory=list)
    extensions: list[str] = Field(default_factory=list, description="e.g. ['.docx', '.pdf']; empty = all")
    map_permissions: bool = Field(True, description="read item permissions into ACL groups")

    _refs = field_validator("client_secret_ref", "certificate_ref")(_check_ref)

    @model_validator(mode="after")
    def _one_credential(self) -> SharePointSettings:
        if bool(self.client_secret_ref) == bool(self.certificate_ref):
            raise ValueError("give exactly one of client_secret_ref or certificate_ref")
        if self.certificate_ref and not self.certificate_thumbprint:
            raise ValueError("certificate_ref needs certificate_thumbprint")
        if not self.site_url.startswith(("https://", "http://")):
            raise ValueError("site_url must be an https:// URL")
        return self


class ConfluenceSettings(SourceSettings):
    base_url: str = Field(..., description="https://example.atlassian.net/wiki or https://confluence.corp")
    deployment: Literal["cloud", "datacenter"] = "cloud"
    spaces: list[str] = Field(..., min_length=1, description="space keys")
    email: str | None = Field(None, description="Cloud: the API token's account email")
    token_ref: str = Field(..., description="Cloud API token or Data Center personal access token")
    reconcile_hours: float = Field(24, gt=0, description="full id reconciliation (deletes, moves) period")
    restricted: Literal["skip", "acl"] = Field(
        "acl", description="pages with read restrictions: map restricted groups to ACLs, or skip them"
    )

    _refs = field_validator("token_ref")(_check_ref)

    @model_validator(mode="after")
    def _cloud_needs_email(self) -> ConfluenceSettings:
        if self.deployment == "cloud" and not self.email:
            raise ValueError("deployment 'cloud' needs email (API tokens use basic auth)")
        return self


class MediaWikiSettings(SourceSettings):
    api_url: str = Field(..., description="https://wiki.example.com/w/api.php")
    namespaces: list[int] = Field(default_factory=lambda: [0])
    username: str | None = Field(None, description="bot password user, 'User@BotName'")
    password_ref: str | None = None
    reconcile_hours: float = Field(24, gt=0)

    _refs = field_validator("password_ref")(_check_ref)

    @model_validator(mode="after")
    def _login_pair(self) -> MediaWikiSettings:
        if bool(self.username) != bool(self.password_ref):
            raise ValueError("username and password_ref go together")
        return self


SOURCE_KINDS: dict[str, type[SourceSettings]] = {
    "folder": FolderSettings,
    "sharepoint": SharePointSettings,
    "confluence": ConfluenceSettings,
    "mediawiki": MediaWikiSettings,
}


def validate_settings(kind: str, settings: dict[str, Any]) -> SourceSettings:
    """Typed settings for ``kind``; an InputError with a one-line message when invalid."""
    model = SOURCE_KINDS.get(kind)
    if model is None:
        raise InputError(f"unknown source kind '{kind}' (one of: {', '.join(sorted(SOURCE_KINDS))})")
    try:
        return model.model_validate(settings)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or kind}: {err['msg']}" for err in exc.errors()
        )
        raise InputError(f"invalid {kind} settings: {problems}") from None


SecretResolver = Callable[[str], Awaitable[str]]
GraphTokens = Callable[[SharePointSettings, SecretResolver], Awaitable[TokenProvider]]


async def env_secret(ref: str) -> str:
    """Resolve ``env:NAME``; ARNs need the Secrets Manager resolver from ``adapters``."""
    if ref.startswith("env:"):
        value = os.environ.get(ref[4:])
        if not value:
            raise ConfigError(f"secret reference {ref}: environment variable is not set")
        return value
    raise ConfigError(f"secret reference {ref.split(':secret:')[0]}...: no Secrets Manager resolver set up")


@dataclass(slots=True)
class ConnectorContext:
    """What the factory needs besides a source's own settings (built by the CLI/worker)."""

    session: aiohttp.ClientSession
    secrets: SecretResolver = env_secret
    graph_url: str = "https://graph.microsoft.com"
    graph_tokens: GraphTokens | None = None
    supports: Callable[[str], bool] | None = None  # the parser's supported file names
    max_file_mb: int = 50
    sleep: Sleep | None = None  # tests: a fast sleep for Retry-After / backoff


async def build_connector(source: Source, ctx: ConnectorContext) -> Connector:
    settings = validate_settings(source.kind, source.settings)
    max_bytes = (settings.max_file_mb or ctx.max_file_mb) * 1024 * 1024
    if isinstance(settings, FolderSettings):
        from ingest.connectors.folder import FolderConnector

        root = await asyncio.to_thread(lambda: Path(settings.path).expanduser())
        if not await asyncio.to_thread(root.exists):
            raise ConfigError(f"source {source.name}: folder {root} does not exist")
        return FolderConnector(
            source.name, root, supports=ctx.supports, max_bytes=max_bytes, acl_groups=list(source.audience)
        )
    if isinstance(settings, SharePointSettings):
        from ingest.connectors.sharepoint import SharePointConnector
        from ingest.graph.client import GraphClient

        if ctx.graph_tokens is None:
            raise ConfigError("SharePoint sources need a Graph token provider (msal); none is configured")
        tokens = await ctx.graph_tokens(settings, ctx.secrets)
        graph = GraphClient(ctx.graph_url, tokens, ctx.session, sleep=ctx.sleep)
        return SharePointConnector(
            source.name, settings, graph, supports=ctx.supports, max_bytes=max_bytes,
            default_groups=list(source.audience),
        )
    if isinstance(settings, ConfluenceSettings):
        from ingest.connectors.confluence import ConfluenceConnector

        token = await ctx.secrets(settings.token_ref)
        return ConfluenceConnector(
            source.name, settings, ctx.session, token=token, default_groups=list(source.audience),
            sleep=ctx.sleep,
        )
    if isinstance(settings, MediaWikiSettings):
        from ingest.connectors.mediawiki import MediaWikiConnector

        password = await ctx.secrets(settings.password_ref) if settings.password_ref else None
        return MediaWikiConnector(
            source.name, settings, ctx.session, password=password, default_groups=list(source.audience),
            sleep=ctx.sleep,
        )
    raise InputError(f"unknown source kind '{source.kind}'")  # pragma: no cover - validate_settings checks
