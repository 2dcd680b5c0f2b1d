"""Data types of the admin area: who acts, channel settings, audit entries, admins, sync requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Platform = Literal["cli", "slack", "teams"]
# "members": answer from what every channel member may read; "ephemeral": answer only the asker,
# privately, from what the asker may read.
Visibility = Literal["members", "ephemeral"]
VISIBILITIES: tuple[Visibility, ...] = ("members", "ephemeral")


@dataclass(slots=True)
class Actor:
    """The person performing an action, as identified by the platform that received it."""

    user_id: str
    platform: Platform
    email: str | None = None
    display_name: str | None = None

    @property
    def audit_name(self) -> str:
        return f"{self.platform}:{self.user_id}"

    def identities(self) -> set[str]:
        """Lower-cased ids this person may be listed under (user id, email)."""
        ids = {self.user_id.strip().lower()}
        if self.email:
            ids.add(self.email.strip().lower())
        return ids


@dataclass(slots=True)
class ChannelSettings:
    """Per-channel answering settings (a Slack channel id or a Teams conversation id)."""

    platform: str
    channel_id: str
    sources: list[str] | None = None  # None = every enabled source
    visibility: Visibility = "members"
    updated_by: str | None = None
    # Answer un-mentioned follow-ups in threads the bot answered; None = the platform's default
    # (Slack on, Teams off: see adapters/channel_followups.py).
    followups: bool | None = None


@dataclass(slots=True)
class AuditEntry:
    """One admin action (append-only). ``outcome``: ok | denied | invalid | error."""

    actor: str
    action: str
    target: str = ""
    outcome: str = "ok"
    detail: str = ""
    at: datetime | None = None


@dataclass(slots=True)
class AdminEntry:
    user: str  # lower-cased Slack user id, Teams AAD object id or email
    added_by: str
    added: datetime | None = None


@dataclass(slots=True)
class SyncRequest:
    source: str
    requested_by: str
    at: datetime | None = None
    id: str = ""


@dataclass(slots=True)
class SourceHealth:
    """What the admin views show for one source."""

    name: str
    kind: str
    enabled: bool
    documents: int = 0
    failures: int = 0
    last_success: datetime | None = None
    last_run: datetime | None = None
    lag_seconds: float | None = None
    running: bool = False
    last_error: str | None = None
    failure_samples: list[str] = field(default_factory=list)
    pending_sync: bool = False

    @property
    def state(self) -> str:
        if not self.enabled:
            return "disabled"
        if self.running:
            return "syncing"
        if self.last_error:
            return "failing"
        if self.last_success is None:
            return "never synced"
        return "ok"


@dataclass(slots=True, frozen=True)
class Member:
    """A person in a channel, as the chat adapter knows them (bots excluded)."""

    user_id: str
    email: str | None = None
