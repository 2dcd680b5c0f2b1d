"""Plain data types shared by the core, the ingest worker and every adapter."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal


def content_hash(data: bytes | str) -> str:
    """Stable sha256 hex digest used to detect unchanged content."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


@dataclass(slots=True)
class Source:
    """A configured knowledge source (folder, SharePoint site, Confluence space, MediaWiki)."""

    name: str
    kind: str  # folder | sharepoint | confluence | mediawiki
    settings: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    audience: list[str] = field(default_factory=list)  # default ACL groups when the source has none


@dataclass(slots=True)
class Section:
    """A titled run of text inside a parsed document (one heading and what follows)."""

    heading: str
    text: str
    page: int | None = None


@dataclass(slots=True)
class Document:
    """One document as stored: identity, provenance, permissions and parsed text."""

    id: str  # stable id, unique within the source
    source: str
    uri: str
    title: str
    text: str = ""
    sections: list[Section] = field(default_factory=list)
    content_hash: str = ""
    modified: datetime | None = None
    acl_groups: list[str] = field(default_factory=list)  # empty = everyone
    author: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Chunk:
    id: str
    doc_id: str
    source: str
    ordinal: int
    heading: str
    text: str


@dataclass(slots=True)
class Passage:
    """A retrieved chunk with its document's provenance and a relevance score."""

    chunk_id: str
    doc_id: str
    source: str
    title: str
    uri: str
    text: str
    score: float
    heading: str = ""
    indexed_at: datetime | None = None
    acl_groups: list[str] = field(default_factory=list)
    dense_score: float | None = None  # cosine(query, chunk) when known: an absolute evidence measure


@dataclass(slots=True)
class Citation:
    title: str
    uri: str
    snippet: str
    score: float
    indexed_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "uri": self.uri, "snippet": self.snippet, "score": round(self.score, 4)}


@dataclass(slots=True)
class Usage:
    """Token usage of one model call (for cost metrics)."""

    model_id: str
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(slots=True)
class Answer:
    text: str
    grounded: bool
    citations: list[Citation] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)
    session_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "grounded": self.grounded,
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass(slots=True)
class Turn:
    role: Literal["user", "assistant"]
    text: str


@dataclass(slots=True)
class Asker:
    """Who is asking: identity and the ACL groups retrieval is limited to."""

    user_id: str = "local"
    email: str | None = None
    groups: list[str] | None = None  # None = unrestricted (CLI on the local store)
    display_name: str | None = None


@dataclass(slots=True)
class Question:
    text: str
    asker: Asker = field(default_factory=Asker)
    history: list[Turn] = field(default_factory=list)
    sources: list[str] | None = None  # restrict to these source names; None = all enabled
    conversation_id: str | None = None  # chat thread id, for backend session continuity


@dataclass(slots=True)
class Message:
    """One message of a conversation to summarize (chat message or email)."""

    author: str
    text: str
    ts: str | None = None
    link: str | None = None
    is_bot: bool = False
    subject: str | None = None


@dataclass(slots=True)
class Conversation:
    kind: Literal["chat", "email"]
    messages: list[Message]
    title: str | None = None


@dataclass(slots=True)
class SummaryItem:
    text: str
    link: str | None = None
    author: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "link": self.link, "author": self.author}


@dataclass(slots=True)
class ActionItem:
    owner: str | None
    task: str
    due: str | None = None
    link: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"owner": self.owner, "task": self.task, "due": self.due, "link": self.link}


@dataclass(slots=True)
class Summary:
    tldr: str
    key_points: list[SummaryItem] = field(default_factory=list)
    decisions: list[SummaryItem] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    open_questions: list[SummaryItem] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "tldr": self.tldr,
            "key_points": [i.to_json() for i in self.key_points],
            "decisions": [i.to_json() for i in self.decisions],
            "action_items": [i.to_json() for i in self.action_items],
            "open_questions": [i.to_json() for i in self.open_questions],
        }


@dataclass(slots=True)
class Feedback:
    user_id: str
    rating: Literal["up", "down"]
    question: str
    answer: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    platform: str = "cli"
    comment: str | None = None
    created: datetime | None = None


@dataclass(slots=True)
class SourceStatus:
    """Health of one source's sync, shown by ``kbot sources status`` and the admin views."""

    source: str
    last_run: datetime | None = None
    last_success: datetime | None = None
    documents: int = 0
    failures: int = 0
    last_error: str | None = None
    running: bool = False
    failure_samples: list[str] = field(default_factory=list)

    def lag_seconds(self, now: datetime) -> float | None:
        return None if self.last_success is None else (now - self.last_success).total_seconds()


@dataclass(slots=True)
class DocumentFailure:
    """One document a sync could not index (a failure is data, not an exception)."""

    doc_id: str | None
    uri: str
    reason: str


@dataclass(slots=True)
class IndexOutcome:
    """What indexing did for one source after a sync: the Bedrock job (or direct-ingest) status and
    the documents it did not index."""

    status: str
    job_id: str | None = None
    failures: list[DocumentFailure] = field(default_factory=list)
