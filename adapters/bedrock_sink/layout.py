"""How a document is laid out for a Bedrock Knowledge Base: object text, keys, metadata.

Metadata keys follow the convention of :mod:`adapters.bedrock.filters`: ``acl_groups``
(STRING_LIST, ``"everyone"`` for a public document) and ``source`` (STRING), plus ``source_uri``,
``title`` and ``modified``. Bedrock caps a STRING_LIST at 10 values: longer ACLs keep the first 10
(fewer readers, never more) and are logged.

S3 Vectors allows 2 KB of *filterable* metadata per vector
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-limitations.html): only the keys
retrieval filters on (``acl_groups``, ``source``) stay filterable; display-only keys are declared
non-filterable on the vector index (:data:`NON_FILTERABLE_KEYS`, read by ``infra/``), and an ACL
that would not fit is trimmed (fewer readers, never more) and reported.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any
from urllib.parse import quote

from adapters.bedrock.filters import ACL_KEY, PUBLIC_GROUP, SOURCE_KEY
from bot.models import Document

log = logging.getLogger(__name__)
MAX_LIST_VALUES = 10
MAX_STRING = 2048
DOCUMENT_PREFIX = "kbot-docs/"  # the data source's inclusionPrefixes: documents only, never manifests
FILTERABLE_LIMIT = 2048  # bytes of filterable metadata per vector on S3 Vectors
# Bedrock's own chunk text and metadata, then kbot's display-only keys: never filtered on.
NON_FILTERABLE_KEYS = ("AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA", "source_uri", "title", "modified")


class MetadataTooLarge(ValueError):
    """Even a one-group ACL does not fit the filterable-metadata limit (an absurdly long source name)."""


def object_key(prefix: str, source: str, doc_id: str) -> str:
    return f"{prefix}{quote(source, safe='')}/{quote(doc_id, safe='/-_.')}.md"


def document_text(doc: Document) -> str:
    """Markdown: the title, then each section under its heading (Bedrock chunks on these)."""
    parts = [f"# {doc.title}"] if doc.title else []
    if doc.sections:
        for section in doc.sections:
            if section.heading and section.heading != doc.title:
                parts.append(f"## {section.heading}")
            parts.append(section.text)
    else:
        parts.append(doc.text)
    return "\n\n".join(p for p in parts if p)


def acl_values(doc: Document) -> list[str]:
    groups = sorted(set(doc.acl_groups)) or [PUBLIC_GROUP]
    if len(groups) > MAX_LIST_VALUES:
        log.warning("%s/%s: %d ACL groups, kept %d", doc.source, doc.id, len(groups), MAX_LIST_VALUES)
        groups = groups[:MAX_LIST_VALUES]
    return groups


def filterable_bytes(pairs: list[tuple[str, dict[str, Any]]]) -> int:
    """UTF-8 bytes of the filterable keys and their values (list values: every item)."""
    total = 0
    for key, value in pairs:
        if key in NON_FILTERABLE_KEYS:
            continue
        items = value.get("stringListValue") or [value.get("stringValue", "")]
        total += len(key.encode()) + sum(len(str(item).encode()) for item in items)
    return total


def _fit_acl(doc: Document, pairs: list[tuple[str, dict[str, Any]]]) -> None:
    acl = pairs[-1][1]["stringListValue"]
    kept = len(acl)
    while filterable_bytes(pairs) > FILTERABLE_LIMIT and len(acl) > 1:
        acl.pop()
    if filterable_bytes(pairs) > FILTERABLE_LIMIT:
        raise MetadataTooLarge(f"{doc.source}/{doc.id}: filterable metadata over {FILTERABLE_LIMIT} bytes")
    if len(acl) < kept:
        log.warning("%s/%s: ACL trimmed to %d groups to fit S3 Vectors' filterable metadata limit",
                    doc.source, doc.id, len(acl))


def attributes(doc: Document) -> list[tuple[str, dict[str, Any]]]:
    """(key, typed value) pairs in the shape of bedrock-agent ``MetadataAttributeValue``; the
    filterable ones fit :data:`FILTERABLE_LIMIT` (raises :class:`MetadataTooLarge` when they cannot)."""
    pairs: list[tuple[str, dict[str, Any]]] = [
        ("source_uri", {"type": "STRING", "stringValue": doc.uri[:MAX_STRING] or doc.id[:MAX_STRING]}),
        ("title", {"type": "STRING", "stringValue": (doc.title or doc.id)[:MAX_STRING]}),
        (SOURCE_KEY, {"type": "STRING", "stringValue": doc.source}),
        (ACL_KEY, {"type": "STRING_LIST", "stringListValue": acl_values(doc)}),
    ]
    _fit_acl(doc, pairs)
    if doc.modified:
        pairs.append(("modified", {"type": "STRING", "stringValue": doc.modified.isoformat()}))
    return pairs


def sidecar(doc: Document) -> dict[str, Any]:
    """``<key>.metadata.json`` content for an S3 data source."""
    return {
        "metadataAttributes": {
            key: {"value": value, "includeForEmbedding": key == "title"} for key, value in attributes(doc)
        }
    }


def client_token(*parts: str) -> str:
    """Deterministic idempotency token (a retried batch is the same request)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()
