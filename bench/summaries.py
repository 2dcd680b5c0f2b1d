"""Summary benchmark: embedded summarizer vs Lead-3 / LONGEST-3 per dataset, plus long-thread memory.

    python bench/summaries.py                 # every dataset found under ../shared/data (several minutes)
    python bench/summaries.py --limit 100     # quicker
    python bench/summaries.py --only samsum --skip-memory

ROUGE uses the bundled MiniLM embedder (the embedded default). The memory part summarizes synthetic
threads of growing length and reports tracemalloc's peak of Python/numpy allocations made while
summarizing (the input thread itself is built before measuring), and the process peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DO_NOT_TRACK", "1")

from adapters.cli.eval_summaries import format_report  # noqa: E402
from bot.ports import Embedder  # noqa: E402
from bot.summarizing.evaluation import evaluate, load_dataset  # noqa: E402
from bot.summarizing.extractive import ExtractiveSummarizer  # noqa: E402
from tests.summarizing.synthetic import synthetic_thread  # noqa: E402

DATA = ROOT / ".." / "shared" / "data"
DATASETS = {
    "samsum": DATA / "thread_summaries" / "samsum_test.jsonl",
    "dialogsum": DATA / "thread_summaries" / "dialogsum_test.jsonl",
    "aeslc": DATA / "email_summaries" / "aeslc_test.jsonl",
    "bc3": DATA / "email_summaries" / "bc3_threads.jsonl",
}


def _embedder(kind: str) -> Embedder:
    if kind == "hash":
        sys.path.insert(0, str(ROOT))
        from tests.fakes import HashEmbedder

        return HashEmbedder()
    from adapters.embedding.minilm import MiniLmEmbedder

    return MiniLmEmbedder()


async def rouge(names: list[str], limit: int | None, embedder: Embedder) -> None:
    summarizer = ExtractiveSummarizer(embedder)
    for name in names:
        path = DATASETS[name]
        if not path.exists():
            print(f"{name}: skipped ({path} not found)\n")
            continue
        started = time.perf_counter()
        report = await evaluate(summarizer, load_dataset(path, name, limit), name)  # type: ignore[arg-type]
        print(format_report(report, time.perf_counter() - started))
        ours, longest = report.scores["embedded"]["rouge1"], report.scores["longest-3"]["rouge1"]
        first = report.scores["first-sentence"]["rouge1"]
        print(f"  ROUGE-1 margin: {ours - longest:+.2f} vs LONGEST-3, {ours - first:+.2f} vs first sentence\n")


async def memory(sizes: list[int], embedder: Embedder) -> None:
    summarizer = ExtractiveSummarizer(embedder)
    print("long-thread memory (map-reduce over 256-sentence windows)")
    print(f"{'messages':>9} {'seconds':>8} {'peak MB (tracemalloc)':>22} {'process peak RSS MB':>20}")
    for size in sizes:
        conversation = synthetic_thread(size)
        tracemalloc.start()
        started = time.perf_counter()
        summary = await summarizer.summarize(conversation)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{size:>9} {seconds:>8.1f} {peak / 2**20:>22.2f} {rss_mb:>20.0f}")
        assert summary.tldr, "empty summary"
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="items per dataset (default: all)")
    parser.add_argument("--only", nargs="+", choices=sorted(DATASETS), help="datasets to run")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000, 5000])
    parser.add_argument(
        "--embedder",
        choices=["minilm", "hash"],
        default="minilm",
        help="hash: the fast test fake (numbers not comparable to published ones)",
    )
    args = parser.parse_args()
    embedder = _embedder(args.embedder)
    asyncio.run(rouge(args.only or list(DATASETS), args.limit, embedder))
    if not args.skip_memory:
        asyncio.run(memory(args.sizes, embedder))


if __name__ == "__main__":
    main()
