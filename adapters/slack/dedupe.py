"""Drop Slack retries of events already seen (same ``event_id``), so a retry never answers twice,
whichever ``kbot serve`` replica it lands on.

Slack re-sends an event (``X-Slack-Retry-Num: 1..3``) when it did not get a 2xx within 3 s
(https://api.slack.com/apis/events-api#retries). The event id is claimed in the shared state store
(:mod:`bot.claims`): the replica that wins answers, every other copy is acked and dropped. The claim
is handed to the lazy listener through :data:`CURRENT_CLAIM`, which keeps it alive while answering
and completes it at the end; a replica killed mid-answer leaves it to expire, so a later retry
answers it once. The middleware runs after bolt's signature check: forged requests claim nothing.
"""

from __future__ import annotations

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

# The claim of the event being handled; lazy listener tasks inherit it (asyncio copies the context).
CURRENT_CLAIM: ContextVar[HeldClaim | None] = ContextVar("kbot_slack_event_claim", default=None)


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


def dedupe_middleware(seen: SeenEvents) -> Callable[..., Awaitable[Any]]:
    async def drop_seen_events(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        # bolt runs the listeners after the whole middleware chain returns, in this request's task:
        # the claim stays set for them (and for nothing else: each request runs in its own task).
        CURRENT_CLAIM.set(None)
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if not isinstance(event_id, str) or not event_id:
            return await next()
        try:
            held = await seen.claim(event_id)
        except KbotError as exc:  # store down: better a possible duplicate than a lost question
            log.warning("cannot de-duplicate Slack event %s: %s", event_id, exc)
            return await next()
        if held is None:
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("ignoring duplicate Slack event %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        CURRENT_CLAIM.set(held)
        return await next()

    return drop_seen_events
