"""Drop Slack retries of events already seen (same ``event_id``), so a retry never answers twice.

Slack re-sends an event (``X-Slack-Retry-Num: 1..3``) when it did not get a 2xx within 3 s.
The middleware runs after bolt's signature check, so forged requests cannot poison the cache.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)


class SeenEvents:
    """Bounded TTL set of event ids."""

    def __init__(self, ttl_seconds: float = 3600.0, max_size: int = 50_000) -> None:
        self.ttl = ttl_seconds
        self.max_size = max_size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self.duplicates = 0

    def first_time(self, event_id: str, now: float | None = None) -> bool:
        """Record ``event_id``; False if it was already seen within the TTL."""
        now = time.monotonic() if now is None else now
        while self._seen and (
            len(self._seen) >= self.max_size or next(iter(self._seen.values())) < now - self.ttl
        ):
            self._seen.popitem(last=False)
        if event_id in self._seen:
            self.duplicates += 1
            return False
        self._seen[event_id] = now
        return True


def dedupe_middleware(seen: SeenEvents) -> Callable[..., Awaitable[Any]]:
    async def drop_seen_events(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if isinstance(event_id, str) and not seen.first_time(event_id):
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("ignoring duplicate Slack event %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        return await next()

    return drop_seen_events
