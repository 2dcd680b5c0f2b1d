"""Knowledge-base metadata filters: who may read a chunk, and which sources a channel uses.

Convention shared with the Bedrock ingest sink (see docs/bedrock.md): every chunk carries
``acl_groups`` (STRING_LIST; ``"everyone"`` marks a public document) and ``source`` (STRING).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.models import Answer, Question

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


def no_sources(sources: Sequence[str] | None) -> bool:
    """An explicit empty list: the asker may search no source, so nothing is searched at all."""
    return sources is not None and not any(sources)


def sources_filter(sources: Sequence[str] | None) -> dict[str, Any] | None:
    """``in`` needs at least one value (Bedrock refuses ``in: []``): callers check :func:`no_sources`."""
    if sources is None:
        return None
    if no_sources(sources):
        raise ValueError("no source allowed: check no_sources() before building a retrieval filter")
    return {"in": {"key": SOURCE_KEY, "value": list(dict.fromkeys(s for s in sources if s))}}


def retrieval_filter(groups: Sequence[str] | None, sources: Sequence[str] | None) -> dict[str, Any] | None:
    parts = [f for f in (acl_filter(groups), sources_filter(sources)) if f is not None]
    return _combine("andAll", parts)


# The answer when a channel allows no source (no retrieval call is made).
NO_SOURCES_MESSAGE = (
    "No knowledge source is enabled here, so there is nothing to search. "
    "Ask an admin to enable a source for this channel."
)


def no_sources_answer(question: Question) -> Answer | None:
    """The clear answer for a question that may search no source; None when it may search some."""
    if not no_sources(question.sources):
        return None
    return Answer(NO_SOURCES_MESSAGE, grounded=False, session_id=question.conversation_id)
