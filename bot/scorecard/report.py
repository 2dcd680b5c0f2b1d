"""Per-model summary of a scorecard run: quality, latency, tokens, cost per 1,000 items, and ranking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.metrics import percentile

WORST_SHOWN = 3


@dataclass(slots=True)
class ModelSummary:
    model: str
    items: int
    errors: int
    quality: float
    metrics: dict[str, float]
    p50_ms: float
    p95_ms: float
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    input_tokens: float  # mean per item
    output_tokens: float
    cost_per_1k: float  # USD per 1,000 items
    worst: list[dict[str, Any]] = field(default_factory=list)
    rank: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "model": self.model,
            "items": self.items,
            "errors": self.errors,
            "quality": round(self.quality, 4),
            "metrics": {k: round(v, 4) for k, v in self.metrics.items()},
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "ttft_p50_ms": None if self.ttft_p50_ms is None else round(self.ttft_p50_ms, 1),
            "ttft_p95_ms": None if self.ttft_p95_ms is None else round(self.ttft_p95_ms, 1),
            "input_tokens": round(self.input_tokens, 1),
            "output_tokens": round(self.output_tokens, 1),
            "cost_per_1k": round(self.cost_per_1k, 4),
            "worst": self.worst,
        }


def summarize_model(model: str, rows: list[dict[str, Any]], metrics: dict[str, float]) -> ModelSummary:
    done = [r for r in rows if "error" not in r]
    n = len(done)
    ttfts = [r["ttft_ms"] for r in done if r.get("ttft_ms") is not None]
    worst = sorted(done, key=lambda r: (r["quality"], r["item_id"]))[:WORST_SHOWN]
    return ModelSummary(
        model=model,
        items=n,
        errors=len(rows) - n,
        quality=sum(r["quality"] for r in done) / n if n else 0.0,
        metrics=metrics,
        p50_ms=percentile([r["ms"] for r in done], 0.5),
        p95_ms=percentile([r["ms"] for r in done], 0.95),
        ttft_p50_ms=percentile(ttfts, 0.5) if ttfts else None,
        ttft_p95_ms=percentile(ttfts, 0.95) if ttfts else None,
        input_tokens=sum(r["input_tokens"] for r in done) / n if n else 0.0,
        output_tokens=sum(r["output_tokens"] for r in done) / n if n else 0.0,
        cost_per_1k=1000 * sum(r["cost"] for r in done) / n if n else 0.0,
        worst=[
            {"item_id": r["item_id"], "label": r["label"], "text": r["text"], "quality": r["quality"]}
            for r in worst
            if r["quality"] < 1.0
        ],
    )


def rank(summaries: list[ModelSummary]) -> list[ModelSummary]:
    """Best quality first; equal quality: cheaper, then faster."""
    ordered = sorted(summaries, key=lambda s: (-round(s.quality, 4), s.cost_per_1k, s.p50_ms))
    for i, summary in enumerate(ordered, 1):
        summary.rank = i
    return ordered


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def format_table(task: str, summaries: list[ModelSummary], metric_names: list[str]) -> str:
    head = [
        "#",
        "model",
        "n",
        "quality",
        *metric_names,
        "p50 ms",
        "p95 ms",
        "ttft p50",
        "in tok",
        "out tok",
        "$/1k",
        "err",
    ]
    body = [
        [
            str(s.rank),
            s.model,
            str(s.items),
            f"{s.quality:.3f}",
            *(f"{s.metrics.get(m, 0.0):.3f}" for m in metric_names),
            _ms(s.p50_ms),
            _ms(s.p95_ms),
            _ms(s.ttft_p50_ms),
            f"{s.input_tokens:.0f}",
            f"{s.output_tokens:.0f}",
            f"{s.cost_per_1k:.2f}",
            str(s.errors),
        ]
        for s in summaries
    ]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = [f"scorecard: {task}"]
    for r in [head, *body]:
        lines.append(
            "  ".join(c.ljust(w) if i == 1 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        )
    return "\n".join(lines)
