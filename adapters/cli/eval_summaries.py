"""``kbot eval summaries``: ROUGE of the configured summarizer's ``tldr`` vs Lead-3 / LONGEST-3 baselines."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.summarizing.evaluation import FORMATS, METRICS, EvalReport, evaluate, load_dataset

if TYPE_CHECKING:
    from adapters.wiring import App


def register(eval_sub: argparse._SubParsersAction) -> None:
    parser = eval_sub.add_parser("summaries", help="ROUGE of summaries against human references")
    parser.add_argument("--data", type=Path, required=True, help="dataset JSONL file")
    parser.add_argument("--format", choices=FORMATS, required=True, dest="data_format")
    parser.add_argument("--limit", type=int, help="only the first N items")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run)


def format_report(report: EvalReport, seconds: float | None = None) -> str:
    header = f"{'system':<16}" + "".join(f"{m:>11}" for m in METRICS)
    rows = [f"{name:<16}" + "".join(f"{scores[m]:>11.2f}" for m in METRICS) for name, scores in report.scores.items()]
    took = f", {seconds:.0f}s" if seconds is not None else ""
    note = f", {report.failures} rejected as bad input" if report.failures else ""
    return "\n".join([f"{report.dataset}: {report.items} items (ROUGE F1 x 100{note}{took})", header, *rows])


async def run(args: argparse.Namespace, app: App) -> int:
    started = time.perf_counter()
    items = load_dataset(args.data, args.data_format, args.limit)
    report = await evaluate(app.summarizer, items, f"{args.data_format} ({args.data.name})")
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(format_report(report, time.perf_counter() - started))
    return 0
