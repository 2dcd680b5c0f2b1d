"""AdminService: every admin action, checked server-side and written to the audit log.

Front ends (CLI, Slack, Teams) only translate; they never decide who is an admin. Mutations
and every denial are audited; invalid input is audited as ``invalid`` and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.admin.models import VISIBILITIES, Actor, AdminEntry, AuditEntry, ChannelSettings, SourceHealth
from bot.admin.ports import ConfigRepository, DocumentRemover, SyncTrigger
from bot.admin.secrets import secret_kind
from bot.admin.validation import SourceKinds, build_source, shown, validate_kind, validate_name
from bot.errors import InputError, KbotError, NotFoundError, PermissionDenied
from bot.models import Source

log = logging.getLogger(__name__)
T = TypeVar("T")


class AdminService:
    def __init__(
        self,
        repo: ConfigRepository,
        *,
        bootstrap_admins: set[str],
        kinds: SourceKinds | Callable[[], SourceKinds],
        documents: DocumentRemover | None = None,
        sync: SyncTrigger | None = None,
    ) -> None:
        self.repo = repo
        self.bootstrap_admins = {a.strip().lower() for a in bootstrap_admins if a.strip()}
        self._kinds = kinds
        self.documents = documents
        self.sync = sync

    # --- rights --------------------------------------------------------------------------
    @property
    def kinds(self) -> SourceKinds:
        return self._kinds() if callable(self._kinds) else self._kinds

    async def is_admin(self, actor: Actor) -> bool:
        if actor.platform == "cli":  # the local operator runs the CLI with the store's file rights
            return True
        ids = actor.identities()
        if ids & self.bootstrap_admins:
            return True
        return any(entry.user in ids for entry in await self.repo.list_admins())

    async def require_admin(self, actor: Actor, action: str, target: str = "") -> None:
        if not await self.is_admin(actor):
            await self._audit(actor, action, target, "denied", "not an admin")
            log.warning("admin action denied", extra={"kb_actor": actor.audit_name, "kb_action": action})
            raise PermissionDenied(f"{actor.audit_name} is not a kbot admin (action {action})")

    async def _audit(self, actor: Actor, action: str, target: str, outcome: str, detail: str = "") -> None:
        target = target if len(target) <= 200 and not secret_kind(target) else shown(target)
        entry = AuditEntry(actor.audit_name, action, target, outcome, detail[:500], datetime.now(UTC))
        await self.repo.append_audit(entry)

    async def _mutate(
        self, actor: Actor, action: str, target: str, work: Callable[[], Awaitable[T]], detail: str = ""
    ) -> T:
        await self.require_admin(actor, action, target)
        try:
            result = await work()
        except (InputError, NotFoundError) as exc:
            await self._audit(actor, action, target, "invalid", str(exc))
            raise
        except KbotError as exc:
            await self._audit(actor, action, target, "error", str(exc))
            raise
        await self._audit(actor, action, target, "ok", detail)
        return result

    # --- sources -------------------------------------------------------------------------
    async def add_source(
        self,
        actor: Actor,
        *,
        kind: str,
        name: str,
        settings: Mapping[str, Any],
        audience: list[str] | None = None,
        schedule: str | None = None,
        enabled: bool = True,
        replace: bool = False,
    ) -> Source:
        async def work() -> Source:
            source = build_source(
                kind=kind,
                name=name,
                settings=settings,
                kinds=self.kinds,
                audience=audience,
                schedule=schedule,
                enabled=enabled,
            )
            if not replace and await self._find(source.name) is not None:
                raise InputError(f"source '{source.name}' already exists (remove it first or use replace)")
            await self.repo.save_source(source)
            return source

        return await self._mutate(actor, "sources.add", name, work, detail=f"kind={kind}")

    async def list_sources(self, actor: Actor) -> list[Source]:
        await self.require_admin(actor, "sources.list")
        return await self.repo.list_sources()

    async def get_source(self, actor: Actor, name: str) -> Source:
        await self.require_admin(actor, "sources.show", name)
        return await self.repo.get_source(name)

    async def set_enabled(self, actor: Actor, name: str, enabled: bool) -> Source:
        async def work() -> Source:
            source = await self.repo.get_source(name)
            source.enabled = enabled
            await self.repo.save_source(source)
            return source

        return await self._mutate(actor, "sources.enable" if enabled else "sources.disable", name, work)

    async def remove_source(self, actor: Actor, name: str) -> int:
        """Remove a source and its documents; returns how many documents were deleted.

        The source is disabled first, so it stops being cited even if deleting its documents
        fails (then the error says so and the source stays, disabled, for a retry).
        """

        async def work() -> int:
            source = await self.repo.get_source(name)
            if source.enabled:
                source.enabled = False
                await self.repo.save_source(source)
            deleted = 0
            if self.documents is not None:
                deleted = await self.documents.delete_source(name)
            await self.repo.remove_source(name)
            return deleted

        return await self._mutate(actor, "sources.remove", name, work)

    async def health(self, actor: Actor) -> list[SourceHealth]:
        await self.require_admin(actor, "sources.status")
        return await source_health(self.repo)

    async def sync_now(self, actor: Actor, name: str) -> str:
        async def work() -> str:
            source = await self.repo.get_source(name)
            if not source.enabled:
                raise InputError(f"source '{name}' is disabled; enable it before syncing")
            if self.sync is None:
                raise InputError("no sync worker is configured")
            return await self.sync.sync_now(name, actor.audit_name)

        return await self._mutate(actor, "sources.sync", name, work)

    async def _find(self, name: str) -> Source | None:
        try:
            return await self.repo.get_source(name)
        except NotFoundError:
            return None

    def kind_fields(self, kind: str) -> list[tuple[str, bool]]:
        """(setting name, required) of a source kind, for forms and help texts."""
        model = validate_kind(kind, self.kinds)
        return [(field, info.is_required()) for field, info in model.model_fields.items()]

    # --- admins --------------------------------------------------------------------------
    async def list_admins(self, actor: Actor) -> list[AdminEntry]:
        await self.require_admin(actor, "admins.list")
        configured = [AdminEntry(user, "KBOT_ADMINS") for user in sorted(self.bootstrap_admins)]
        return configured + await self.repo.list_admins()

    async def add_admin(self, actor: Actor, user: str) -> AdminEntry:
        user = (user or "").strip().lower()

        async def work() -> AdminEntry:
            if not user or len(user) > 200 or any(c.isspace() for c in user):
                raise InputError("give a Slack user id, a Teams AAD object id or an email address")
            entry = AdminEntry(user, actor.audit_name, datetime.now(UTC))
            await self.repo.add_admin(entry)
            return entry

        return await self._mutate(actor, "admins.add", user, work)

    async def remove_admin(self, actor: Actor, user: str) -> None:
        user = (user or "").strip().lower()

        async def work() -> None:
            if user in self.bootstrap_admins:
                raise InputError(f"'{user}' is listed in KBOT_ADMINS; remove it there")
            if user not in {e.user for e in await self.repo.list_admins()}:
                raise NotFoundError(f"'{user}' is not an added admin")
            await self.repo.remove_admin(user)

        await self._mutate(actor, "admins.remove", user, work)

    # --- channels and audit -----------------------------------------------------------------
    async def set_channel(
        self,
        actor: Actor,
        platform: str,
        channel_id: str,
        *,
        sources: list[str] | None = None,
        visibility: str = "members",
        followups: bool | None = None,
    ) -> ChannelSettings:
        async def work() -> ChannelSettings:
            if visibility not in VISIBILITIES:
                raise InputError(f"visibility must be one of: {', '.join(VISIBILITIES)}")
            names = None if sources is None else [validate_name(s) for s in sources]
            known = {s.name for s in await self.repo.list_sources()}
            unknown = sorted(set(names or []) - known)
            if unknown:
                raise InputError(f"unknown source(s): {', '.join(unknown)}")
            settings = ChannelSettings(platform, channel_id, names, visibility, actor.audit_name, followups)  # type: ignore[arg-type]
            await self.repo.save_channel(settings)
            return settings

        return await self._mutate(actor, "channels.set", f"{platform}:{channel_id}", work)

    async def list_channels(self, actor: Actor) -> list[ChannelSettings]:
        await self.require_admin(actor, "channels.list")
        return await self.repo.list_channels()

    async def audit_log(self, actor: Actor, limit: int = 50) -> list[AuditEntry]:
        await self.require_admin(actor, "audit.list")
        return await self.repo.list_audit(limit)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


async def source_health(repo: ConfigRepository) -> list[SourceHealth]:
    now = datetime.now(UTC)
    pending = {r.source for r in await repo.pending_sync_requests()}
    rows = []
    for source in sorted(await repo.list_sources(), key=lambda s: s.name):
        status = await repo.get_status(source.name)
        status.last_success, status.last_run = _aware(status.last_success), _aware(status.last_run)
        rows.append(
            SourceHealth(
                name=source.name,
                kind=source.kind,
                enabled=source.enabled,
                documents=status.documents,
                failures=status.failures,
                last_success=status.last_success,
                last_run=status.last_run,
                lag_seconds=status.lag_seconds(now),
                running=status.running,
                last_error=status.last_error,
                failure_samples=list(status.failure_samples),
                pending_sync=source.name in pending,
            )
        )
    return rows
