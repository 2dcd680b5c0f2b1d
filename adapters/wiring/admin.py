"""The admin side of the composition root: the admin service, the group resolver and "Sync now"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.admin.groups import CombinedGroupResolver, FileGroupResolver, GraphGroupResolver
from bot.admin.ports import GroupResolver, SyncTrigger
from bot.admin.service import AdminService
from bot.admin.sync import BackgroundSync, QueuedSync
from bot.admin.validation import SourceKinds
from bot.errors import ConfigError

if TYPE_CHECKING:
    from adapters.wiring.ingest import IngestParts  # what these builders read of the App


def source_kinds() -> SourceKinds:
    from ingest.registry import SOURCE_KINDS

    return SOURCE_KINDS


def build_group_resolver(app: IngestParts) -> GroupResolver:
    """The mapping file, plus Entra ID membership when ``KBOT_GRAPH_GROUPS`` is on."""
    settings = app.settings
    mapping = FileGroupResolver(settings.kbot_user_groups_file)
    if not settings.kbot_graph_groups:
        return mapping
    if not (settings.microsoft_app_id and settings.microsoft_app_password and settings.microsoft_app_tenant_id):
        raise ConfigError(
            "KBOT_GRAPH_GROUPS needs MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID"
        )
    from adapters.config_store.graph_groups import GraphMembership
    from adapters.msgraph.auth import MsalTokenProvider

    tokens = MsalTokenProvider(
        settings.microsoft_app_tenant_id,
        settings.microsoft_app_id,
        client_secret=settings.microsoft_app_password.get_secret_value(),
        login_url=settings.kbot_login_url,
        graph_url=settings.kbot_graph_url,
    )
    return CombinedGroupResolver([mapping, GraphGroupResolver(GraphMembership(settings.kbot_graph_url, tokens))])


def build_sync_trigger(app: IngestParts) -> SyncTrigger:
    """Embedded: "Sync now" runs the ingest worker for that source in this process, in the
    background. On AWS (``KBOT_CONFIG_TABLE``) the request is queued in the config table for the
    ingest worker (:func:`bot.admin.sync.drain_sync_requests`)."""
    if app.settings.kbot_config_table:
        return QueuedSync(app.config)

    async def run_sync(name: str) -> None:
        from adapters.wiring.ingest import open_worker

        async with open_worker(app) as worker:
            await worker.run_once([name])

    return BackgroundSync(run_sync)


def build_admin_service(app: IngestParts) -> AdminService:
    documents = app.store if app.settings.kbot_backend == "embedded" else None
    return AdminService(
        app.config,
        bootstrap_admins=app.settings.admin_ids(),
        kinds=source_kinds,
        documents=documents,
        sync=build_sync_trigger(app),
    )
