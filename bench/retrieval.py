"""Retrieval quality on SQuAD 2.0 (dev subset): hybrid vs BM25-only vs dense-only, one run.

    python bench/retrieval.py [--limit N] [--data DIR]

Reads ../shared/data/qa/squad2_dev_subset beside the repo (not shipped with kbot).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.cli.eval_retrieval import evaluate, format_table  # noqa: E402
from adapters.wiring import App  # noqa: E402


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "qa" / "squad2_dev_subset")
    ap.add_argument("--limit", type=int)
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"dataset not found: {args.data} (it lives in shared/data beside the repo)", file=sys.stderr)
        return 2
    app = App.from_env()
    results = await evaluate(app, args.data, args.limit)
    print(format_table(results))
    best_single = max(results["bm25"]["recall@5"], results["dense"]["recall@5"])
    verdict = "PASS" if results["hybrid"]["recall@5"] >= best_single else "FAIL"
    print(f"hybrid recall@5 {results['hybrid']['recall@5']:.3f} vs best single {best_single:.3f}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
