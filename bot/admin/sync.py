""" "Sync now" triggers: queue a request for the worker, or run it in the background right here."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from bot.admin.models import SyncRequest
from bot.admin.ports import SyncRequestQueue
from bot.errors import NotFoundError

log = logging.getLogger(__name__)


class QueuedSync:
    """Records a sync request; the ingest worker (``kbot worker``) picks it up on its next round."""

    def __init__(self, queue: SyncRequestQueue) -> None:
        self.queue = queue

    async def sync_now(self, source: str, requested_by: str) -> str:
        pending = {r.source for r in await self.queue.pending_sync_requests()}
        if source in pending:
            return f"A sync of {source} is already queued."
        await self.queue.add_sync_request(SyncRequest(source, requested_by, datetime.now(UTC), uuid.uuid4().hex))
        return f"Sync of {source} queued; the ingest worker will start it shortly."


class BackgroundSync:
    """Runs ``run_sync(source)`` as a background task in this process (one at a time per source)."""

    def __init__(self, run_sync: Callable[[str], Awaitable[object]]) -> None:
        self.run_sync = run_sync
        self.tasks: dict[str, asyncio.Task[None]] = {}

    async def sync_now(self, source: str, requested_by: str) -> str:
        running = self.tasks.get(source)
        if running is not None and not running.done():
            return f"A sync of {source} is already running."
        self.tasks[source] = asyncio.create_task(self._run(source, requested_by))
        return f"Sync of {source} started."

    async def _run(self, source: str, requested_by: str) -> None:
        try:
            await self.run_sync(source)
        except Exception:  # noqa: BLE001 - a background task must log, never vanish; status records it
            log.exception("background sync failed", extra={"kb_source": source, "kb_by": requested_by})


class SourceSyncer(Protocol):
    """The part of ``ingest.worker.SyncWorker`` a queue drain needs."""

    async def run_once(self, names: Sequence[str] | None = None) -> Sequence[object]: ...


async def drain_sync_requests(queue: SyncRequestQueue, worker: SourceSyncer) -> list[str]:
    """Run every queued "Sync now" request once (duplicates of a source coalesce); returns the
    synced source names. Requests for sources that no longer exist are dropped."""
    done: list[str] = []
    for request in await queue.pending_sync_requests():
        if request.source not in done:
            try:
                await worker.run_once([request.source])
                done.append(request.source)
            except NotFoundError:
                log.info("dropping sync request for removed source %s", request.source)
        await queue.complete_sync_request(request.id)
    return done
