"""Claim-once work shared by replicas: whoever claims a key does the work; the others drop it.

A claim is held under a lease that the holder renews while it works. If the holder dies (killed
mid-answer), the lease runs out and the next retry may take the work over; once completed, a key
is never worked on again (within its TTL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from types import TracebackType

from bot.state import CLAIM_LEASE_SECONDS, CLAIM_TTL_SECONDS, ConversationState

log = logging.getLogger(__name__)

REPLICA_ID = f"{socket.gethostname()}:{os.getpid()}"


def new_owner() -> str:
    return f"{REPLICA_ID}:{uuid.uuid4().hex[:8]}"


class HeldClaim:
    """A claim this replica won. ``async with claim:`` renews it while the work runs, then completes it.

    Cancellation (shutdown) leaves it uncompleted on purpose, so a retry elsewhere finishes the work.
    """

    def __init__(self, state: ConversationState, key: str, owner: str, lease_seconds: float) -> None:
        self.state, self.key, self.owner, self.lease = state, key, owner, lease_seconds
        self._renewer: asyncio.Task[None] | None = None
        self._holders = 0  # several listeners may work on one claim: the last one out completes it
        self.completed = False

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                if not await self.state.renew(self.key, self.owner, lease_seconds=self.lease):
                    log.warning("lost the claim on %s (lease ran out); another replica may redo it", self.key)
                    return
            except Exception:  # noqa: BLE001 - a missed renewal only risks a retry elsewhere
                log.warning("could not renew the claim on %s", self.key, exc_info=True)

    async def __aenter__(self) -> HeldClaim:
        self._holders += 1
        if self._renewer is None:
            self._renewer = asyncio.create_task(self._renew_forever())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._holders -= 1
        if self._holders > 0:
            return
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        if isinstance(exc, asyncio.CancelledError):
            return
        await self.complete()

    async def complete(self) -> None:
        if self.completed:
            return
        self.completed = True
        try:
            await self.state.complete(self.key, self.owner)
        except Exception:  # noqa: BLE001 - the lease still runs out; at worst a late retry redoes it
            log.warning("could not mark %s done", self.key, exc_info=True)


async def try_claim(
    state: ConversationState,
    key: str,
    *,
    lease_seconds: float = CLAIM_LEASE_SECONDS,
    ttl_seconds: float = CLAIM_TTL_SECONDS,
) -> HeldClaim | None:
    """The claim on ``key`` if this caller won it, else None (done, or being done by a live replica)."""
    owner = new_owner()
    if await state.claim(key, owner, lease_seconds=lease_seconds, ttl_seconds=ttl_seconds):
        return HeldClaim(state, key, owner, lease_seconds)
    return None
