"""Knowledge-base metadata filters: who may read a chunk, and which sources a channel uses.

Convention shared with the Bedrock ingest sink (see docs/bedrock.md): every chunk carries
``acl_groups`` (STRING_LIST; ``"everyone"`` marks a public document) and ``source`` (STRING).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PUBLIC_GROUP = "everyone"
ACL_KEY = "acl_groups"
SOURCE_KEY = "source"


def _combine(operator: str, filters: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Bedrock requires at least two members in ``andAll``/``orAll``: unwrap single ones."""
    if not filters:
        return None
    return filters[0] if len(filters) == 1 else {operator: filters}


def acl_filter(groups: Sequence[str] | None) -> dict[str, Any] | None:
    """Chunks readable by any of ``groups`` or public; ``None`` groups = unrestricted."""
    if groups is None:
        return None
    readable = list(dict.fromkeys([PUBLIC_GROUP, *(g for g in groups if g)]))
    return _combine("orAll", [{"listContains": {"key": ACL_KEY, "value": g}} for g in readable])


def sources_filter(sources: Sequence[str] | None) -> dict[str, Any] | None:
    if sources is None:
        return None
    return {"in": {"key": SOURCE_KEY, "value": list(dict.fromkeys(s for s in sources if s))}}


def retrieval_filter(groups: Sequence[str] | None, sources: Sequence[str] | None) -> dict[str, Any] | None:
    parts = [f for f in (acl_filter(groups), sources_filter(sources)) if f is not None]
    return _combine("andAll", parts)
