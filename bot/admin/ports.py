"""Protocols of the admin area. ``ConfigRepository`` is what both config stores implement."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.admin.models import AdminEntry, AuditEntry, ChannelSettings, SyncRequest
from bot.models import Feedback
from bot.ports import FeedbackRecorder, SourceRepository


@runtime_checkable
class ChannelSettingsRepository(Protocol):
    async def get_channel(self, platform: str, channel_id: str) -> ChannelSettings | None: ...

    async def save_channel(self, settings: ChannelSettings) -> None: ...

    async def list_channels(self) -> list[ChannelSettings]: ...


@runtime_checkable
class AdminRepository(Protocol):
    async def list_admins(self) -> list[AdminEntry]: ...

    async def add_admin(self, entry: AdminEntry) -> None: ...

    async def remove_admin(self, user: str) -> None: ...


@runtime_checkable
class AuditLog(Protocol):
    """Append-only: entries are never updated or deleted."""

    async def append_audit(self, entry: AuditEntry) -> None: ...

    async def list_audit(self, limit: int = 50) -> list[AuditEntry]:
        """Newest first."""
        ...


@runtime_checkable
class SyncRequestQueue(Protocol):
    """ "Sync now" requests recorded for a worker that runs elsewhere."""

    async def add_sync_request(self, request: SyncRequest) -> None: ...

    async def pending_sync_requests(self) -> list[SyncRequest]: ...

    async def complete_sync_request(self, request_id: str) -> None: ...


@runtime_checkable
class WorkerSources(SourceRepository, SyncRequestQueue, Protocol):
    """What the ingest worker reads and writes: sources, their status, queued "sync now" requests."""


@runtime_checkable
class FeedbackLog(FeedbackRecorder, Protocol):
    async def list_feedback(self, limit: int = 50) -> list[Feedback]: ...


@runtime_checkable
class ConfigRepository(
    SourceRepository,
    ChannelSettingsRepository,
    AdminRepository,
    AuditLog,
    SyncRequestQueue,
    FeedbackLog,
    Protocol,
):
    """All configuration state (SQLite locally, DynamoDB on AWS)."""


@runtime_checkable
class SyncTrigger(Protocol):
    """Starts (or queues) a sync of one source; returns a short human-readable outcome."""

    async def sync_now(self, source: str, requested_by: str) -> str: ...


@runtime_checkable
class DocumentRemover(Protocol):
    """Drops a removed source's documents (the local store; part of :class:`bot.ports.SourceCatalog`)."""

    async def delete_source(self, name: str) -> int:
        """Remove every document of the source; returns how many there were."""
        ...


@runtime_checkable
class GroupResolver(Protocol):
    async def groups_for(self, user_id: str, email: str | None = None) -> list[str]:
        """ACL groups of a person; ``[]`` = only documents open to everyone."""
        ...
