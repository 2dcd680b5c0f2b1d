"""Tracks the slow work that runs after Slack has been acknowledged (bolt lazy listeners).

``kbot serve`` waits for it on shutdown; tests and the burst benchmark wait for it to settle. For a Slack
event it first claims the event id (:mod:`adapters.slack.dedupe`): a retry already answered stops there.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.slack.dedupe import CURRENT_CLAIM


class InFlight:
    def __init__(self) -> None:
        self.running = 0
        self.completed = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def track(self, func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """Wrap a lazy listener; bolt still sees the original signature (``__wrapped__``)."""

        @functools.wraps(func)
        async def tracked(**kwargs: Any) -> Any:
            self.running += 1
            self._idle.clear()
            pending = CURRENT_CLAIM.get()  # a Slack event: claim it first (shared by all replicas)
            try:
                go_ahead, claim = await pending.resolve() if pending is not None else (True, None)
                if not go_ahead:
                    return None  # a retry of an event another replica (or this one) has or is answering
                if claim is None:
                    return await func(**kwargs)
                async with claim:  # kept alive while this runs, completed after
                    return await func(**kwargs)
            finally:
                self.running -= 1
                self.completed += 1
                if self.running == 0:
                    self._idle.set()

        return tracked

    async def wait_idle(self, limit_seconds: float = 10.0) -> bool:
        """True when nothing is running (give lazy tasks a tick to start first)."""
        await asyncio.sleep(0.05)
        try:
            await asyncio.wait_for(self._idle.wait(), limit_seconds)
        except TimeoutError:
            return False
        return True
