"""Scale benchmark for the local store: synthetic 10k / 100k chunks.

Chunk vectors are synthetic (random unit vectors, as if already embedded) so the run measures
the store, FTS5 and the dense scan rather than hours of CPU embedding; queries are embedded
with the real bundled model, as in production. Ingest throughput is reported twice: the
store's write path with precomputed vectors, and end to end (chunk + real embedding + write)
on a small sample. Prints a table; `--sizes 10000,100000`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.embedding.minilm import MiniLmEmbedder  # noqa: E402
from adapters.store.sqlite_store import SqliteStore  # noqa: E402
from bot.metrics import percentile  # noqa: E402
from bot.models import Chunk, Document, Section  # noqa: E402
from bot.retrieval import HybridRetriever  # noqa: E402
from ingest.chunking import chunk_hash  # noqa: E402
from ingest.local_sink import LocalStoreSink  # noqa: E402

WORDS = (
    "policy travel expense laptop vpn password benefit leave holiday payroll security incident badge office "
    "printer wifi onboarding manager review budget invoice vendor contract compliance training meeting room "
    "calendar email phishing backup server cloud account access request approval deadline report team project "
    "customer support release deploy pipeline database network firewall license hardware software insurance "
    "dental vision retirement bonus salary promotion feedback goal quarter annual remote desk parking"
).split()
QUERIES = [
    "how do I request a new laptop", "what is the hotel limit for travel", "who approves my expense report",
    "how do I reset my vpn password", "when is the annual performance review", "how do I report phishing",
    "what dental insurance do we have", "where can I park at the office", "how do I book a meeting room",
    "what is the deadline for invoice approval",
]


def synthetic_text(rng: random.Random, n: int = 120) -> str:
    weights = [1 / (i + 1) for i in range(len(WORDS))]
    return " ".join(rng.choices(WORDS, weights=weights, k=n)) + "."


def store_size_mb(folder: Path) -> float:
    return sum(os.path.getsize(p) for p in folder.iterdir()) / 1e6


async def build(store: SqliteStore, n_chunks: int, dim: int, model_id: str) -> float:
    rng = random.Random(7)
    nrng = np.random.default_rng(7)
    per_doc = 10
    start = time.perf_counter()
    for base in range(0, n_chunks, 1000):
        items, vectors = [], {}
        for d in range(base // per_doc, min(base + 1000, n_chunks) // per_doc):
            doc = Document(id=f"doc{d}", source="synthetic", uri=f"doc{d}.md", title=f"Document {d}",
                           content_hash=str(d))
            chunks, hashes = [], []
            for j in range(per_doc):
                text = synthetic_text(rng)
                chunks.append(Chunk(id="", doc_id=doc.id, source="synthetic", ordinal=j, heading="", text=text))
                h = chunk_hash(doc.title, "", text)
                hashes.append(h)
                v = nrng.standard_normal(dim).astype(np.float32)
                vectors[h] = v / np.linalg.norm(v)
            items.append((doc, chunks, hashes))
        await store.write_documents(items, vectors, model_id)
    return time.perf_counter() - start


async def end_to_end_rate(embedder: MiniLmEmbedder, n_docs: int = 40) -> float:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "e2e.db")
        sink = LocalStoreSink(store, embedder)
        docs = [
            Document(id=f"d{i}", source="s", uri=f"d{i}", title=f"Doc {i}",
                     sections=[Section("", " ".join(synthetic_text(rng, 150) for _ in range(4)))], content_hash=str(i))
            for i in range(n_docs)
        ]
        start = time.perf_counter()
        await sink.upsert(docs)
        elapsed = time.perf_counter() - start
        await store.close()
    return sink.chunks_embedded / elapsed


async def main(sizes: list[int]) -> None:
    embedder = MiniLmEmbedder()
    await embedder.embed(["warm up"])
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scale.db"
            store = SqliteStore(path)
            write_s = await build(store, n, embedder.dim, embedder.model_id)
            size_mb = store_size_mb(Path(tmp))
            for mode in ("hybrid", "bm25", "dense"):
                retriever = HybridRetriever(store, embedder, mode=mode)
                await retriever.retrieve(QUERIES[0], k=8)  # load the vector matrix once
                lat = []
                for _ in range(3):
                    for q in QUERIES:
                        t = time.perf_counter()
                        await retriever.retrieve(q, k=8)
                        lat.append((time.perf_counter() - t) * 1000)
                rows.append((n, mode, percentile(lat, 0.5), percentile(lat, 0.95), n / write_s, size_mb))
            await store.close()
    e2e = await end_to_end_rate(embedder)
    print(f"{'chunks':>8} {'mode':<7} {'p50 ms':>8} {'p95 ms':>8} {'write chunks/s':>15} {'store MB':>9}")
    for n, mode, p50, p95, rate, size in rows:
        print(f"{n:>8} {mode:<7} {p50:>8.1f} {p95:>8.1f} {rate:>15.0f} {size:>9.1f}")
    print(f"end-to-end ingest (chunk + embed with the bundled model + write): {e2e:.1f} chunks/s")
    print("target: hybrid query p50 < 50 ms at 10k chunks")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    asyncio.run(main([int(x) for x in args.sizes.split(",")]))
