"""What admins see about the Bedrock backend: the last fault (admin text) and the last success."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.errors import KbotError


@dataclass(slots=True)
class BedrockHealth:
    last_ok: datetime | None = None
    last_ok_operation: str | None = None
    last_error: str | None = None
    last_error_kind: str | None = None
    last_error_at: datetime | None = None

    def ok(self, operation: str) -> None:
        self.last_ok, self.last_ok_operation = datetime.now(UTC), operation

    def failed(self, error: KbotError) -> None:
        self.last_error, self.last_error_kind = str(error), type(error).__name__
        self.last_error_at = datetime.now(UTC)

    def snapshot(self) -> dict[str, Any]:
        """``status`` is ``degraded`` while the latest call failed (for /healthz and admin views)."""
        failing = self.last_error_at is not None and (
            self.last_ok is None or self.last_error_at > self.last_ok
        )
        return {
            "status": "degraded" if failing else "ok",
            "last_ok": self.last_ok.isoformat() if self.last_ok else None,
            "last_ok_operation": self.last_ok_operation,
            "last_error": self.last_error,
            "last_error_kind": self.last_error_kind,
            "last_error_at": self.last_error_at.isoformat() if self.last_error_at else None,
        }


HEALTH = BedrockHealth()  # one per process: every Bedrock call reports here
