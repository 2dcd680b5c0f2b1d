"""Per-user fair use: at most N questions per window, counted in the shared state store, so one
user cannot starve the others however many replicas serve them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.errors import InputError, KbotError
from bot.settings import Settings
from bot.state import ConversationState

log = logging.getLogger(__name__)

FAIR_USE_REPLY = (
    "You've asked a lot of questions in a short time. Please wait a minute and ask again, "
    "so everyone gets answers quickly."
)



class FairUseExceeded(InputError):
    """Raised by :meth:`bot.conversation.ask.AskService.prepare`; front ends reply ``user_message``."""

    def __init__(self) -> None:
        super().__init__("over the fair-use limit", user_message=FAIR_USE_REPLY)


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


class FairUse:
    """The configured limit (``KBOT_FAIR_USE_QUESTIONS`` per ``KBOT_FAIR_USE_WINDOW_SECONDS``) on one store.

    ``state_of`` gives the store on first use, so a front end that never counts (the operator's
    CLI) never builds it.
    """

    def __init__(self, state_of: Callable[[], ConversationState], *, limit: int, window_seconds: float) -> None:
        self._state_of, self.limit, self.window = state_of, limit, window_seconds

    @classmethod
    def from_settings(cls, state_of: Callable[[], ConversationState], settings: Settings) -> FairUse:
        limit, window = settings.kbot_fair_use_questions, settings.kbot_fair_use_window_seconds
        return cls(state_of, limit=limit, window_seconds=window)

    async def allow(self, user: str) -> bool:
        """Count one question by ``user`` (platform-prefixed id); False when over the limit.
        If the store is down the question is allowed: fair use must never block everyone."""
        if self.limit <= 0:
            return True
        try:
            return await check_fair_use(self._state_of(), user, limit=self.limit, window_seconds=self.window)
        except KbotError as exc:
            log.warning("fair-use check unavailable: %s", exc)
            return True
