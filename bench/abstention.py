"""Abstention calibration: precision/recall of "answer vs not found" as the threshold moves.

    python bench/abstention.py [--index FILE] [--docs DIR] [--data FILE]

Runs the embedded reader once per question of the handbook set (bench/data/handbook_answers.jsonl)
with abstention off and records each question's confidence (the highest over its parts: a question
is answered if any part is) and whether the answer cites a gold document; then sweeps the threshold.
Precision: answered questions that are answerable and cite a gold document / answered questions.
Recall: answerable questions answered from a gold document / answerable questions. The operating
point is ``KBOT_MIN_EVIDENCE``; the SQuAD 2.0 side of the calibration is bench/squad_reader.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.cli.eval_answers import _index  # noqa: E402
from bot.answering.evaluation import load_items, score  # noqa: E402
from bot.answering.extractive import ExtractiveAnswerer, retrieval_query  # noqa: E402
from bot.answering.parts import split_question  # noqa: E402

HANDBOOK = REPO.parent / "shared" / "data" / "handbook" / "18f_tts_handbook"
THRESHOLDS = [0.20, 0.24, 0.26, 0.28, 0.30, 0.32, 0.35, 0.40, 0.45, 0.50]


def sweep(rows: list[tuple[bool, bool, float]], thresholds: list[float]) -> list[str]:
    """rows: (answerable, right when answered, confidence) -> one table line per threshold."""
    n_ans = sum(a for a, _, _ in rows) or 1
    n_un = sum(not a for a, _, _ in rows) or 1
    out = [f"{'threshold':>9} {'abstention':>11} {'false_abst':>11} {'precision':>10} {'recall':>8}"]
    for t in thresholds:
        answered = [(a, r) for a, r, c in rows if c >= t]
        good = sum(a and r for a, r in answered)
        abst = sum(not a for a, _, c in rows if c < t) / n_un
        false = sum(a for a, _, c in rows if c < t) / n_ans
        prec = good / len(answered) if answered else 1.0
        out.append(f"{t:>9.2f} {abst:>11.3f} {false:>11.3f} {prec:>10.3f} {good / n_ans:>8.3f}")
    return out


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=REPO / "bench" / "data" / "handbook_answers.jsonl")
    ap.add_argument("--docs", type=Path, default=HANDBOOK)
    ap.add_argument("--index", type=Path, help="reuse/keep the index in this file")
    args = ap.parse_args()
    items = load_items(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        app = await _index(args.docs, args.index or Path(tmp) / "kb.db")
        reader = ExtractiveAnswerer(
            app.local_retriever, app.embedder, top_k=app.settings.kbot_top_k, min_evidence=0.0, term_stats=app.store
        )
        rows = []
        for item in items:
            q = item.as_question()
            parts = split_question(retrieval_query(q))
            confidence = max([(await reader.read(p, q)).reading.confidence for p in parts])
            answer = await reader.answer(q)
            rows.append((item.answerable, score(item, answer, 0.0).right_doc, confidence))
        await app.aclose()
    print(f"{args.data.name}: {len(items)} questions; configured KBOT_MIN_EVIDENCE={app.settings.kbot_min_evidence}")
    print("\n".join(sweep(rows, THRESHOLDS)))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
