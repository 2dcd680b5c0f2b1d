"""The ingest side of the composition root: the sync worker (sink, checkpoints, connectors) from the App.

The sink follows ``KBOT_BACKEND``: the local store (embedded) or the Bedrock Knowledge Base.
Checkpoints live in the config table when ``KBOT_CONFIG_TABLE`` is set (AWS: the Fargate task's disk
does not outlive a run), else in SQLite next to the store.
Used by ``kbot sync`` and ``kbot worker``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Protocol

import aiohttp

from adapters.http import SessionHttpClients
from adapters.msgraph.auth import graph_factory
from adapters.secrets import SecretResolver
from bot.models import Source
from ingest.interfaces import Connector
from ingest.kinds import ConnectorContext
from ingest.registry import build_connector
from ingest.worker import SyncWorker

if TYPE_CHECKING:
    from adapters.cli.progress import ProgressBar
    from adapters.config_store.dynamodb_checkpoints import DynamoCheckpointStore
    from adapters.store.checkpoints import SqliteCheckpointStore
    from adapters.store.sqlite_store import SqliteStore
    from bot.admin.ports import ConfigRepository
    from bot.ports import CheckpointStore, DocumentSink, FileParser
    from bot.settings import Settings
    from ingest.pipeline import IngestPipeline


class IngestParts(Protocol):
    """What the worker takes from :class:`adapters.wiring.app.App` (declared here, so this module
    does not import the App: no import cycle)."""

    settings: Settings

    @property
    def store(self) -> SqliteStore: ...

    @property
    def parser(self) -> FileParser: ...

    @property
    def config(self) -> ConfigRepository: ...

    def checkpoint_store(self) -> SqliteCheckpointStore | DynamoCheckpointStore: ...

    def ingest_pipeline(
        self, *, progress: bool = False, checkpoints: CheckpointStore | None = None
    ) -> tuple[IngestPipeline, DocumentSink, ProgressBar]: ...


@contextlib.asynccontextmanager
async def open_worker(app: IngestParts, *, progress: bool = False) -> AsyncIterator[SyncWorker]:
    settings = app.settings
    checkpoints = app.checkpoint_store()
    pipeline, sink, bar = app.ingest_pipeline(progress=progress, checkpoints=checkpoints)
    session = aiohttp.ClientSession()
    ctx = ConnectorContext(
        http=SessionHttpClients(session),
        secrets=SecretResolver(region=settings.aws_region, profile=settings.aws_profile),
        graph=graph_factory(session, login_url=settings.kbot_login_url, graph_url=settings.kbot_graph_url),
        supports=app.parser.supports,
        max_file_mb=settings.kbot_max_file_mb,
    )
    catalog = app.store if settings.kbot_backend != "bedrock" else None

    async def connectors(source: Source) -> Connector:
        return await build_connector(source, ctx)

    try:
        yield SyncWorker(app.config, pipeline, connectors, catalog=catalog)
    finally:
        bar.close()
        await session.close()
        await checkpoints.close()
