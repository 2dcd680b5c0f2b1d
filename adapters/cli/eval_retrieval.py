"""``kbot eval retrieval --data DIR``: BEIR-style folder → recall/MRR/nDCG and latency, per mode."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import InputError
from bot.metrics import mrr_at, ndcg_at, percentile, recall_at
from bot.models import Document, Section, content_hash
from bot.retrieval import HybridRetriever, Mode

if TYPE_CHECKING:
    from adapters.wiring import App


MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("retrieval", help="recall@k / MRR / nDCG / latency on a BEIR-style folder")
    p.add_argument("--data", type=Path, required=True, help="folder with corpus.jsonl, queries.jsonl, qrels.tsv")
    p.add_argument("--limit", type=int, help="evaluate only the first N judged queries")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run)


def load_beir(folder: Path) -> tuple[list[dict], dict[str, str], dict[str, set[str]]]:
    for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv"):
        if not (folder / name).is_file():
            raise InputError(f"{folder}: missing {name} (expected a BEIR-style folder)")
    try:
        corpus = [json.loads(x) for x in (folder / "corpus.jsonl").read_text().splitlines() if x.strip()]
        queries = {
            q["_id"]: q["text"]
            for q in (json.loads(x) for x in (folder / "queries.jsonl").read_text().splitlines() if x.strip())
        }
    except (json.JSONDecodeError, KeyError) as exc:
        raise InputError(f"{folder}: malformed JSONL ({exc})") from exc
    qrels: dict[str, set[str]] = {}
    for line in (folder / "qrels.tsv").read_text().splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 3 and parts[2].strip() not in ("0", ""):
            qrels.setdefault(parts[0], set()).add(parts[1])
    return corpus, queries, qrels


async def evaluate(app: App, folder: Path, limit: int | None = None) -> dict:
    from adapters.store.sqlite_store import SqliteStore
    from ingest.local_sink import LocalStoreSink

    corpus, queries, qrels = load_beir(folder)
    judged = [q for q in qrels if q in queries][: limit or None]
    if not judged:
        raise InputError(f"{folder}: no judged queries")
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "eval.db")
        sink = LocalStoreSink(store, app.embedder)
        start = time.perf_counter()
        docs = [
            Document(
                id=d["_id"], source="eval", uri=d["_id"], title=d.get("title", ""), text=d["text"],
                sections=[Section(heading="", text=d["text"])], content_hash=content_hash(d["text"]),
            )
            for d in corpus
        ]
        for i in range(0, len(docs), 64):
            await sink.upsert(docs[i : i + 64])
        index_s = time.perf_counter() - start
        results = {"dataset": folder.name, "passages": len(docs), "queries": len(judged), "index_s": round(index_s, 1)}
        for mode in MODES:
            retriever = HybridRetriever(store, app.embedder, mode=mode)
            r1 = r5 = r10 = mrr = ndcg = 0.0
            latencies = []
            for qid in judged:
                t = time.perf_counter()
                passages = await retriever.retrieve(queries[qid], k=30)
                latencies.append((time.perf_counter() - t) * 1000)
                ranked = list(dict.fromkeys(p.doc_id for p in passages))
                rel = qrels[qid]
                r1 += recall_at(ranked, rel, 1)
                r5 += recall_at(ranked, rel, 5)
                r10 += recall_at(ranked, rel, 10)
                mrr += mrr_at(ranked, rel, 10)
                ndcg += ndcg_at(ranked, rel, 10)
            n = len(judged)
            results[mode] = {
                "recall@1": r1 / n, "recall@5": r5 / n, "recall@10": r10 / n, "mrr@10": mrr / n,
                "ndcg@10": ndcg / n, "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
            }
        await store.close()
    return results


def format_table(results: dict) -> str:
    cols = ["recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "p50_ms", "p95_ms"]
    lines = [
        f"{results['dataset']}: {results['passages']} passages, {results['queries']} queries, "
        f"indexed in {results['index_s']} s",
        f"{'mode':<8}" + "".join(f"{c:>11}" for c in cols),
    ]
    for mode in MODES:
        row = results[mode]
        lines.append(f"{mode:<8}" + "".join(f"{row[c]:>11.3f}" if "ms" not in c else f"{row[c]:>11.1f}" for c in cols))
    return "\n".join(lines)


async def run(args: argparse.Namespace, app: App) -> int:
    if not args.data.is_dir():
        raise InputError(f"{args.data}: not a folder")
    results = await evaluate(app, args.data, args.limit)
    print(json.dumps(results) if args.json else format_table(results))
    return 0
