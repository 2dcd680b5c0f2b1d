"""The ingest worker: sync configured sources once (``kbot sync``) or forever (``kbot worker``).

Each sync records a :class:`bot.models.SourceStatus` (running, last run, last success, documents,
failures with samples, last error) through the source repository, which ``kbot sources status``
and the admin views read. A failing source never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.admin.ports import WorkerSources
from bot.errors import KbotError, NotFoundError
from bot.models import Source, SourceStatus
from bot.ports import SourceCatalog
from ingest.interfaces import Connector
from ingest.pipeline import IngestPipeline, SyncReport
from ingest.registry import source_location, validate_settings

log = logging.getLogger(__name__)
ConnectorFactory = Callable[[Source], Awaitable[Connector]]
MAX_SAMPLES = 5


@dataclass(slots=True)
class SyncOutcome:
    source: str
    report: SyncReport | None = None
    error: str | None = None


class SyncWorker:
    def __init__(
        self,
        sources: WorkerSources,
        pipeline: IngestPipeline,
        connectors: ConnectorFactory,
        *,
        catalog: SourceCatalog | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sources = sources
        self.pipeline = pipeline
        self.connectors = connectors
        self.catalog = catalog  # the local store records each source's kind and location
        self.clock = clock

    async def sync_source(self, source: Source) -> SyncOutcome:
        status = await self.sources.get_status(source.name)
        lag = status.lag_seconds(self.clock())  # staleness before this run: the dashboard's ingest lag
        lag_extra = {"kb_lag_seconds": round(lag, 1)} if lag is not None else {}
        status.running, status.last_run = True, self.clock()
        await self.sources.save_status(status)
        try:
            if self.catalog is not None:
                await self.catalog.ensure_source(source.name, source.kind, source_location(source))
            connector = await self.connectors(source)
            report = await self.pipeline.sync(connector, source=source.name)
            outcome = await self.pipeline.sink.finish(source.name)  # Bedrock KB: the ingestion job
            if outcome is not None:
                report.failures += outcome.failures  # staged but not indexed (Bedrock)
            documents = len(await self.pipeline.sink.known(source.name))
        except KbotError as exc:
            log.error("sync of %s failed: %s", source.name, exc, extra={"kb_source": source.name, **lag_extra})
            status.running, status.last_error = False, str(exc)
            await self.sources.save_status(status)
            return SyncOutcome(source.name, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - one broken source must not stop the worker
            log.exception("sync of %s crashed", source.name, extra={"kb_source": source.name})
            status.running, status.last_error = False, f"unexpected {type(exc).__name__}: {exc}"
            await self.sources.save_status(status)
            return SyncOutcome(source.name, error=status.last_error)
        _record_success(status, report, documents, self.clock())
        await self.sources.save_status(status)
        log.info("%s", report.summary(), extra={"kb_source": source.name, "kb_seen": report.seen,
                                                "kb_failures": len(report.failures), **lag_extra})
        return SyncOutcome(source.name, report=report)

    async def run_once(self, names: Sequence[str] | None = None) -> list[SyncOutcome]:
        """Sync the named sources (all enabled ones when ``names`` is empty), one after another."""
        if names:
            chosen = [await self.sources.get_source(n) for n in names]
        else:
            chosen = [s for s in await self.sources.list_sources() if s.enabled]
        return [await self.sync_source(s) for s in chosen]

    async def run_forever(self, stop: asyncio.Event, *, max_idle: float = 60.0) -> None:
        """Sync each enabled source whenever its ``interval_minutes`` has passed since its last run."""
        while not stop.is_set():
            await self._run_requested()
            next_due: datetime | None = None
            for source in await self.sources.list_sources():
                if stop.is_set():
                    return
                if not source.enabled:
                    continue
                due = await self._due_at(source)
                if due <= self.clock():
                    await self.sync_source(source)
                    due = await self._due_at(source)
                next_due = due if next_due is None else min(next_due, due)
            wait = max_idle if next_due is None else (next_due - self.clock()).total_seconds()
            try:
                await asyncio.wait_for(stop.wait(), timeout=min(max(wait, 0.05), max_idle))
            except TimeoutError:
                pass

    async def _run_requested(self) -> None:
        """Admin "sync now" requests (``SyncRequest``) queued for this worker."""
        for request in await self.sources.pending_sync_requests():
            try:
                source = await self.sources.get_source(request.source)
            except NotFoundError:
                source = None
            if source is not None and source.enabled:
                await self.sync_source(source)
            await self.sources.complete_sync_request(request.id)

    async def _due_at(self, source: Source) -> datetime:
        try:
            interval = validate_settings(source.kind, source.settings).interval_minutes
        except KbotError:
            interval = 60  # invalid settings: the sync itself reports the problem in the status
        try:
            status = await self.sources.get_status(source.name)
        except NotFoundError:
            status = SourceStatus(source=source.name)
        if status.last_run is None:
            return self.clock()
        return status.last_run + timedelta(minutes=interval)


def _record_success(status: SourceStatus, report: SyncReport, documents: int, now: datetime) -> None:
    status.running = False
    status.last_success = now
    status.last_error = None
    status.documents = documents
    status.failures = len(report.failures)
    status.failure_samples = [f"{f.uri}: {f.reason}"[:300] for f in report.failures[:MAX_SAMPLES]]
