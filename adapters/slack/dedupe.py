"""Drop Slack retries of events already seen (same ``event_id``), so a retry never answers twice,
whichever ``kbot serve`` replica it lands on.

Slack re-sends an event (``X-Slack-Retry-Num: 1..3``) when it did not get a 2xx within 3 s
(https://api.slack.com/apis/events-api#retries). Every copy is acked at once; then the lazy
listener claims the event id in the shared state store (:mod:`bot.claims`, via :data:`CURRENT_CLAIM`):
the replica that wins answers, keeping the claim alive while it works and completing it at the end;
every other copy stops there. A replica killed mid-answer leaves its claim to expire, so a later
retry answers it once. The middleware runs after bolt's signature check: forged requests claim nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.claims import HeldClaim, try_claim
from bot.errors import KbotError
from bot.state import CLAIM_LEASE_SECONDS, CLAIM_TTL_SECONDS, ConversationState

log = logging.getLogger(__name__)


class SeenEvents:
    """Event ids claimed in the shared state store (TTL ``ttl_seconds``, lease ``lease_seconds``)."""

    def __init__(
        self,
        state: ConversationState,
        *,
        ttl_seconds: float = CLAIM_TTL_SECONDS,
        lease_seconds: float = CLAIM_LEASE_SECONDS,
    ) -> None:
        self.state = state
        self.ttl = ttl_seconds
        self.lease = lease_seconds
        self.duplicates = 0

    async def claim(self, event_id: str) -> HeldClaim | None:
        """This replica's claim on ``event_id``, or None if it was (or is being) handled elsewhere."""
        held = await try_claim(self.state, f"slack-event:{event_id}", lease_seconds=self.lease, ttl_seconds=self.ttl)
        if held is None:
            self.duplicates += 1
        return held

    async def first_time(self, event_id: str) -> bool:
        """Claim ``event_id`` and complete it at once; False if it was already seen."""
        held = await self.claim(event_id)
        if held is not None:
            await held.complete()
        return held is not None


class PendingClaim:
    """One request's event id, claimed on first use by the lazy listeners (after the ack, so a slow
    store never delays Slack's 3-second ack). Every listener of the request shares the outcome."""

    def __init__(self, seen: SeenEvents, event_id: str, retry: str) -> None:
        self.seen, self.event_id, self.retry = seen, event_id, retry
        self._outcome: asyncio.Task[tuple[bool, HeldClaim | None]] | None = None

    async def _claim(self) -> tuple[bool, HeldClaim | None]:
        try:
            held = await self.seen.claim(self.event_id)
        except KbotError as exc:  # store down: better a possible duplicate than a lost question
            log.warning("cannot de-duplicate Slack event %s: %s", self.event_id, exc)
            return True, None
        if held is None:
            log.info("ignoring duplicate Slack event %s (retry %s)", self.event_id, self.retry)
        return held is not None, held

    async def resolve(self) -> tuple[bool, HeldClaim | None]:
        """``(go ahead, claim to hold while working)``; ``go ahead`` is False for a duplicate."""
        if self._outcome is None:
            self._outcome = asyncio.ensure_future(self._claim())
        return await asyncio.shield(self._outcome)


# The pending claim of the event being handled; lazy listener tasks inherit it (asyncio copies the context).
CURRENT_CLAIM: ContextVar[PendingClaim | None] = ContextVar("kbot_slack_event_claim", default=None)


def dedupe_middleware(seen: SeenEvents) -> Callable[..., Awaitable[Any]]:
    async def mark_event(req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]) -> Any:
        # bolt runs the listeners after the whole middleware chain returns, in this request's task:
        # the pending claim stays set for them (and only them: each request runs in its own task).
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if isinstance(event_id, str) and event_id:
            retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
            CURRENT_CLAIM.set(PendingClaim(seen, event_id, retry))
        else:
            CURRENT_CLAIM.set(None)
        return await next()

    return mark_event
