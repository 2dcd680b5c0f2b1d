"""A verified answer and the expert request it came from, with their JSONL form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from bot.errors import InputError
from bot.models import Document

SOURCE = "verified"  # the kbot-owned knowledge source verified answers are written to
URI_PREFIX = "kbot://verified/"


@dataclass(slots=True)
class VerifiedAnswer:
    """``audience``: ACL groups that may see it (empty = everyone); ``review_by``: after this day it is
    no longer shown first and appears in the admins' "needs review" list."""

    id: str
    question: str
    answer: str
    expert: str  # display name, shown as "Verified by @expert"
    expert_id: str = ""  # platform:user id of the expert
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    audience: list[str] = field(default_factory=list)
    review_by: date | None = None
    saved_by: str = ""  # platform:user id of whoever pressed "Save"
    request_id: str | None = None  # the expert request it answers
    link: str | None = None  # the experts' thread, when the platform gives a permalink

    @property
    def uri(self) -> str:
        return URI_PREFIX + self.id

    def needs_review(self, today: date | None = None) -> bool:
        return self.review_by is not None and self.review_by < (today or datetime.now(UTC).date())

    def marker(self) -> str:
        """``Verified by @dana on 12 Mar 2027``."""
        return f"Verified by @{self.expert} on {self.created.day} {self.created:%b %Y}"

    def document(self) -> Document:
        """The knowledge-store document (the question is its title, so retrieval matches paraphrases)."""
        return Document(
            id=self.id,
            source=SOURCE,
            uri=self.uri,
            title=self.question,
            text=self.answer,
            modified=self.created,
            acl_groups=list(self.audience),
            author=self.expert,
            metadata={
                "kind": "verified_answer",
                "expert": self.expert,
                "expert_id": self.expert_id,
                "question": self.question,
                "created": self.created.isoformat(),
                "audience": list(self.audience),
                "review_by": self.review_by.isoformat() if self.review_by else None,
            },
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "expert": self.expert,
            "expert_id": self.expert_id,
            "created": self.created.isoformat(),
            "audience": list(self.audience),
            "review_by": self.review_by.isoformat() if self.review_by else None,
            "saved_by": self.saved_by,
            "request_id": self.request_id,
            "link": self.link,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VerifiedAnswer:
        try:
            created = datetime.fromisoformat(str(data["created"]))
            review = data.get("review_by")
            audience = data.get("audience") or []
            if not isinstance(audience, list):
                raise TypeError("audience must be a list")
            return cls(
                id=str(data["id"]),
                question=str(data["question"]),
                answer=str(data["answer"]),
                expert=str(data["expert"]),
                expert_id=str(data.get("expert_id") or ""),
                created=created if created.tzinfo else created.replace(tzinfo=UTC),
                audience=[str(g) for g in audience],
                review_by=date.fromisoformat(str(review)) if review else None,
                saved_by=str(data.get("saved_by") or ""),
                request_id=str(data["request_id"]) if data.get("request_id") else None,
                link=str(data["link"]) if data.get("link") else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a verified answer record: {exc}") from exc


@dataclass(slots=True)
class ExpertRequest:
    """A question forwarded to the experts channel after a 👎; ``where`` is the platform's reply
    address of the asker's thread (e.g. Slack channel + thread ts), used to tell them once."""

    id: str
    platform: str
    question: str
    asker_id: str
    where: dict[str, str] = field(default_factory=dict)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    notified: bool = False
    answer_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "question": self.question,
            "asker_id": self.asker_id,
            "where": dict(self.where),
            "created": self.created.isoformat(),
            "notified": self.notified,
            "answer_id": self.answer_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExpertRequest:
        return cls(
            id=str(data["id"]),
            platform=str(data["platform"]),
            question=str(data["question"]),
            asker_id=str(data["asker_id"]),
            where={str(k): str(v) for k, v in (data.get("where") or {}).items()},
            created=datetime.fromisoformat(str(data["created"])),
            notified=bool(data.get("notified")),
            answer_id=data.get("answer_id"),
        )
