"""``kbot eval scorecard --models A,B[,embedded]``: candidate models side by side on the team's own
evaluation set, with the production prompts and retrieval (README "Choosing models")."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError, InputError
from bot.scorecard.budget import Budget
from bot.scorecard.cache import ResultCache
from bot.scorecard.prices import ZERO_COST, PriceTable, load_prices
from bot.scorecard.report import ModelSummary, format_table, rank, summarize_model
from bot.scorecard.runner import EvalCase, RunResult, Trial, run_pairs
from bot.scorecard.tasks import METRIC_COLUMNS, TASKS, answers_metrics, condense_metrics, summaries_metrics

if TYPE_CHECKING:
    from adapters.wiring import App

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PRICES = REPO / "adapters" / "bedrock" / "prices.json"
DEFAULT_ANSWERS = REPO / "bench" / "data" / "handbook_answers.jsonl"
DEFAULT_CACHE = Path(".kbot") / "scorecard" / "results.jsonl"
EXIT_BUDGET = 3


def register(eval_sub: argparse._SubParsersAction) -> None:
    p = eval_sub.add_parser("scorecard", help="compare Bedrock models: quality, latency, cost")
    p.add_argument(
        "--models",
        required=True,
        help="comma-separated model ids, inference profiles or ARNs; "
        f"'{ZERO_COST}' adds the embedded backend as a zero-cost row",
    )
    p.add_argument("--task", choices=TASKS, default="answers")
    p.add_argument(
        "--data", type=Path, help=f"evaluation set (answers/condense default: {DEFAULT_ANSWERS.relative_to(REPO)})"
    )
    p.add_argument(
        "--format", dest="data_format", help="summaries: samsum|dialogsum|aeslc|bc3 (default: from the file name)"
    )
    p.add_argument("--limit", type=int, help="only the first N items")
    p.add_argument("--prices", type=Path, help=f"price table JSON (default: {DEFAULT_PRICES.relative_to(REPO)})")
    p.add_argument("--max-cost", type=float, help="stop before the run could spend more than this many USD")
    p.add_argument("--concurrency", type=int, default=4, help="model calls in flight at once (default 4)")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"results cache (default {DEFAULT_CACHE})")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--html", type=Path, help="also write a self-contained HTML report here")
    p.set_defaults(handler=run)


def _check(args: argparse.Namespace) -> list[str]:
    models = list(dict.fromkeys(m.strip() for m in args.models.split(",") if m.strip()))
    if not models:
        raise InputError("--models needs at least one model id")
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    if args.concurrency < 1:
        raise InputError("--concurrency must be at least 1")
    if args.max_cost is not None and args.max_cost <= 0:
        raise InputError("--max-cost must be more than 0")
    return models


def _cases(args: argparse.Namespace) -> tuple[Path, list[EvalCase]]:
    if args.task == "summaries":
        from bot.summarizing.evaluation import FORMATS, load_dataset

        if args.data is None:
            raise InputError("--task summaries needs --data (e.g. ../shared/data/thread_summaries/samsum_test.jsonl)")
        fmt = args.data_format or next((f for f in FORMATS if f in args.data.name), None)
        if fmt is None:
            raise InputError(f"cannot tell the format of {args.data.name}: pass --format ({', '.join(FORMATS)})")
        threads = [i for i in load_dataset(args.data, fmt, args.limit) if i.references]
        return args.data, [EvalCase(i.id, _conversation_label(i.conversation), i) for i in threads]
    from bot.answering.evaluation import load_items

    data = args.data or DEFAULT_ANSWERS
    if not data.exists():
        raise InputError(f"{data}: no such evaluation set (pass --data FILE)")
    items = load_items(data, None)
    if args.task == "condense":
        items = [i for i in items if i.history]
        if not items:
            raise InputError(f"{data}: no follow-up questions (items with 'history') to condense")
    items = items[: args.limit or None]
    return data, [EvalCase(i.id, i.question, i) for i in items]


def _conversation_label(conversation: Any) -> str:
    return str(conversation.title or " / ".join(m.text for m in conversation.messages[:2]))[:160]


def _trials(
    args: argparse.Namespace, app: App, local: App | None, models: list[str], budget: Budget, prices: PriceTable
) -> dict[str, Trial]:
    from bot.scorecard.tasks import RougeScorer

    scorer = RougeScorer() if args.task == "summaries" else None
    trials: dict[str, Trial] = {}
    cloud = [m for m in models if m != ZERO_COST]
    if cloud:
        from adapters.bedrock.client import build_clients
        from adapters.bedrock.scorecard import BedrockTrials

        settings = app.settings.model_copy(update={"kbot_backend": "bedrock"})
        if not settings.bedrock_knowledge_base_id and args.task != "summaries":
            raise ConfigError("the scorecard retrieves from the Knowledge Base: set BEDROCK_KNOWLEDGE_BASE_ID")
        bedrock = BedrockTrials(settings, build_clients(settings), budget, prices)
    for model in models:
        if model == ZERO_COST:
            assert local is not None
            trials[model] = _embedded_trial(args.task, local, scorer)
        elif args.task == "answers":
            trials[model] = bedrock.answers(model)
        elif args.task == "condense":
            trials[model] = bedrock.condense(model)
        else:
            assert scorer is not None
            trials[model] = bedrock.summaries(model, scorer)
    return trials


def _local(app: App) -> App:
    """The embedded backend on the same settings and local index, whatever KBOT_BACKEND says."""
    from adapters.wiring import App

    if app.settings.kbot_backend == "embedded":
        return app
    return App(app.settings.model_copy(update={"kbot_backend": "embedded"}), app.overrides)


def _embedded_trial(task: str, app: App, scorer: Any) -> Trial:
    from bot.answering.evaluation import EvalItem
    from bot.scorecard.runner import Outcome
    from bot.scorecard.tasks import answer_outcome, summary_outcome

    if task == "condense":
        raise InputError("the embedded backend has no model to condense with: drop 'embedded' for --task condense")

    async def trial(payload: Any) -> Outcome:
        if task == "answers":
            assert isinstance(payload, EvalItem)
            outcome = answer_outcome(payload, await app.answerer.answer(payload.as_question()), None)
            outcome.usage = []  # local model: no per-token price
            return outcome
        summary = await app.summarizer.summarize(payload.conversation)
        return summary_outcome(scorer, payload.references, summary.tldr, [], None)

    return trial


def _metrics(task: str, cases: list[EvalCase], rows: list[dict[str, Any]]) -> dict[str, float]:
    if task == "answers":
        return answers_metrics([c.payload for c in cases], rows)
    return summaries_metrics(rows) if task == "summaries" else condense_metrics(rows)


def _report(
    args: argparse.Namespace, models: list[str], cases: list[EvalCase], result: RunResult
) -> list[ModelSummary]:
    summaries = []
    for model in models:
        rows = [r for r in result.rows if r["model"] == model]
        summaries.append(summarize_model(model, rows, _metrics(args.task, cases, rows)))
    return rank(summaries)


async def run(args: argparse.Namespace, app: App) -> int:
    models = _check(args)
    prices = load_prices(args.prices or DEFAULT_PRICES)
    needed = (
        [*models, app.settings.bedrock_fast_model_id] if args.task == "answers" and models != [ZERO_COST] else models
    )
    for model in needed:
        prices.price(model)  # unknown price: one clear error before anything is sent
    data, cases = _cases(args)
    budget = Budget(args.max_cost)
    local = _local(app) if ZERO_COST in models else None
    try:
        trials = _trials(args, app, local, models, budget, prices)
        result = await _run_pairs(args, data, cases, trials, prices, budget)
    finally:
        if local is not None and local is not app:
            await local.aclose()
    return _output(args, models, data, cases, result, prices, budget)


async def _run_pairs(
    args: argparse.Namespace,
    data: Path,
    cases: list[EvalCase],
    trials: dict[str, Trial],
    prices: PriceTable,
    budget: Budget,
) -> RunResult:
    return await run_pairs(
        f"{args.task}:{data.name}",
        cases,
        trials,
        prices=prices,
        budget=budget,
        cache=ResultCache(args.cache),
        concurrency=args.concurrency,
    )


def _output(
    args: argparse.Namespace,
    models: list[str],
    data: Path,
    cases: list[EvalCase],
    result: RunResult,
    prices: PriceTable,
    budget: Budget,
) -> int:
    summaries = _report(args, models, cases, result)
    meta = {
        "task": args.task,
        "data": str(data),
        "items": len(cases),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sent": result.sent,
        "cached": result.cached,
        "failed": result.failed,
        "spent_usd": round(budget.spent, 6),
        "stopped": result.stopped,
        "prices": {"as_of": prices.as_of, "source": prices.source, "file": prices.origin},
    }
    names = METRIC_COLUMNS[args.task]
    if args.json:
        print(json.dumps({**meta, "models": [s.to_json() for s in summaries]}, indent=2))
    else:
        print(format_table(args.task, summaries, names))
        print(
            f"{result.sent} sent, {result.cached} from cache ({args.cache}), {result.failed} failed; "
            f"spent {budget.spent:.4f} USD; prices as of {prices.as_of} ({prices.origin})"
        )
    if args.html:
        from adapters.cli.scorecard_html import render_html

        args.html.write_text(render_html(args.task, summaries, names, meta), encoding="utf-8")
    if result.stopped:
        print(
            f"kbot: scorecard stopped: {result.stopped}; run again to resume ({result.sent} results cached)",
            file=sys.stderr,
        )
        return EXIT_BUDGET
    return 0
