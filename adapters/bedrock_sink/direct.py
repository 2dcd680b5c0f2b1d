"""Reading back direct ingestion (CUSTOM data source): ``IngestKnowledgeBaseDocuments`` is
asynchronous, it answers STARTING/IN_PROGRESS and indexes later; each document's final status (and
Bedrock's reason when it failed) comes from ``GetKnowledgeBaseDocuments``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from adapters.bedrock_sink.jobs import FAILED_DOCUMENT
from ingest.interfaces import DocumentFailure

WORKING = {"STARTING", "IN_PROGRESS", "PENDING"}
GET_BATCH = 10  # bedrock-agent model: documentIdentifiers max 10 per GetKnowledgeBaseDocuments


def custom_id(source: str, doc_id: str) -> str:
    return f"{source}:{doc_id}"


async def read_back(
    call: Callable[..., Awaitable[Any]],
    ids: list[str],
    *,
    poll_interval: float,
    poll_timeout: float,
    sleep: Callable[[float], Awaitable[None]],
) -> tuple[list[DocumentFailure], list[str]]:
    """(failed documents, ids still being indexed when ``poll_timeout`` ran out)."""
    waiting, failures, waited = list(ids), list[DocumentFailure](), 0.0
    while waiting:
        still: list[str] = []
        for start in range(0, len(waiting), GET_BATCH):
            chunk = waiting[start : start + GET_BATCH]
            got = await call(
                "get_knowledge_base_documents",
                documentIdentifiers=[{"dataSourceType": "CUSTOM", "custom": {"id": i}} for i in chunk],
            )
            for detail in got.get("documentDetails") or []:
                doc = str(((detail.get("identifier") or {}).get("custom") or {}).get("id") or "")
                if detail.get("status") in WORKING:
                    still.append(doc)
                elif detail.get("status") in FAILED_DOCUMENT:
                    reason = detail.get("statusReason") or "no reason given"
                    failures.append(DocumentFailure(doc.split(":", 1)[-1], doc, f"not indexed: {reason}"[:300]))
        if not still or waited >= poll_timeout:
            return failures, still
        await sleep(poll_interval)
        waited += poll_interval
        waiting = still
    return failures, []
