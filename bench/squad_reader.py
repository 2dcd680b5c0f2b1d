"""SQuAD 2.0 dev subset, reader view: the gold paragraph is given, the reader picks the span.

    python bench/squad_reader.py [--every N] [--data DIR]

For every N-th question (default 5: ~1,200 of 6,078, half of them unanswerable) the paragraph the
question was written against is the only passage. Reported side by side:
  * reader    — the embedded span reader + the answerer's span choice, abstaining below the
                configured threshold (``KBOT_MIN_EVIDENCE``), and the threshold sweep;
  * reader + answerability — the same with the answerer's answerability check
                (``bot/answering/answerability.py``), which lowers the confidence of spans
                that do not state what the question asks for;
  * + contrast — also the contrast check (``bot/answering/contrast.py``: the span names a rival of
                the question's rare constraint);
  * bm25-sent — baseline: the paragraph's best BM25 sentence, never abstaining.
"has-answer span recall": answerable questions whose chosen span contains a gold answer string.
"no-answer accuracy": unanswerable questions the system declines. Reads ../shared/data/qa.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.wiring import App  # noqa: E402
from bot.answering.answerability import AnswerabilityCheck  # noqa: E402
from bot.answering.contrast import ContrastCheck  # noqa: E402
from bot.answering.extractive import check_answerable, choose_spans  # noqa: E402
from bot.answering.reader import SpanReader, term_weights  # noqa: E402
from bot.answering.structure import spans  # noqa: E402
from bot.metrics import percentile  # noqa: E402
from bot.models import Passage  # noqa: E402
from bot.text import content_words, split_sentences, stem  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "qa" / "squad2_dev_subset"
SWEEP = [0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55]


class CorpusStats:
    """Paragraph document frequencies (what the store's FTS index gives the answerer)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.total = len(texts)
        self.df: Counter[str] = Counter()
        for t in texts:
            self.df.update(set(re.findall(r"[a-z0-9]+", t.lower())))

    async def term_document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        return self.total, {t: self.df.get(t, 0) for t in terms}


def fold(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def contains(span: str, answers: Sequence[str]) -> bool:
    s = f" {fold(span)} "
    return any(f" {fold(a)} " in s for a in answers if fold(a))


def bm25_sentence(question: str, text: str, stats: CorpusStats) -> str:
    sentences = split_sentences(text) or [text]
    q = {stem(w) for w in content_words(question)}
    avg = sum(len(s.split()) for s in sentences) / len(sentences)

    def bm25(sentence: str) -> float:
        tf = Counter(stem(w) for w in content_words(sentence))
        n = len(sentence.split())
        out = 0.0
        for term in q:
            idf = math.log(1 + (stats.total - stats.df.get(term, 0) + 0.5) / (stats.df.get(term, 0) + 0.5))
            f = tf.get(term, 0)
            out += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * n / avg))
        return out

    return max(sentences, key=bm25)


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--every", type=int, default=5)
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"dataset not found: {args.data} (it lives in shared/data beside the repo)", file=sys.stderr)
        return 2
    corpus = {d["_id"]: d for d in map(json.loads, (args.data / "corpus.jsonl").read_text().splitlines())}
    queries = [json.loads(x) for x in (args.data / "queries.jsonl").read_text().splitlines() if x.strip()]
    queries = [q for q in queries[:: args.every] if q["context_id"] in corpus]
    stats = CorpusStats([d["text"] for d in corpus.values()])
    app = App.from_env()
    reader = SpanReader(app.embedder)
    check = AnswerabilityCheck(app.embedder)
    contrast = ContrastCheck(app.embedder, stats)
    threshold = app.settings.kbot_min_evidence
    # (answerable, reader span contains answer, confidence, bm25 contains answer, checked confidence,
    #  checked + contrast: span contains answer, confidence)
    rows = []
    latencies = []
    for q in queries:
        doc = corpus[q["context_id"]]
        passage = Passage(
            chunk_id=doc["_id"],
            doc_id=doc["_id"],
            source="squad",
            title=doc.get("title", ""),
            uri=doc["_id"],
            text=doc["text"],
            score=1.0,
        )
        started = time.perf_counter()
        weights = await term_weights(q["text"], stats)
        qvec = (await app.embedder.embed([q["text"]]))[0]
        reading = await reader.read(q["text"], [passage], spans(passage, 0), weights, qvec)
        confidence = reading.confidence
        both = dataclasses.replace(reading, spans=list(reading.spans))
        await check_answerable(check, q["text"], [passage], reading)
        latencies.append((time.perf_counter() - started) * 1000)
        await check_answerable(check, q["text"], [passage], both, contrast=contrast, weights=weights)
        chosen = " ".join(s.text for s in choose_spans(reading)) if reading.spans else ""
        chosen_both = " ".join(s.text for s in choose_spans(both)) if both.spans else ""
        answers = q.get("answers") or []
        rows.append(
            (
                q["answerable"],
                contains(chosen, answers),
                confidence,
                contains(bm25_sentence(q["text"], doc["text"], stats), answers),
                reading.confidence,
                contains(chosen_both, answers),
                both.confidence,
            )
        )
    await app.aclose()
    n_ans = sum(r[0] for r in rows) or 1
    n_un = sum(not r[0] for r in rows) or 1

    def line(name: str, recall: float, no_answer: float) -> str:
        return f"{name:<26} {recall:>22.3f} {no_answer:>19.3f}"

    print(
        f"SQuAD 2.0 dev subset, reader view: {len(rows)} questions ({n_ans} answerable, {n_un} not); "
        f"reader p50 {percentile(latencies, 0.5):.0f} ms"
    )
    print(f"{'system':<26} {'has-answer span recall':>22} {'no-answer accuracy':>19}")
    print(line("bm25-sent (never abstains)", sum(r[0] and r[3] for r in rows) / n_ans, 0.0))
    print(line("reader, no abstention", sum(r[0] and r[1] for r in rows) / n_ans, 0.0))
    for name, hit, col in (("reader", 1, 2), ("+ answerability", 1, 4), ("+ contrast", 5, 6)):
        for t in sorted({*SWEEP, threshold}):
            recall = sum(r[0] and r[hit] and r[col] >= t for r in rows) / n_ans
            declined = sum(not r[0] and r[col] < t for r in rows) / n_un
            mark = "  <- KBOT_MIN_EVIDENCE" if t == threshold else ""
            print(line(f"{name}, threshold {t:.2f}", recall, declined) + mark)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
