"""Run every (item, model) pair once: cached pairs are not sent again, a bounded number run at a
time, and the run stops scheduling as soon as the budget refuses a call."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.errors import KbotError
from bot.models import Usage
from bot.scorecard.budget import Budget, BudgetExhausted
from bot.scorecard.cache import ResultCache
from bot.scorecard.prices import PriceTable

log = logging.getLogger("kbot.scorecard")


@dataclass(slots=True)
class Outcome:
    """One model's output for one item, already scored by the task."""

    text: str
    quality: float  # 0..1, higher is better: the number models are ranked on
    metrics: dict[str, Any]
    usage: list[Usage] = field(default_factory=list)
    ttft_ms: float | None = None  # time to the first streamed text shown


@dataclass(slots=True)
class EvalCase:
    id: str
    label: str  # the question / conversation title shown in the worst-answers list
    payload: Any


Trial = Callable[[Any], Awaitable[Outcome]]


@dataclass(slots=True)
class RunResult:
    rows: list[dict[str, Any]]
    sent: int = 0  # pairs sent to a model in this run (the rest came from the cache)
    cached: int = 0
    failed: int = 0
    stopped: str = ""  # why the run stopped early, if it did


async def run_pairs(
    task: str,
    cases: list[EvalCase],
    trials: dict[str, Trial],
    *,
    prices: PriceTable,
    budget: Budget,
    cache: ResultCache,
    concurrency: int = 4,
) -> RunResult:
    """Questions are interleaved across models, so machine and service load weigh on each alike."""
    result = RunResult(rows=[])
    queue: asyncio.Queue[tuple[EvalCase, str]] = asyncio.Queue()
    for case in cases:
        for model in trials:
            if (hit := cache.get(task, model, case.id)) is not None:
                result.rows.append(hit)
                result.cached += 1
            else:
                queue.put_nowait((case, model))

    async def worker() -> None:
        while not queue.empty() and not result.stopped:
            case, model = queue.get_nowait()
            started = time.perf_counter()
            try:
                outcome = await trials[model](case.payload)
            except BudgetExhausted as exc:
                result.stopped = str(exc)
                return
            except KbotError as exc:  # throttled after retries, timeouts ...: not cached, retried next run
                log.warning("scorecard %s on %s: %s", model, case.id, exc)
                result.failed += 1
                result.rows.append(_failure(task, model, case, exc))
                continue
            ms = (time.perf_counter() - started) * 1000
            row = _row(task, model, case, outcome, ms, prices)
            cache.put(row)
            result.rows.append(row)
            result.sent += 1

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return result


def _row(task: str, model: str, case: EvalCase, outcome: Outcome, ms: float, prices: PriceTable) -> dict[str, Any]:
    return {
        "task": task,
        "model": model,
        "item_id": case.id,
        "label": case.label,
        "text": outcome.text,
        "quality": round(outcome.quality, 4),
        "metrics": outcome.metrics,
        "ms": round(ms, 1),
        "ttft_ms": None if outcome.ttft_ms is None else round(outcome.ttft_ms, 1),
        "input_tokens": sum(u.input_tokens for u in outcome.usage),
        "output_tokens": sum(u.output_tokens for u in outcome.usage),
        "cost": sum(prices.cost(u.model_id, u.input_tokens, u.output_tokens) for u in outcome.usage),
    }


def _failure(task: str, model: str, case: EvalCase, exc: Exception) -> dict[str, Any]:
    return {"task": task, "model": model, "item_id": case.id, "label": case.label, "error": str(exc)}
