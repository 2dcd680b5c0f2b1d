"""ROUGE evaluation of summary ``tldr`` against human references, with Lead-3 / LONGEST-3 baselines.

Datasets (JSONL): ``samsum`` (``dialogue``, ``summary``), ``dialogsum`` (``dialogue``, ``summary1..3``),
``aeslc`` (``email``, ``annotated_subjects``), ``bc3`` (``emails[]``, ``annotations[].abstractive_summary``).
Scores are ROUGE F1 x 100 (``rouge-score``, Porter stemming), averaged over references, then items;
``rougeLsum`` is the summary-level ROUGE-L that published SAMSum numbers report as ROUGE-L.
Baselines use the same units the summarizer sees: chat utterances as ``Name: text`` lines (as in the
SAMSum paper), email sentences otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.errors import InputError
from bot.models import Conversation, Message
from bot.ports import Summarizer
from bot.summarizing.email_text import sender_name
from bot.summarizing.loaders import from_email_text, from_transcript
from bot.summarizing.sentences import has_words, split_sentences

Format = Literal["samsum", "dialogsum", "aeslc", "bc3"]
FORMATS: tuple[Format, ...] = ("samsum", "dialogsum", "aeslc", "bc3")
METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")


@dataclass(slots=True)
class EvalItem:
    id: str
    conversation: Conversation
    references: list[str]


def _item(fmt: Format, row: dict[str, Any], line_no: int) -> EvalItem:
    item_id = str(row.get("id") or row.get("fname") or row.get("thread_id") or line_no)
    if fmt == "samsum":
        return EvalItem(item_id, from_transcript(row["dialogue"]), [row["summary"]])
    if fmt == "dialogsum":
        refs = [row[k] for k in ("summary1", "summary2", "summary3", "summary") if row.get(k)]
        return EvalItem(item_id, from_transcript(row["dialogue"]), refs)
    if fmt == "aeslc":
        return EvalItem(item_id, from_email_text(row["email"]), list(row["annotated_subjects"]))
    messages = [
        Message(
            author=sender_name(e.get("from", "")),
            text=e.get("body", ""),
            ts=e.get("received"),
            subject=e.get("subject"),
        )
        for e in row["emails"]
    ]
    refs = [a["abstractive_summary"] for a in row["annotations"] if a.get("abstractive_summary")]
    return EvalItem(item_id, Conversation(kind="email", messages=messages, title=row.get("name")), refs)


def load_dataset(path: Path, fmt: Format, limit: int | None = None) -> Iterator[EvalItem]:
    if fmt not in FORMATS:
        raise InputError(f"unknown dataset format {fmt!r} (use one of {', '.join(FORMATS)})")
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        count = 0
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield _item(fmt, json.loads(line), line_no)
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{line_no}: not a {fmt} record ({type(exc).__name__}: {exc})") from exc
            count += 1
            if limit and count >= limit:
                return


def _baseline_units(conversation: Conversation) -> list[str]:
    if conversation.kind == "chat":
        return [f"{m.author}: {m.text}" for m in conversation.messages if has_words(m.text)]
    return [s for m in conversation.messages for s in split_sentences(m.text) if has_words(s)]


def lead(conversation: Conversation, n: int = 3) -> str:
    return "\n".join(_baseline_units(conversation)[:n])


def longest(conversation: Conversation, n: int = 3) -> str:
    units = _baseline_units(conversation)
    top = sorted(range(len(units)), key=lambda i: -len(units[i]))[:n]
    return "\n".join(units[i] for i in sorted(top))


BASELINES = {
    "lead-3": lambda c: lead(c, 3),
    "longest-3": lambda c: longest(c, 3),
    "first-sentence": lambda c: lead(c, 1),
}


@dataclass(slots=True)
class EvalReport:
    dataset: str
    items: int = 0
    failures: int = 0  # items the summarizer rejected (scored as an empty summary)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # system -> metric -> mean F1 x 100

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "items": self.items,
            "failures": self.failures,
            "scores": {s: {m: round(v, 2) for m, v in ms.items()} for s, ms in self.scores.items()},
        }


class _Totals:
    def __init__(self) -> None:
        from rouge_score import rouge_scorer  # nltk-heavy: only when scoring, not at every `kbot` start

        self.scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
        self.sums: dict[str, dict[str, float]] = {}

    def add(self, system: str, prediction: str, references: list[str]) -> None:
        sums = self.sums.setdefault(system, dict.fromkeys(METRICS, 0.0))
        # rougeLsum (summary-level LCS, as in the SAMSum paper) reads one sentence per line.
        prediction = "\n".join(split_sentences(prediction))
        scores = [self.scorer.score("\n".join(split_sentences(ref)), prediction) for ref in references]
        for metric in METRICS:
            sums[metric] += sum(s[metric].fmeasure for s in scores) / len(scores)


async def evaluate(
    summarizer: Summarizer, items: Iterator[EvalItem], dataset: str, summarizer_name: str = "embedded"
) -> EvalReport:
    report = EvalReport(dataset=dataset)
    totals = _Totals()
    for item in items:
        if not item.references:
            continue
        try:
            prediction = (await summarizer.summarize(item.conversation)).tldr
        except InputError:
            report.failures += 1
            prediction = ""
        report.items += 1
        totals.add(summarizer_name, prediction, item.references)
        for name, baseline in BASELINES.items():
            totals.add(name, baseline(item.conversation), item.references)
    report.scores = {s: {m: 100 * v / max(report.items, 1) for m, v in ms.items()} for s, ms in totals.sums.items()}
    return report
