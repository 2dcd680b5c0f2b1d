"""DocumentSink for an Amazon Bedrock Knowledge Base.

* **S3 data source**: each document is ``<prefix><source>/<id>.md`` in the data source's bucket with
  a ``.metadata.json`` sidecar; deletions remove both. Staging marks the source pending (durably)
  before the first write; :meth:`finish` runs one ingestion job for every pending source
  (:mod:`.jobs`), or, with ``start_jobs=False`` (Step Functions' per-source syncs), leaves that to
  the single job state after the Map.
* **CUSTOM data source**: ``IngestKnowledgeBaseDocuments`` / ``DeleteKnowledgeBaseDocuments`` in
  batches (the service model allows 10 per call) with deterministic ``clientToken`` values;
  :meth:`finish` reads each document's final status back (:mod:`.direct`).

Which documents are stored, with which content hash, is kept in a manifest (an S3 object outside
the document prefix, or a local JSON file), so an unchanged document is never re-sent; parse failures
are kept next to it, so a file that failed to parse is not parsed again until it changes.
boto3 is synchronous: every call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from adapters.bedrock.faults import translate
from adapters.bedrock_sink.direct import custom_id, read_back
from adapters.bedrock_sink.jobs import IndexOutcome, IngestionJobs, MemoryPendingIngests
from adapters.bedrock_sink.layout import (
    DOCUMENT_PREFIX,
    MetadataTooLarge,
    attributes,
    client_token,
    document_text,
    object_key,
    sidecar,
)
from adapters.bedrock_sink.manifest import Manifest
from bot.models import Document
from ingest.interfaces import DocumentFailure, PendingIngests

log = logging.getLogger(__name__)
CUSTOM_BATCH = 10  # bedrock-agent model: documents / documentIdentifiers max 10 per call
MAX_INLINE_TEXT = 5_242_880


class BedrockKbSink:
    """:class:`bot.ports.DocumentSink` into a Knowledge Base (the KB embeds: no chunk counters)."""

    chunks_embedded = 0
    chunks_reused = 0

    def __init__(
        self,
        *,
        agent: Any,
        knowledge_base_id: str,
        data_source_id: str,
        manifest: Manifest,
        data_source_type: Literal["S3", "CUSTOM"] = "S3",
        s3: Any = None,
        bucket: str | None = None,
        prefix: str = DOCUMENT_PREFIX,
        poll_interval: float = 10.0,
        poll_timeout: float = 3600.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        pending: PendingIngests | None = None,
        start_jobs: bool = True,
    ) -> None:
        if data_source_type == "S3" and (s3 is None or not bucket):
            raise ValueError("an S3 data source needs an s3 client and a bucket")
        self.agent = agent
        self.kb_id = knowledge_base_id
        self.ds_id = data_source_id
        self.manifest = manifest
        self.kind = data_source_type
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self.sleep = sleep
        self._known: dict[str, dict[str, str]] = {}
        self.changed: set[str] = set()  # sources staged in this run
        self.pending = pending or MemoryPendingIngests()
        self.start_jobs = start_jobs
        self.jobs = IngestionJobs(
            agent, knowledge_base_id, data_source_id, self.pending, prefix=prefix,
            poll_interval=poll_interval, poll_timeout=poll_timeout, sleep=sleep,
        )
        self._sent: dict[str, list[str]] = {}  # CUSTOM: document ids sent per source, read back in finish
        self.rejected: dict[str, list[DocumentFailure]] = {}  # documents the sink could not stage

    async def _staging(self, source: str) -> None:
        """Mark ``source`` pending before a write batch (a crash after staging leaves the mark) and again
        after it: a job that read the earlier mark may have started before these writes landed, and the
        newer mark survives that job's ``clear``, so the next job takes them."""
        if self.kind == "S3":
            await self.pending.mark(self.ds_id, source)
        self.changed.add(source)

    async def _call(self, client: Any, operation: str, **params: Any) -> Any:
        try:
            return await asyncio.to_thread(getattr(client, operation), **params)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, operation) from exc

    async def known(self, source: str) -> dict[str, str]:
        if source not in self._known:
            self._known[source] = await self.manifest.load(source)
        return dict(self._known[source])

    async def failed_parses(self, source: str) -> dict[str, tuple[str, str]]:
        """:class:`ingest.pipeline.FailureMemory`: doc id -> (hash + parser limits, reason)."""
        return await self.manifest.load_failures(source)

    async def record_parse_failures(
        self, source: str, failed: dict[str, tuple[str, str]], cleared: Sequence[str]
    ) -> None:
        if not failed and not cleared:
            return
        failures = await self.manifest.load_failures(source)
        for doc_id in cleared:
            failures.pop(doc_id, None)
        failures.update(failed)
        await self.manifest.save_failures(source, failures)

    async def upsert(self, documents: Sequence[Document]) -> None:
        by_source: dict[str, list[Document]] = {}
        for doc in documents:
            by_source.setdefault(doc.source, []).append(doc)
        for source, docs in by_source.items():
            known = self._known.setdefault(source, await self.manifest.load(source))
            await self._staging(source)
            docs = self._fitting(docs)
            if self.kind == "S3":
                for doc in docs:
                    await self._put_s3(doc)
            else:
                for start in range(0, len(docs), CUSTOM_BATCH):
                    await self._ingest_custom(docs[start : start + CUSTOM_BATCH])
                self._sent.setdefault(source, []).extend(custom_id(source, d.id) for d in docs)
            known.update({d.id: d.content_hash for d in docs})
            await self.manifest.save(source, known)
            await self._staging(source)

    def _fitting(self, docs: Sequence[Document]) -> list[Document]:
        """Documents whose metadata fits; the others are reported as failures, not sent."""
        kept = []
        for doc in docs:
            try:
                attributes(doc)
            except MetadataTooLarge as exc:
                self.rejected.setdefault(doc.source, []).append(DocumentFailure(doc.id, doc.uri, str(exc)))
                continue
            kept.append(doc)
        return kept

    async def delete(self, source: str, doc_ids: Sequence[str]) -> None:
        if not doc_ids:
            return
        known = self._known.setdefault(source, await self.manifest.load(source))
        await self._staging(source)
        if self.kind == "S3":
            bases = [object_key(self.prefix, source, d) for d in doc_ids]
            keys = [k for base in bases for k in (base, f"{base}.metadata.json")]
            for start in range(0, len(keys), 1000):
                objects = [{"Key": k} for k in keys[start : start + 1000]]
                await self._call(self.s3, "delete_objects", Bucket=self.bucket, Delete={"Objects": objects})
        else:
            ids = list(doc_ids)
            for start in range(0, len(ids), CUSTOM_BATCH):
                chunk = ids[start : start + CUSTOM_BATCH]
                await self._call(
                    self.agent, "delete_knowledge_base_documents", knowledgeBaseId=self.kb_id,
                    dataSourceId=self.ds_id, clientToken=client_token("delete", source, *chunk),
                    documentIdentifiers=[
                        {"dataSourceType": "CUSTOM", "custom": {"id": f"{source}:{d}"}} for d in chunk
                    ],
                )
        for d in doc_ids:
            known.pop(d, None)
        await self.manifest.save(source, known)
        await self._staging(source)

    async def _put_s3(self, doc: Document) -> None:
        key = object_key(self.prefix, doc.source, doc.id)
        await self._call(
            self.s3, "put_object", Bucket=self.bucket, Key=key, Body=document_text(doc).encode(),
            ContentType="text/markdown; charset=utf-8",
        )
        await self._call(
            self.s3, "put_object", Bucket=self.bucket, Key=f"{key}.metadata.json",
            Body=json.dumps(sidecar(doc)).encode(), ContentType="application/json",
        )

    async def _ingest_custom(self, docs: Sequence[Document]) -> None:
        payload = []
        for doc in docs:
            text = document_text(doc)
            if len(text) > MAX_INLINE_TEXT:
                log.warning("%s/%s: text over the inline limit, truncated", doc.source, doc.id)
                text = text[:MAX_INLINE_TEXT]
            payload.append({
                "content": {
                    "dataSourceType": "CUSTOM",
                    "custom": {
                        "customDocumentIdentifier": {"id": f"{doc.source}:{doc.id}"},
                        "sourceType": "IN_LINE",
                        "inlineContent": {"type": "TEXT", "textContent": {"data": text}},
                    },
                },
                "metadata": {
                    "type": "IN_LINE_ATTRIBUTE",
                    "inlineAttributes": [{"key": k, "value": v} for k, v in attributes(doc)],
                },
            })
        await self._call(
            self.agent, "ingest_knowledge_base_documents", knowledgeBaseId=self.kb_id,
            dataSourceId=self.ds_id,
            clientToken=client_token("ingest", *(f"{d.source}:{d.id}:{d.content_hash}" for d in docs)),
            documents=payload,
        )

    async def finish(self, source: str) -> IndexOutcome | None:
        """Index what was staged: S3 runs (or defers) the ingestion job; CUSTOM reads statuses back."""
        rejected = self.rejected.pop(source, [])
        if self.kind == "CUSTOM":
            outcome = await self._read_back(source)
        elif not self.start_jobs:
            outcome = IndexOutcome("PENDING") if source in self.changed else None
        else:
            outcome = (await self.jobs.run_pending()).get(source)
        self.changed.discard(source)
        if rejected:
            outcome = outcome or IndexOutcome("STAGED")
            outcome.failures[:0] = rejected
        return outcome

    async def _read_back(self, source: str) -> IndexOutcome | None:
        sent = self._sent.pop(source, [])
        if not sent:
            return None

        async def call(operation: str, **params: Any) -> Any:
            return await self._call(self.agent, operation, knowledgeBaseId=self.kb_id, dataSourceId=self.ds_id,
                                    **params)

        failures, unfinished = await read_back(
            call, sent, poll_interval=self.poll_interval, poll_timeout=self.poll_timeout, sleep=self.sleep
        )
        if unfinished:
            log.warning("%s: %d documents still being indexed after %.0fs", source, len(unfinished), self.poll_timeout)
        return IndexOutcome("INDEXED" if not failures else "PARTIAL", failures=failures)
