"""Builders for documented Bedrock response shapes (validated again by the fake server)."""

from __future__ import annotations

import base64
from typing import Any

from tests.bedrock.fake_bedrock import Gate, Json, Stream


def kb_result(
    text: str,
    *,
    uri: str | None = None,
    title: str | None = None,
    score: float = 0.5,
    location: dict[str, Any] | None = None,
    source: str = "handbook",
    acl: list[str] | None = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "source": source,
        "acl_groups": acl or ["everyone"],
        "x-amz-bedrock-kb-chunk-id": f"chunk-{abs(hash(text)) % 10**8}",
    }
    if uri:
        metadata["source_uri"] = uri
    if title:
        metadata["title"] = title
    return {
        "content": {"text": text, "type": "TEXT"},
        "location": location or {"type": "S3", "s3Location": {"uri": f"s3://kb-bucket/{source}/doc.json"}},
        "metadata": metadata,
        "score": score,
    }


def retrieve_reply(*results: dict[str, Any]) -> Json:
    return Json({"retrievalResults": list(results)})


def converse_reply(text: str, *, stop: str = "end_turn", tokens: tuple[int, int] = (120, 30)) -> Json:
    return Json(
        {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": stop,
            "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
            "metrics": {"latencyMs": 42},
        }
    )


def converse_stream(
    pieces: list[str],
    *,
    stop: str = "end_turn",
    tokens: tuple[int, int] = (150, 40),
    gate: Gate | None = None,
) -> Stream:
    """A ConverseStream reply; with ``gate``, the stream pauses after the first piece until it opens."""
    events: list[Any] = [("messageStart", {"role": "assistant"})]
    for i, piece in enumerate(pieces):
        events.append(("contentBlockDelta", {"delta": {"text": piece}, "contentBlockIndex": 0}))
        if i == 0 and gate is not None:
            events.append(gate)
    events += [
        ("contentBlockStop", {"contentBlockIndex": 0}),
        ("messageStop", {"stopReason": stop}),
        (
            "metadata",
            {
                "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
                "metrics": {"latencyMs": 99},
            },
        ),
    ]
    return Stream(events)


def reference(text: str, uri: str, title: str) -> dict[str, Any]:
    return {
        "content": {"text": text, "type": "TEXT"},
        "location": {"type": "WEB", "webLocation": {"url": uri}},
        "metadata": {"source_uri": uri, "title": title},
    }


def rag_citation(answer: str, part: str, *refs: dict[str, Any]) -> dict[str, Any]:
    start = answer.index(part)
    return {
        "generatedResponsePart": {
            "textResponsePart": {"text": part, "span": {"start": start, "end": start + len(part) - 1}}
        },
        "retrievedReferences": list(refs),
    }


def agent_chunk(text: str, citations: list[dict[str, Any]] | None = None) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"bytes": base64.b64encode(text.encode()).decode()}
    if citations:
        payload["attribution"] = {"citations": citations}
    return ("chunk", payload)
