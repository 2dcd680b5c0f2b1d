"""The run itself: concurrency limit, and a run killed midway resuming from its cache."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.models import Usage
from bot.scorecard.budget import Budget
from bot.scorecard.cache import ResultCache
from bot.scorecard.prices import Price, PriceTable
from bot.scorecard.runner import EvalCase, Outcome, Trial, run_pairs

PRICES = PriceTable({"m1": Price(1.0, 2.0), "m2": Price(3.0, 4.0)})
CASES = [EvalCase(str(i), f"question {i}", i) for i in range(6)]


class Model:
    """A trial that counts its calls and how many run at once."""

    running = peak = 0  # across all models of a run

    def __init__(self, name: str, delay: float = 0.02, gate: asyncio.Event | None = None) -> None:
        self.name, self.delay, self.gate = name, delay, gate
        self.paid: Counter[int] = Counter()
        self.two_paid = asyncio.Event()

    async def __call__(self, payload: int) -> Outcome:
        Model.running += 1
        Model.peak = max(Model.peak, Model.running)
        try:
            if self.gate is not None and payload >= 2:
                await self.gate.wait()  # the run is killed while these wait
            await asyncio.sleep(self.delay)
            self.paid[payload] += 1
            if len(self.paid) >= 2:
                self.two_paid.set()
            return Outcome(f"answer {payload}", 1.0, {}, [Usage(self.name, 1000, 100)])
        finally:
            Model.running -= 1


async def test_no_more_than_concurrency_calls_at_once():
    Model.peak = 0
    m1, m2 = Model("m1"), Model("m2")
    trials: dict[str, Trial] = {"m1": m1, "m2": m2}
    result = await run_pairs(
        "t", CASES, trials, prices=PRICES, budget=Budget(None), cache=ResultCache(None), concurrency=2
    )
    assert result.sent == 12 and Model.peak == 2
    row = next(r for r in result.rows if r["model"] == "m2")
    assert row["cost"] == (1000 * 3.0 + 100 * 4.0) / 1_000_000


async def test_a_killed_run_resumes_from_its_cache_without_paying_again(tmp_path):
    path = tmp_path / "cache.jsonl"
    gate = asyncio.Event()
    first = Model("m1", gate=gate)
    run = asyncio.create_task(
        run_pairs("t", CASES, {"m1": first}, prices=PRICES, budget=Budget(None), cache=ResultCache(path), concurrency=2)
    )
    await asyncio.wait_for(first.two_paid.wait(), 5)  # items 0 and 1 done, the others stuck in flight
    run.cancel()  # Ctrl-C / a crash
    await asyncio.gather(run, return_exceptions=True)

    again = Model("m1")
    result = await run_pairs(
        "t", CASES, {"m1": again}, prices=PRICES, budget=Budget(None), cache=ResultCache(path), concurrency=2
    )
    assert result.cached == 2 and result.sent == 4
    assert set(again.paid) == {2, 3, 4, 5} and not set(again.paid) & set(first.paid)
    assert sorted(r["item_id"] for r in result.rows) == [str(i) for i in range(6)]
