"""``--max-cost``: every model call reserves its worst-case cost before it is sent.

The worst case is the request's input tokens (estimated high from its characters) plus its
``maxTokens`` of output, so the run stops *before* a call that could take it over the budget. Calls
run in worker threads, hence the lock.
"""

from __future__ import annotations

import threading

from bot.errors import KbotError

CHARS_PER_TOKEN = 3.0  # tokenizers average ~4 characters per English token: 3 over-estimates on purpose


class BudgetExhausted(KbotError):
    user_message = "The scorecard's cost budget is used up."


def estimate_input_tokens(chars: int) -> int:
    return int(chars / CHARS_PER_TOKEN) + 1


class Budget:
    def __init__(self, max_cost: float | None) -> None:
        self.max_cost = max_cost
        self.spent = 0.0  # actual cost of the calls that finished
        self.reserved = 0.0  # worst-case cost of the calls in flight
        self.refused = 0  # calls not sent because they could have exceeded the budget
        self._lock = threading.Lock()

    @property
    def exhausted(self) -> bool:
        return self.refused > 0

    def reserve(self, worst_case: float) -> float:
        """Reserve ``worst_case`` or raise :class:`BudgetExhausted` (nothing is sent then)."""
        with self._lock:
            if self.max_cost is not None and self.spent + self.reserved + worst_case > self.max_cost:
                self.refused += 1
                raise BudgetExhausted(
                    f"--max-cost {self.max_cost:.4f} USD reached: spent {self.spent:.4f} "
                    f"(+{self.reserved:.4f} in flight), the next call could cost up to {worst_case:.4f}"
                )
            self.reserved += worst_case
            return worst_case

    def settle(self, reservation: float, actual: float) -> None:
        with self._lock:
            self.reserved = max(0.0, self.reserved - reservation)
            self.spent += actual

    def release(self, reservation: float) -> None:
        """The call was refused by the service before it ran (e.g. throttled): nothing billed."""
        self.settle(reservation, 0.0)
