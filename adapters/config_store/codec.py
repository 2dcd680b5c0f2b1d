"""Shared (de)serialisation of config records to JSON-able dicts, used by both stores."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from bot.admin.models import AdminEntry, AuditEntry, ChannelSettings, SyncRequest
from bot.models import Feedback, Source, SourceStatus


def ts(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def now() -> datetime:
    return datetime.now(UTC)


def source_to_dict(source: Source) -> dict[str, Any]:
    return asdict(source)


def source_from_dict(data: dict[str, Any]) -> Source:
    return Source(
        name=data["name"],
        kind=data["kind"],
        settings=dict(data.get("settings") or {}),
        enabled=bool(data.get("enabled", True)),
        audience=list(data.get("audience") or []),
    )


def status_to_dict(status: SourceStatus) -> dict[str, Any]:
    data = asdict(status)
    data["last_run"], data["last_success"] = ts(status.last_run), ts(status.last_success)
    return data


def status_from_dict(data: dict[str, Any]) -> SourceStatus:
    return SourceStatus(
        source=data["source"],
        last_run=parse_ts(data.get("last_run")),
        last_success=parse_ts(data.get("last_success")),
        documents=int(data.get("documents", 0)),
        failures=int(data.get("failures", 0)),
        last_error=data.get("last_error"),
        running=bool(data.get("running", False)),
        failure_samples=list(data.get("failure_samples") or []),
    )


def channel_to_dict(channel: ChannelSettings) -> dict[str, Any]:
    return asdict(channel)


def channel_from_dict(data: dict[str, Any]) -> ChannelSettings:
    return ChannelSettings(
        platform=data["platform"],
        channel_id=data["channel_id"],
        sources=data.get("sources"),
        visibility=data.get("visibility", "members"),
        updated_by=data.get("updated_by"),
        followups=data.get("followups"),
    )


def feedback_to_dict(feedback: Feedback) -> dict[str, Any]:
    data = asdict(feedback)
    data["created"] = ts(feedback.created or now())
    return data


def feedback_from_dict(data: dict[str, Any]) -> Feedback:
    return Feedback(
        user_id=data["user_id"],
        rating=data["rating"],
        question=data["question"],
        answer=data["answer"],
        citations=list(data.get("citations") or []),
        platform=data.get("platform", "cli"),
        comment=data.get("comment"),
        created=parse_ts(data.get("created")),
    )


def audit_from_row(actor: str, action: str, target: str, outcome: str, detail: str, at: str) -> AuditEntry:
    return AuditEntry(actor, action, target, outcome, detail, parse_ts(at))


def admin_from_row(user: str, added_by: str, added: str | None) -> AdminEntry:
    return AdminEntry(user, added_by, parse_ts(added))


def sync_from_row(request_id: str, source: str, requested_by: str, at: str | None) -> SyncRequest:
    return SyncRequest(source, requested_by, parse_ts(at), request_id)
