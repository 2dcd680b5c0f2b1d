"""Does a fitted combination of reader signals abstain better than the hand-set confidence?

    python bench/abstention_fit.py [--index FILE] [--docs DIR] [--data FILE] [--every N]

Signals per question (the best span's): reader score, MiniLM cosine, lexical share, coverage of the
question in the top passages, missing-key-term weight. A logistic regression is fitted on the SQuAD
2.0 dev subset (reader view, as in ``bench/squad_reader.py``), on paragraphs with an even index;
paragraphs with an odd index are held out. Target: "the chosen span contains a gold answer".
Reported: ROC AUC of the configured confidence vs the fitted score, on held-out SQuAD (target as
above) and on the handbook set (target: answerable), which the fit never sees.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))  # squad_reader, as mypy and the scripts name it

from squad_reader import DATA, CorpusStats, contains  # noqa: E402

from adapters.cli.eval_answers import _index  # noqa: E402
from adapters.wiring import App  # noqa: E402
from bot.answering.evaluation import load_items  # noqa: E402
from bot.answering.extractive import ExtractiveAnswerer, choose_spans, retrieval_query  # noqa: E402
from bot.answering.reader import Reading, SpanReader, term_weights  # noqa: E402
from bot.answering.structure import spans  # noqa: E402
from bot.models import Passage  # noqa: E402

HANDBOOK = REPO.parent / "shared" / "data" / "handbook" / "18f_tts_handbook"
NAMES = ["score", "cosine", "lexical", "coverage", "missing"]


def features(r: Reading) -> list[float]:
    b = r.spans[0]
    return [b.score, b.cosine, b.lexical, r.coverage, r.missing]


def fit(x: np.ndarray, y: np.ndarray, steps: int = 3000, lr: float = 0.5, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression by gradient descent (features standardised by the caller)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xb @ w))
        w -= lr * (xb.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0])
    return w


def auc(score: np.ndarray, y: np.ndarray) -> float:
    """Probability that a positive outranks a negative (ties count half)."""
    pos, neg = score[y == 1], score[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


async def squad_rows(app: App, every: int) -> list[tuple[int, list[float], float, bool]]:
    corpus = {d["_id"]: d for d in map(json.loads, (DATA / "corpus.jsonl").read_text().splitlines())}
    queries = [json.loads(x) for x in (DATA / "queries.jsonl").read_text().splitlines() if x.strip()]
    queries = [q for q in queries[::every] if q["context_id"] in corpus]
    order = {cid: i for i, cid in enumerate(corpus)}
    stats = CorpusStats([d["text"] for d in corpus.values()])
    reader = SpanReader(app.embedder)
    rows = []
    for q in queries:
        doc = corpus[q["context_id"]]
        p = Passage(doc["_id"], doc["_id"], "squad", doc.get("title", ""), doc["_id"], doc["text"], 1.0)
        weights = await term_weights(q["text"], stats)
        qvec = (await app.embedder.embed([q["text"]]))[0]
        r = await reader.read(q["text"], [p], spans(p, 0), weights, qvec)
        if not r.spans:
            continue
        ok = q["answerable"] and contains(" ".join(s.text for s in choose_spans(r)), q.get("answers") or [])
        rows.append((order[q["context_id"]] % 2, features(r), r.confidence, ok))
    return rows


async def handbook_rows(app: App, data: Path) -> list[tuple[list[float], float, bool]]:
    a = ExtractiveAnswerer(app.local_retriever, app.embedder, term_stats=app.store)
    rows = []
    for item in load_items(data):
        q = item.as_question()
        part = await a.read(retrieval_query(q), q)
        if part.reading.spans:
            rows.append((features(part.reading), part.reading.confidence, item.answerable))
    return rows


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=REPO / "bench" / "data" / "handbook_answers.jsonl")
    ap.add_argument("--docs", type=Path, default=HANDBOOK)
    ap.add_argument("--index", type=Path)
    ap.add_argument("--every", type=int, default=10)
    args = ap.parse_args()
    if not DATA.is_dir() or not args.docs.is_dir():
        print(f"dataset not found: {DATA} / {args.docs}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        app = await _index(args.docs, args.index or Path(tmp) / "hb.db")
        sq = await squad_rows(app, args.every)
        hb = await handbook_rows(app, args.data)
        await app.aclose()
    x = np.array([f for _, f, _, _ in sq])
    mu, sd = x.mean(0), x.std(0) + 1e-9
    train = np.array([h == 0 for h, _, _, _ in sq])
    y = np.array([ok for _, _, _, ok in sq], dtype=float)
    w = fit((x[train] - mu) / sd, y[train])

    def fitted(f: np.ndarray) -> np.ndarray:
        return ((f - mu) / sd) @ w[:-1] + w[-1]

    conf_sq = np.array([c for _, _, c, _ in sq])
    xh = np.array([f for f, _, _ in hb])
    yh = np.array([a for _, _, a in hb], dtype=float)
    conf_hb = np.array([c for _, c, _ in hb])
    print(f"SQuAD fit: {int(train.sum())} questions, held out: {int((~train).sum())}; handbook: {len(hb)}")
    print("fitted weights (standardised): " + ", ".join(f"{n} {v:+.2f}" for n, v in zip(NAMES, w, strict=False)))
    print(f"{'ROC AUC':<28} {'SQuAD held-out':>15} {'handbook':>9}")
    print(f"{'configured confidence':<28} {auc(conf_sq[~train], y[~train]):>15.3f} {auc(conf_hb, yh):>9.3f}")
    print(f"{'fitted on SQuAD':<28} {auc(fitted(x[~train]), y[~train]):>15.3f} {auc(fitted(xh), yh):>9.3f}")
    for i, n in enumerate(NAMES):
        sign = -1 if n == "missing" else 1
        alone_sq, alone_hb = auc(sign * x[~train][:, i], y[~train]), auc(sign * xh[:, i], yh)
        print(f"{'  ' + n + ' alone':<28} {alone_sq:>15.3f} {alone_hb:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
