"""What a source kind is: a row of the kind table (:mod:`ingest.registry`).

Each kind's module (``ingest/connectors/<kind>.py``) owns its settings model, its typed checkpoint,
where its documents live (the location shown by ``kbot sources``) and how its connector is built,
and exports them as one :class:`SourceKind`. The registry only lists the kinds, so it imports
the connector modules and never the other way round.

Secrets are never stored in settings: keys ending in ``_ref`` hold a reference
(:mod:`bot.secret_refs`), resolved only when a connector is built.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from bot.models import Source
from bot.secret_refs import SecretResolver, env_secret
from ingest.graph import GraphFactory
from ingest.http import HttpClients
from ingest.interfaces import Connector, ConnectorCheckpoint


class SourceSettings(BaseModel):
    """Settings every kind has."""

    model_config = ConfigDict(extra="forbid")

    interval_minutes: int = Field(60, ge=1, le=7 * 24 * 60, description="how often `kbot worker` syncs it")
    max_file_mb: int | None = Field(None, ge=1, description="per-file size limit (default KBOT_MAX_FILE_MB)")


@dataclass(slots=True)
class ConnectorContext:
    """What building a connector needs besides the source's own settings (built by the adapters)."""

    http: HttpClients  # adapters.http.SessionHttpClients: one connection pool per run
    secrets: SecretResolver = env_secret
    graph: GraphFactory | None = None  # adapters.msgraph.auth.graph_factory (SharePoint)
    supports: Callable[[str], bool] | None = None  # the parser's supported file names
    max_file_mb: int = 50

    def max_bytes(self, settings: SourceSettings) -> int:
        return (settings.max_file_mb or self.max_file_mb) * 1024 * 1024


S = TypeVar("S", bound=SourceSettings)


@dataclass(frozen=True, slots=True)
class SourceKind(Generic[S]):
    name: str  # bot.models.Source.kind
    settings: type[S]
    checkpoint: type[ConnectorCheckpoint]
    location: Callable[[S], str | None]  # where the documents live: a path or URL, never a secret
    build: Callable[[Source, S, ConnectorContext], Awaitable[Connector]]
