"""Per-user fair use: at most N questions per window, counted in the shared state store, so one
user cannot starve the others however many replicas serve them."""

from __future__ import annotations

import time

from bot.state import ConversationState

FAIR_USE_REPLY = (
    "You've asked a lot of questions in a short time. Please wait a minute and ask again, "
    "so everyone gets answers quickly."
)


async def check_fair_use(
    state: ConversationState, user: str, *, limit: int, window_seconds: float, now: float | None = None
) -> bool:
    """Count one question by ``user``; False when it is over ``limit`` in the current window.

    ``limit <= 0`` turns the check off. Fixed windows: cheap (one atomic increment) and good enough
    to stop one user flooding the bot.
    """
    if limit <= 0 or not user:
        return True
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    return await state.bump(f"fair:{user}:{window}", ttl_seconds=window_seconds * 2) <= limit
