"""``kbot eval scorecard`` against the fake Bedrock endpoint: ranking, costs, budget, resume, throttling."""

from __future__ import annotations

import json
from collections import Counter

from adapters.wiring.app import AppOverrides
from bot.models import Answer, Citation, Question
from bot.scorecard.prices import load_prices
from tests.bedrock.fake_bedrock import Fault
from tests.bedrock.scorecard_world import (
    PRICES,
    STRONG,
    WEAK,
    run_scorecard,
    scorecard_args,
    script_world,
)


async def test_ranks_the_better_model_first_with_costs_from_the_price_table(
    fake_bedrock, bedrock_settings, tmp_path, capsys
):
    billing = script_world(fake_bedrock)
    html = tmp_path / "report.html"
    args = scorecard_args(tmp_path, "--json", "--html", str(html), "--concurrency", "3")

    assert await run_scorecard(bedrock_settings, args) == 0

    report = json.loads(capsys.readouterr().out)
    strong, weak = report["models"]
    assert (strong["model"], strong["rank"], weak["model"], weak["rank"]) == (STRONG, 1, WEAK, 2)
    assert strong["quality"] == 1.0
    assert weak["quality"] < 0.5
    assert strong["metrics"] == {
        "right_doc": 1.0, "facts": 1.0, "all_facts": 1.0, "abstention": 1.0, "false_abstention": 0.0
    }  # fmt: skip
    assert weak["metrics"]["right_doc"] == round(1 / 3, 3) and weak["metrics"]["abstention"] == 0.0
    # Tokens and cost: what the fake reported, priced with the shipped table (us. profiles: +10%).
    prices = load_prices(PRICES)
    for row in (strong, weak):
        calls = [c for c in billing.calls if c[0] == row["model"]]
        assert row["output_tokens"] == sum(c[3] for c in calls) / 4
        assert row["input_tokens"] == sum(c[2] for c in calls) / 4
        expected = 1000 * sum(prices.cost(row["model"], c[2], c[3]) for c in calls) / 4
        assert abs(row["cost_per_1k"] - expected) < 1e-3
    assert prices.price(STRONG).input_per_m == 3.3 and prices.price(WEAK).output_per_m == 5.5
    assert strong["output_tokens"] > weak["output_tokens"] and strong["cost_per_1k"] > weak["cost_per_1k"]
    # Latency: the weak model's scripted delay shows in its p50 and time to first token.
    assert strong["p50_ms"] < weak["p50_ms"] and weak["ttft_p50_ms"] >= 400
    assert strong["ttft_p50_ms"] < weak["ttft_p50_ms"]
    assert [w["item_id"] for w in weak["worst"]] == ["s1", "s3", "s4"]
    assert report["prices"]["as_of"] and "aws.amazon.com/bedrock/pricing" in report["prices"]["source"]
    page = html.read_text()
    assert page.count("<svg") == 2 and "<script" not in page and "The password is on the fridge" in page


async def test_terminal_table_lists_models_in_rank_order(fake_bedrock, bedrock_settings, tmp_path, capsys):
    script_world(fake_bedrock)
    assert await run_scorecard(bedrock_settings, scorecard_args(tmp_path)) == 0
    lines = capsys.readouterr().out.splitlines()
    ranked = [line.split()[:2] for line in lines[2:4]]
    assert ranked == [["1", STRONG], ["2", WEAK]]
    assert "$/1k" in lines[1] and "ttft p50" in lines[1]


async def test_max_cost_stops_before_the_budget_and_the_rerun_resumes_without_paying_twice(
    fake_bedrock, bedrock_settings, tmp_path, capsys
):
    billing = script_world(fake_bedrock)
    budget = 0.03  # a Sonnet call may cost up to ~0.018 (1,024 output tokens): some pairs fit, not all

    code = await run_scorecard(bedrock_settings, scorecard_args(tmp_path, "--max-cost", str(budget), "--json"))

    out, err = capsys.readouterr()
    assert code == 3 and "--max-cost 0.0300 USD reached" in err and "run again to resume" in err
    first = json.loads(out)
    assert first["stopped"] and 0 < first["sent"] < 8
    assert billing.cost() <= budget  # what the fake billed never went over the budget
    assert len(billing.calls) == first["sent"]
    paid_first = list(billing.pairs())

    code = await run_scorecard(bedrock_settings, scorecard_args(tmp_path, "--json"))

    second = json.loads(capsys.readouterr().out)
    assert code == 0 and second["cached"] == first["sent"] and second["sent"] == 8 - first["sent"]
    counts = Counter(billing.pairs())
    assert set(counts.values()) == {1} and len(counts) == 8  # every pair paid exactly once
    assert not set(billing.pairs()[len(paid_first) :]) & set(paid_first)
    assert [m["rank"] for m in second["models"]] == [1, 2] and second["models"][0]["model"] == STRONG


async def test_throttled_call_is_retried_as_in_production_and_not_charged(
    fake_bedrock, bedrock_settings, tmp_path, capsys
):
    billing = script_world(fake_bedrock)
    fake_bedrock.script("ConverseStream", Fault("ThrottlingException", "Too many requests", 429))
    args = scorecard_args(tmp_path, "--json", "--concurrency", "1", "--max-cost", "1")

    assert await run_scorecard(bedrock_settings, args) == 0

    report = json.loads(capsys.readouterr().out)
    assert len(fake_bedrock.calls("ConverseStream")) == 9  # 8 pairs + the throttled attempt, re-sent
    assert len(billing.calls) == 8 and report["sent"] == 8 and report["failed"] == 0
    assert abs(report["spent_usd"] - billing.cost()) < 1e-6  # the refused attempt cost nothing


async def test_unknown_model_price_is_one_clear_error_before_any_call(fake_bedrock, bedrock_settings, tmp_path):
    import pytest

    from bot.errors import InputError
    from tests.bedrock.scorecard_world import DATA

    args = scorecard_args(tmp_path)
    args.models = "us.amazon.nova-premier-v1:0"
    with pytest.raises(InputError, match="no price for model 'us.amazon.nova-premier-v1:0'.*--prices"):
        await run_scorecard(bedrock_settings, args)
    assert fake_bedrock.requests == [] and DATA.exists()


class _LocalAnswerer:
    """Stands in for the embedded answerer: knows only the laptop policy, abstains otherwise."""

    async def answer(self, question: Question) -> Answer:
        if "laptop" not in question.text.lower():
            return Answer("I couldn't find this.", grounded=False)
        cite = Citation("Laptops", "https://wiki.example.com/it/laptops.md", "every three years", 0.9)
        return Answer("Every three years [1].", grounded=True, citations=[cite])


async def test_embedded_backend_is_a_zero_cost_row(fake_bedrock, bedrock_settings, tmp_path, capsys):
    billing = script_world(fake_bedrock)
    args = scorecard_args(tmp_path, "--json")
    args.models = f"{STRONG},embedded"

    assert await run_scorecard(bedrock_settings, args, AppOverrides(answerer=_LocalAnswerer())) == 0

    strong, local = json.loads(capsys.readouterr().out)["models"]
    assert (strong["model"], local["model"], local["rank"]) == (STRONG, "embedded", 2)
    assert local["quality"] == 0.5 and local["cost_per_1k"] == 0.0 and local["input_tokens"] == 0
    assert {m for m, _ in billing.pairs()} == {STRONG}  # the local row never called Bedrock
