"""Price lookup, the budget's arithmetic, the result cache's file, and the ranking rule."""

from __future__ import annotations

import json
import threading

import pytest

from adapters.cli.eval_scorecard import DEFAULT_PRICES
from adapters.cli.scorecard_html import nice_ticks, short_name
from bot.errors import InputError
from bot.scorecard.budget import Budget, BudgetExhausted
from bot.scorecard.cache import ResultCache
from bot.scorecard.prices import load_prices
from bot.scorecard.report import rank, summarize_model
from bot.settings import BEDROCK_DEFAULT_FAST_MODEL, BEDROCK_DEFAULT_MODEL


def test_default_table_is_dated_sourced_and_prices_the_default_models_in_every_form():
    prices = load_prices(DEFAULT_PRICES)
    assert prices.as_of and "https://aws.amazon.com/bedrock/pricing/" in prices.source
    for model in (BEDROCK_DEFAULT_MODEL, BEDROCK_DEFAULT_FAST_MODEL):
        base = prices.price(model)
        assert prices.price(f"global.{model}") == base  # no own entry: the model's price
        geo = prices.price(f"us.{model}")
        assert geo.input_per_m == pytest.approx(base.input_per_m * 1.1)  # geographic profile premium
        arn = f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{model}"
        assert prices.price(arn) == geo
    assert prices.cost("amazon.nova-micro-v1:0", 1_000_000, 1_000_000) == pytest.approx(0.035 + 0.14)
    assert prices.cost("embedded", 10**9, 10**9) == 0.0


def test_unknown_model_and_bad_price_file_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no price for model 'acme.unknown-v1'"):
        load_prices(DEFAULT_PRICES).price("acme.unknown-v1")
    bad = tmp_path / "prices.json"
    bad.write_text(json.dumps({"models": {"a.b": {"input_per_million": 1}}}))
    with pytest.raises(InputError, match="not a price table"):
        load_prices(bad)


def test_budget_refuses_a_call_that_could_exceed_it_counting_calls_in_flight():
    budget = Budget(1.0)
    first = budget.reserve(0.6)
    with pytest.raises(BudgetExhausted):
        budget.reserve(0.5)  # 0.6 in flight + 0.5 > 1.0
    budget.settle(first, 0.1)  # the call cost far less than its worst case
    budget.settle(budget.reserve(0.5), 0.5)
    assert budget.spent == pytest.approx(0.6) and budget.reserved == 0.0 and budget.refused == 1
    budget.release(budget.reserve(0.4))  # refused by the service before it ran: free
    assert budget.spent == pytest.approx(0.6)


def test_budget_is_safe_across_threads():
    budget = Budget(10.0)

    def spend() -> None:
        for _ in range(200):
            try:
                budget.settle(budget.reserve(0.01), 0.01)
            except BudgetExhausted:
                return

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert budget.spent <= 10.0 + 1e-9 and budget.reserved == pytest.approx(0.0, abs=1e-9)


def test_cache_survives_a_line_cut_short_by_a_crash(tmp_path):
    path = tmp_path / "cache.jsonl"
    cache = ResultCache(path)
    cache.put({"task": "answers:x", "model": "m", "item_id": "1", "quality": 1.0})
    with path.open("a") as handle:
        handle.write('{"task": "answers:x", "model": "m", "item_id": "2", "qua')  # killed mid-write
    reloaded = ResultCache(path)
    assert reloaded.get("answers:x", "m", "1") == {"task": "answers:x", "model": "m", "item_id": "1", "quality": 1.0}
    assert reloaded.get("answers:x", "m", "2") is None and len(reloaded) == 1


def _row(model: str, item: str, quality: float, cost: float, ms: float) -> dict:
    return {"model": model, "item_id": item, "label": item, "text": "", "quality": quality, "ms": ms,
            "ttft_ms": None, "input_tokens": 10, "output_tokens": 5, "cost": cost}  # fmt: skip


def test_rank_prefers_quality_then_cost_then_latency():
    a = summarize_model("a", [_row("a", "1", 0.9, 0.002, 100)], {})
    b = summarize_model("b", [_row("b", "1", 0.9, 0.001, 900)], {})
    c = summarize_model("c", [_row("c", "1", 0.95, 0.009, 900)], {})
    assert [s.model for s in rank([a, b, c])] == ["c", "b", "a"]
    assert b.cost_per_1k == pytest.approx(1.0)


def test_chart_labels_and_ticks():
    assert short_name("arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0") == (
        "us.claude-haiku-4-5-20251001"
    )
    assert short_name("amazon.nova-lite-v1:0") == "nova-lite"
    assert nice_ticks(1.84) == [0, 0.5, 1.0, 1.5, 2.0]
    assert nice_ticks(324) == [0, 100, 200, 300, 400]
