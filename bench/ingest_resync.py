"""Re-sync benchmark: a second sync of an unchanged source must cost ≤ 5 % of the first.

For each connector kind (folder, SharePoint, Confluence, MediaWiki) a source of ``--docs``
documents is synced twice into a fresh local store (real SQLite store, real `unstructured`
parser, checkpoints in the same file). Remote sources are the local fake servers from the test
suite (127.0.0.1), so the numbers measure kbot, not a network. Reports wall time and documents
parsed for both runs and the ratio; exits 1 if any ratio exceeds ``--max-ratio``.

    python bench/ingest_resync.py --docs 200            # HashEmbedder (fast, conservative ratio)
    python bench/ingest_resync.py --docs 100 --embedder minilm
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.parsing.unstructured_parser import UnstructuredParser  # noqa: E402
from adapters.store.checkpoints import SqliteCheckpointStore  # noqa: E402
from adapters.store.sqlite_store import SqliteStore  # noqa: E402
from ingest.local_sink import LocalStoreSink  # noqa: E402
from ingest.pipeline import IngestPipeline  # noqa: E402
from tests.ingest import worlds  # noqa: E402

TOPICS = "leave travel payroll laptops security onboarding benefits expenses vpn printers".split()


def long_body(i: int, version: int = 1) -> str:
    """A few paragraphs under headings: realistic work for the parser, chunker and embedder."""
    topic = TOPICS[i % len(TOPICS)]
    paras = [
        f"Document {i} version {version} describes the {topic} policy for every office.",
        f"Employees asking about {topic} should first read this page, then ask their manager.",
        f"Exceptions to the {topic} rules need written approval from the department head.",
    ]
    return "\n\n".join(f"## Part {n}\n\n{p} " + " ".join(paras) for n, p in enumerate(paras, 1))


async def sleep_none(_seconds: float) -> None:
    return None


async def run_kind(kind: str, docs: int, embedder: Any, parser: UnstructuredParser, tmp: Path) -> dict:
    async with aiohttp.ClientSession() as session:
        world = worlds.make_world(kind, tmp / kind)
        world.production = True
        await world.open(session, sleep_none)
        try:
            world.seed(docs)
            db = tmp / f"{kind}.db"
            store, checkpoints = SqliteStore(db), SqliteCheckpointStore(db)
            try:
                pipeline = IngestPipeline(parser, LocalStoreSink(store, embedder), checkpoints)
                runs = []
                for _ in range(2):
                    start = time.perf_counter()
                    report = await pipeline.sync(world.connector(), source="src")
                    runs.append((time.perf_counter() - start, report))
            finally:
                await store.close()
                await checkpoints.close()
        finally:
            await world.close()
    (t1, r1), (t2, r2) = runs
    return {
        "kind": kind, "docs": docs, "first_s": round(t1, 3), "second_s": round(t2, 3),
        "first_parsed": r1.parsed, "second_parsed": r2.parsed, "second_unchanged": r2.unchanged,
        "time_ratio": round(t2 / t1, 4), "parsed_ratio": round(r2.parsed / max(r1.parsed, 1), 4),
        "failures": len(r1.failures) + len(r2.failures),
    }


async def main_async(args: argparse.Namespace) -> list[dict]:
    worlds.body = long_body  # type: ignore[assignment]  # richer documents than the unit tests use
    if args.embedder == "minilm":
        from adapters.embedding.minilm import MiniLmEmbedder

        embedder: Any = MiniLmEmbedder()
    else:
        from tests.fakes import HashEmbedder

        embedder = HashEmbedder()
    parser = UnstructuredParser()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            results.append(await run_kind(kind, args.docs, embedder, parser, Path(tmp)))
    return results


def main() -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--kinds", default="folder,sharepoint,confluence,mediawiki")
    parser.add_argument("--embedder", choices=["hash", "minilm"], default="hash")
    parser.add_argument("--max-ratio", type=float, default=0.05)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    print(f"{'kind':<11} {'docs':>5} {'first s':>8} {'second s':>9} {'parsed 1st':>10} {'parsed 2nd':>10} "
          f"{'time ratio':>10}")
    for r in results:
        print(f"{r['kind']:<11} {r['docs']:>5} {r['first_s']:>8.2f} {r['second_s']:>9.3f} "
              f"{r['first_parsed']:>10} {r['second_parsed']:>10} {r['time_ratio']:>10.2%}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    worst = max(max(r["time_ratio"], r["parsed_ratio"]) for r in results)
    ok = worst <= args.max_ratio and not any(r["failures"] for r in results)
    print(f"{'PASS' if ok else 'FAIL'}: worst second/first ratio {worst:.2%} (limit {args.max_ratio:.0%})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
