"""Ingestion jobs of an S3 data source: one at a time, started for what syncs staged, read back.

Bedrock runs one ingestion job per data source at a time (a second ``StartIngestionJob`` gets
``ConflictException``). Per-source syncs therefore only stage documents and leave a durable
"pending" mark (:class:`ingest.interfaces.PendingIngests`); :meth:`IngestionJobs.run_pending` starts
one job for every pending source, waiting for a running job first, then reads back the job's
statistics and each failed document (``ListKnowledgeBaseDocuments``) for ``kbot sources status``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from adapters.bedrock.faults import translate
from adapters.bedrock_sink.layout import client_token
from bot.errors import BackendError, BackendTimeout
from bot.models import IndexOutcome
from ingest.interfaces import DocumentFailure, PendingIngests

log = logging.getLogger(__name__)
FINAL = {"COMPLETE", "FAILED", "STOPPED"}
RUNNING = ["STARTING", "IN_PROGRESS", "STOPPING"]
# Document statuses that mean the document (or its metadata) did not make it into the index.
FAILED_DOCUMENT = {"FAILED", "PARTIALLY_INDEXED", "METADATA_PARTIALLY_INDEXED", "METADATA_UPDATE_FAILED"}
MAX_LISTED_PAGES = 50  # ListKnowledgeBaseDocuments pages read back per job (100 documents each)


class MemoryPendingIngests:
    """In-process marks (tests, and sinks built without a durable store)."""

    def __init__(self) -> None:
        self._marks: dict[tuple[str, str], str] = {}

    async def mark(self, data_source: str, source: str) -> None:
        self._marks[(data_source, source)] = uuid.uuid4().hex

    async def pending(self, data_source: str) -> dict[str, str]:
        return {s: t for (d, s), t in self._marks.items() if d == data_source}

    async def clear(self, data_source: str, marks: dict[str, str]) -> None:
        for source, token in marks.items():
            if self._marks.get((data_source, source)) == token:
                del self._marks[(data_source, source)]


def source_of_key(key: str, prefix: str) -> str | None:
    """The source a document object key belongs to (inverse of ``layout.object_key``)."""
    if not key.startswith(prefix):
        return None
    head = key[len(prefix) :].split("/", 1)[0]
    return unquote(head) or None


class IngestionJobs:
    def __init__(
        self,
        agent: Any,
        knowledge_base_id: str,
        data_source_id: str,
        pending: PendingIngests,
        *,
        prefix: str = "kbot-docs/",
        poll_interval: float = 10.0,
        poll_timeout: float = 3600.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.agent = agent
        self.ids = {"knowledgeBaseId": knowledge_base_id, "dataSourceId": data_source_id}
        self.pending = pending
        self.prefix = prefix
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self.sleep = sleep

    async def _call(self, operation: str, **params: Any) -> Any:
        try:
            return await asyncio.to_thread(getattr(self.agent, operation), **self.ids, **params)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, operation) from exc

    async def run_pending(self) -> dict[str, IndexOutcome]:
        """One job for every source staged and not yet indexed; {} when nothing is pending."""
        marks = await self.pending.pending(self.ids["dataSourceId"])
        if not marks:
            return {}
        job = await self.wait(await self.start(f"kbot sync of {', '.join(sorted(marks))}"))
        job_id = str(job["ingestionJobId"])
        if job["status"] != "COMPLETE":  # the marks stay: the next run starts another job
            reasons = "; ".join(job.get("failureReasons") or []) or "no reason given"
            raise BackendError(f"ingestion job {job_id} ended {job['status']}: {reasons}")
        await self.pending.clear(self.ids["dataSourceId"], marks)
        stats = job.get("statistics") or {}
        failures = await self.failed_documents(marks) if stats.get("numberOfDocumentsFailed") else {}
        if failures:
            log.warning("ingestion job %s: %d documents failed", job_id, stats["numberOfDocumentsFailed"])
        return {s: IndexOutcome("COMPLETE", job_id, failures.get(s, [])) for s in marks}

    async def start(self, description: str) -> dict[str, Any]:
        """``StartIngestionJob``; on ConflictException wait for the running job, then start again."""
        waited = 0.0
        while True:
            try:
                started = await asyncio.to_thread(
                    self.agent.start_ingestion_job,
                    **self.ids,
                    description=description[:200],
                    clientToken=client_token("job", description, uuid.uuid4().hex),
                )
                return dict(started["ingestionJob"])
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConflictException":
                    raise translate(exc, "StartIngestionJob") from exc
            except BotoCoreError as exc:
                raise translate(exc, "StartIngestionJob") from exc
            if waited >= self.poll_timeout:
                raise BackendTimeout(f"another ingestion job kept data source {self.ids['dataSourceId']} busy")
            running = await self.running()
            log.info("ingestion job already running for the data source; waiting for it to finish")
            if running is not None:
                await self.wait(running)
            else:  # finished between the conflict and the listing
                await self.sleep(self.poll_interval)
            waited += self.poll_interval

    async def running(self) -> dict[str, Any] | None:
        listed = await self._call(
            "list_ingestion_jobs",
            filters=[{"attribute": "STATUS", "operator": "EQ", "values": RUNNING}],
            sortBy={"attribute": "STARTED_AT", "order": "DESCENDING"},
            maxResults=10,
        )
        jobs = listed.get("ingestionJobSummaries") or []
        return dict(jobs[0]) if jobs else None

    async def wait(self, job: dict[str, Any]) -> dict[str, Any]:
        waited = 0.0
        while job["status"] not in FINAL:
            if waited >= self.poll_timeout:
                raise BackendTimeout(f"ingestion job {job['ingestionJobId']} still {job['status']} after {waited:.0f}s")
            await self.sleep(self.poll_interval)
            waited += self.poll_interval
            got = await self._call("get_ingestion_job", ingestionJobId=job["ingestionJobId"])
            job = dict(got["ingestionJob"])
        return job

    async def failed_documents(self, sources: Iterable[str]) -> dict[str, list[DocumentFailure]]:
        """Failed documents of ``sources`` with Bedrock's reason, from ``ListKnowledgeBaseDocuments``."""
        wanted, out = set(sources), dict[str, list[DocumentFailure]]()
        token: str | None = None
        for _ in range(MAX_LISTED_PAGES):
            page = await self._call(
                "list_knowledge_base_documents", maxResults=100, **({"nextToken": token} if token else {})
            )
            for detail in page.get("documentDetails") or []:
                if detail.get("status") not in FAILED_DOCUMENT:
                    continue
                uri = str(((detail.get("identifier") or {}).get("s3") or {}).get("uri") or "")
                key = uri.split("/", 3)[3] if uri.count("/") >= 3 else ""
                source = source_of_key(key, self.prefix)
                if source in wanted:
                    reason = f"not indexed ({detail['status']}): {detail.get('statusReason') or 'no reason given'}"
                    out.setdefault(source, []).append(DocumentFailure(None, uri, reason[:300]))
            token = page.get("nextToken")
            if not token:
                break
        return out
