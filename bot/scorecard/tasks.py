"""How each scorecard task scores one output and sums a model up.

* ``answers``: the metrics of ``kbot eval answers`` (:mod:`bot.answering.evaluation`). Per item,
  quality is 1 for a correct abstention, 0 for a wrong one or an answer to an unanswerable question,
  else the mean of "cites a gold document" and "share of key facts stated".
* ``summaries``: ROUGE-1/2/L F1 of the ``tldr`` against the references (quality = their mean), and how
  often the model's structured output was valid (an invalid one scores 0).
* ``condense``: a follow-up rewritten by the model, then retrieved: quality 1 when a gold document
  is among the passages the rewritten question finds.
"""

from __future__ import annotations

from typing import Any

from bot.answering.evaluation import EvalItem, ItemScore, same_document, score, summarize
from bot.models import Answer, Passage, Usage
from bot.scorecard.runner import Outcome
from bot.summarizing.sentences import split_sentences

TASKS = ("answers", "summaries", "condense")
METRIC_COLUMNS = {
    "answers": ["right_doc", "facts", "abstention", "false_abstention"],
    "summaries": ["rouge1", "rouge2", "rougeL", "valid"],
    "condense": ["gold_retrieved"],
}
ROUGE = ("rouge1", "rouge2", "rougeL")


def answer_outcome(item: EvalItem, answer: Answer, ttft_ms: float | None) -> Outcome:
    sc = score(item, answer, 0.0)
    if not item.answerable:
        quality = float(sc.abstained)
    elif sc.abstained:
        quality = 0.0
    else:
        quality = (float(sc.right_doc) + (sc.facts_stated if item.facts else float(sc.right_doc))) / 2
    metrics = {
        "answerable": item.answerable,
        "abstained": sc.abstained,
        "right_doc": sc.right_doc,
        "facts_stated": sc.facts_stated,
        "cited": [c.uri for c in answer.citations],
    }
    return Outcome(answer.text, quality, metrics, list(answer.usage), ttft_ms)


def answers_metrics(items: list[EvalItem], rows: list[dict[str, Any]]) -> dict[str, float]:
    by_id = {r["item_id"]: r for r in rows if "error" not in r}
    done = [i for i in items if i.id in by_id]
    scores = [
        ItemScore(
            abstained=by_id[i.id]["metrics"]["abstained"],
            right_doc=by_id[i.id]["metrics"]["right_doc"],
            facts_stated=by_id[i.id]["metrics"]["facts_stated"],
            ms=by_id[i.id]["ms"],
        )
        for i in done
    ]
    report = summarize(done, scores).to_json()
    return {k: report[k] for k in ("right_doc", "facts", "all_facts", "abstention", "false_abstention")}


class RougeScorer:
    def __init__(self) -> None:
        from rouge_score import rouge_scorer  # nltk-heavy: only when scoring summaries

        self._scorer = rouge_scorer.RougeScorer(list(ROUGE), use_stemmer=True)

    def f1(self, prediction: str, references: list[str]) -> dict[str, float]:
        pred = "\n".join(split_sentences(prediction))
        scores = [self._scorer.score("\n".join(split_sentences(ref)), pred) for ref in references]
        return {m: sum(s[m].fmeasure for s in scores) / len(scores) for m in ROUGE}


def summary_outcome(
    scorer: RougeScorer,
    references: list[str],
    tldr: str | None,
    usage: list[Usage],
    ttft_ms: float | None,
    problem: str = "",
) -> Outcome:
    """``tldr`` None: the model's output was not the structured summary asked for (scores 0)."""
    rouge = scorer.f1(tldr, references) if tldr is not None and references else dict.fromkeys(ROUGE, 0.0)
    metrics: dict[str, Any] = {**rouge, "valid": tldr is not None}
    if problem:
        metrics["problem"] = problem[:300]
    return Outcome(tldr if tldr is not None else problem, sum(rouge.values()) / len(ROUGE), metrics, usage, ttft_ms)


def summaries_metrics(rows: list[dict[str, Any]]) -> dict[str, float]:
    done = [r for r in rows if "error" not in r]
    n = max(len(done), 1)
    return {m: sum(float(r["metrics"][m]) for r in done) / n for m in (*ROUGE, "valid")}


def condense_outcome(
    item: EvalItem, query: str, passages: list[Passage], usage: list[Usage], ms: float | None
) -> Outcome:
    found = any(same_document(p.uri, g) or same_document(p.doc_id, g) for p in passages for g in item.gold)
    return Outcome(query, float(found), {"gold_retrieved": found}, usage, ms)


def condense_metrics(rows: list[dict[str, Any]]) -> dict[str, float]:
    done = [r for r in rows if "error" not in r]
    return {"gold_retrieved": sum(float(r["metrics"]["gold_retrieved"]) for r in done) / max(len(done), 1)}
