"""Knowledge-base results and references -> the core's passages and citations."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote, urlparse

from bot.grounding import snippet
from bot.models import Citation, Passage

# Where each location type keeps its address, in RetrievalResultLocation.
_LOCATION_KEYS = {
    "s3Location": "uri",
    "webLocation": "url",
    "sharePointLocation": "url",
    "confluenceLocation": "url",
    "salesforceLocation": "url",
    "kendraDocumentLocation": "uri",
    "googleDriveLocation": "url",
    "oneDriveLocation": "url",
    "customDocumentLocation": "id",
}


def result_uri(item: dict[str, Any]) -> str:
    """The original source URL written by the ingest sink, else the location's own address."""
    metadata = item.get("metadata") or {}
    for key in ("source_uri", "x-amz-bedrock-kb-source-uri"):
        if isinstance(metadata.get(key), str) and metadata[key]:
            return metadata[key]
    location = item.get("location") or {}
    for loc_key, field in _LOCATION_KEYS.items():
        value = (location.get(loc_key) or {}).get(field)
        if value:
            return str(value)
    return ""


def result_title(item: dict[str, Any], uri: str) -> str:
    title = (item.get("metadata") or {}).get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    path = unquote(urlparse(uri).path).rstrip("/")
    return path.rsplit("/", 1)[-1] or uri


def _groups(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [value] if isinstance(value, str) and value else []


def passage_from_result(item: dict[str, Any]) -> Passage:
    """One Retrieve result (or RetrievedReference, which has no score) as a Passage."""
    metadata = item.get("metadata") or {}
    text = (item.get("content") or {}).get("text") or ""
    uri = result_uri(item)
    doc_id = str(metadata.get("doc_id") or item.get("documentId") or uri)
    chunk_id = str(
        metadata.get("x-amz-bedrock-kb-chunk-id")
        or hashlib.sha1(f"{doc_id}\n{text}".encode()).hexdigest()[:16]
    )
    return Passage(
        chunk_id=chunk_id,
        doc_id=doc_id,
        source=str(metadata.get("source") or metadata.get("x-amz-bedrock-kb-data-source-id") or ""),
        title=result_title(item, uri),
        uri=uri,
        text=text,
        score=float(item.get("score") or 0.0),
        heading=str(metadata.get("heading") or ""),
        acl_groups=_groups(metadata.get("acl_groups")),
    )


def citation_from_reference(reference: dict[str, Any]) -> Citation:
    """A RetrieveAndGenerate / agent ``retrievedReference``. Bedrock reports no score for these: 0.0."""
    passage = passage_from_result(reference)
    return Citation(title=passage.title, uri=passage.uri, snippet=snippet(passage.text), score=passage.score)


def attributed_citations(
    raw_citations: list[dict[str, Any]], known: list[Citation] | None = None, offset: int = 0
) -> tuple[list[Citation], list[tuple[int, int]]]:
    """Citations of RetrieveAndGenerate / agent ``citations`` (deduplicated by URI) and the
    ``(span end, citation number)`` marks to place in the answer text (``offset`` shifts spans)."""
    citations = known if known is not None else []
    numbers = {c.uri or c.snippet: i for i, c in enumerate(citations, 1)}
    marks: list[tuple[int, int]] = []
    for raw in raw_citations:
        span = ((raw.get("generatedResponsePart") or {}).get("textResponsePart") or {}).get("span") or {}
        for reference in raw.get("retrievedReferences") or []:
            citation = citation_from_reference(reference)
            key = citation.uri or citation.snippet
            if key not in numbers:
                citations.append(citation)
                numbers[key] = len(citations)
            if "end" in span:
                marks.append((offset + int(span["end"]) + 1, numbers[key]))
    return citations, marks
