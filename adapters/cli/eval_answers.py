"""``kbot eval answers --data FILE [--docs DIR]``: cited-answer quality vs two baselines, one run.

Systems, all on the same index and retrieval:
  * ``top1``   — never abstains: the best sentence of the top-1 passage (:mod:`bot.answering.baselines`);
  * ``legacy`` — the first embedded answerer (sentence similarity only);
  * ``reader`` — the embedded answerer as configured (span reader + structure-aware composition).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answering.evaluation import EvalItem, SystemReport, format_table, load_items, score, summarize
from bot.errors import InputError
from bot.ports import Answerer

if TYPE_CHECKING:
    from adapters.wiring import App

SYSTEMS = ("top1", "legacy", "reader")


def register(eval_sub: argparse._SubParsersAction) -> None:
    p = eval_sub.add_parser("answers", help="right document cited / key facts / abstention vs baselines")
    p.add_argument("--data", type=Path, required=True, help="JSONL of labelled questions (see docs/benchmarks.md)")
    p.add_argument("--docs", type=Path, help="index this folder first (default: the configured knowledge store)")
    p.add_argument("--index", type=Path, help="with --docs: keep the index in this file and reuse it next time")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--systems", default="top1,legacy,reader", help="comma-separated subset of top1,legacy,reader")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run)


def systems(app: App, names: list[str]) -> dict[str, Answerer]:
    from bot.answering.baselines import TopPassageBaseline
    from bot.answering.extractive import ExtractiveAnswerer
    from bot.answering.legacy import LegacyExtractiveAnswerer

    s = app.settings
    retriever = app.local_retriever
    built: dict[str, Answerer] = {
        "top1": TopPassageBaseline(retriever),
        "legacy": LegacyExtractiveAnswerer(
            retriever, app.embedder, top_k=s.kbot_top_k, min_evidence=0.35, term_stats=app.store
        ),
        "reader": ExtractiveAnswerer(
            retriever, app.embedder, top_k=s.kbot_top_k, min_evidence=s.kbot_min_evidence, term_stats=app.store
        ),
    }
    _check_names(names)
    return {n: built[n] for n in names}


def _check_names(names: list[str]) -> None:
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise InputError(f"unknown system(s): {', '.join(unknown)} (choose from {', '.join(SYSTEMS)})")


async def evaluate(systems_: dict[str, Answerer], items: list[EvalItem]) -> tuple[dict[str, SystemReport], dict]:
    """Each question goes to every system in turn, so machine load weighs on their latencies alike."""
    scores: dict[str, list] = {name: [] for name in systems_}
    details: dict[str, list[dict]] = {name: [] for name in systems_}
    for item in items:
        for name, answerer in systems_.items():
            started = time.perf_counter()
            answer = await answerer.answer(item.as_question())
            sc = score(item, answer, (time.perf_counter() - started) * 1000)
            scores[name].append(sc)
            details[name].append({"id": item.id, "abstained": sc.abstained, "right_doc": sc.right_doc,
                                  "facts": sc.facts_stated, "answer": answer.text,
                                  "cited": [c.uri for c in answer.citations]})
    return {name: summarize(items, scores[name]) for name in systems_}, details


async def _index(docs: Path, index: Path) -> App:
    from adapters.wiring import App
    from ingest.connectors.folder import FolderConnector

    if not await asyncio.to_thread(docs.is_dir):
        raise InputError(f"{docs}: not a folder")
    app = App.from_env(kbot_db=index)
    pipeline, _, _ = app.ingest_pipeline()
    await pipeline.sync(FolderConnector(docs.name, docs, supports=app.parser.supports), source=docs.name)
    return app


async def run(args: argparse.Namespace, app: App) -> int:
    items = load_items(args.data, args.limit)
    names = [n.strip() for n in args.systems.split(",") if n.strip()]
    _check_names(names)  # before indexing: a typo should not cost an indexing run
    with tempfile.TemporaryDirectory() as tmp:
        if args.docs:
            app = await _index(args.docs, args.index or Path(tmp) / "eval.db")
        elif (await app.store.stats())["documents"] == 0:
            raise InputError("the knowledge store is empty: pass --docs DIR (or run kbot ingest first)")
        reports, details = await evaluate(systems(app, names), items)
        if args.docs:
            await app.aclose()
    n_ans = sum(i.answerable for i in items)
    title = f"{args.data.name}: {len(items)} questions ({n_ans} answerable, {len(items) - n_ans} not)"
    if args.json:
        print(
            json.dumps(
                {
                    "dataset": args.data.name,
                    "questions": len(items),
                    "systems": {k: v.to_json() for k, v in reports.items()},
                    "items": details,
                }
            )
        )
    else:
        print(format_table(title, reports))
    return 0
