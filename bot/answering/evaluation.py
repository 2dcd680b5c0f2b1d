"""Scoring cited answers against a labelled question set (``kbot eval answers``).

A set is JSONL, one question per line::

    {"id": "h001", "question": "...", "answerable": true,
     "gold": ["travel-and-leave/leave.md"], "facts": [["12 weeks"], ["one year", "12 months"]],
     "history": ["an earlier question in the same conversation"]}

``gold`` lists the documents that answer it (for unanswerable questions: the nearest ones, for
reference only); ``facts`` lists the key facts, each as alternative spellings. A fact is stated
when one of its spellings appears in the answer text (case and punctuation folded).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.errors import InputError
from bot.metrics import percentile
from bot.models import Answer, Question, Turn


@dataclass(slots=True)
class EvalItem:
    id: str
    question: str
    answerable: bool
    gold: list[str]
    facts: list[list[str]] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    def as_question(self) -> Question:
        return Question(self.question, history=[Turn("user", h) for h in self.history])


@dataclass(slots=True)
class ItemScore:
    abstained: bool
    right_doc: bool
    facts_stated: float  # share of the key facts stated (answerable questions)
    ms: float


def load_items(path: Path, limit: int | None = None) -> list[EvalItem]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(
                EvalItem(
                    id=str(raw.get("id", n)),
                    question=str(raw["question"]),
                    answerable=bool(raw["answerable"]),
                    gold=[str(g) for g in raw.get("gold", [])],
                    facts=[[str(a) for a in (f if isinstance(f, list) else [f])] for f in raw.get("facts", [])],
                    history=[str(h) for h in raw.get("history", [])],
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}:{n}: not an answer-eval item ({exc})") from exc
    if not items:
        raise InputError(f"{path}: no questions")
    return items[: limit or None]


def _fold(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9$%@.,+-]+", " ", text.lower()).replace(", ", " ").split()) + " "


def fact_stated(answer_text: str, spellings: list[str]) -> bool:
    folded = _fold(answer_text)
    return any(_fold(s).strip() in folded for s in spellings if s.strip())


def same_document(cited: str, gold: str) -> bool:
    cited, gold = cited.strip("/"), gold.strip("/")
    return cited == gold or cited.endswith("/" + gold) or gold.endswith("/" + cited)


def score(item: EvalItem, answer: Answer, ms: float) -> ItemScore:
    abstained = not answer.grounded
    cited = [] if abstained else [c.uri for c in answer.citations]
    right = any(same_document(c, g) for c in cited for g in item.gold)
    stated = (
        sum(fact_stated(answer.text, f) for f in item.facts) / len(item.facts) if item.facts and not abstained else 0.0
    )
    return ItemScore(abstained=abstained, right_doc=right, facts_stated=stated, ms=ms)


@dataclass(slots=True)
class SystemReport:
    right_doc: float  # answerable questions whose answer cites a gold document
    facts: float  # mean share of key facts stated, answerable questions
    all_facts: float  # answerable questions with every key fact stated
    abstention: float  # unanswerable questions answered "not found"
    false_abstention: float  # answerable questions answered "not found"
    p50_ms: float
    p95_ms: float

    def to_json(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in asdict(self).items()}


def summarize(items: list[EvalItem], scores: list[ItemScore]) -> SystemReport:
    ans = [s for i, s in zip(items, scores, strict=True) if i.answerable]
    una = [s for i, s in zip(items, scores, strict=True) if not i.answerable]
    with_facts = [s for i, s in zip(items, scores, strict=True) if i.answerable and i.facts]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    ms = [s.ms for s in scores]
    return SystemReport(
        right_doc=mean([float(s.right_doc) for s in ans]),
        facts=mean([s.facts_stated for s in with_facts]),
        all_facts=mean([float(s.facts_stated == 1.0) for s in with_facts]),
        abstention=mean([float(s.abstained) for s in una]),
        false_abstention=mean([float(s.abstained) for s in ans]),
        p50_ms=percentile(ms, 0.5) if ms else 0.0,
        p95_ms=percentile(ms, 0.95) if ms else 0.0,
    )


COLUMNS = ("right_doc", "facts", "all_facts", "abstention", "false_abstention", "p50_ms", "p95_ms")


def format_table(title: str, reports: dict[str, SystemReport]) -> str:
    lines = [title, f"{'system':<10}" + "".join(f"{c:>17}" for c in COLUMNS)]
    for name, r in reports.items():
        values = asdict(r)
        cells = [f"{values[c]:>17.1f}" if c.endswith("ms") else f"{values[c]:>17.3f}" for c in COLUMNS]
        lines.append(f"{name:<10}" + "".join(cells))
    return "\n".join(lines)
