"""``--html FILE``: one self-contained page (inline CSS and SVG, no scripts) to pick a model in a minute."""

from __future__ import annotations

import math
import re
from html import escape
from typing import Any

from bot.scorecard.report import ModelSummary

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
W, H, PAD, TOP = 460, 300, 48, 34
GEOGRAPHIES = {"us", "us-gov", "eu", "apac", "jp", "au", "ca", "global"}
CLOSE = 0.05  # quality difference treated as "about as good" in the verdict line

CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}table{border-collapse:collapse}
td,th{padding:4px 6px;font-size:13px;border-bottom:1px solid #ddd;text-align:right}
td.l,th.l{text-align:left;white-space:nowrap}
.charts{display:flex;gap:24px;flex-wrap:wrap}.meta{color:#666;font-size:12px}
.warn{color:#a33}blockquote{margin:4px 0 10px 16px;color:#444;white-space:pre-wrap}"""


def short_name(model: str) -> str:
    """``arn:.../us.anthropic.claude-haiku-4-5-20251001-v1:0`` -> ``us.claude-haiku-4-5-20251001``."""
    name = re.sub(r"-v\d+(:\d+)?$", "", model.rsplit("/", 1)[-1])
    parts = name.split(".")
    if len(parts) >= 3 and parts[0] in GEOGRAPHIES:
        name = parts[0] + "." + ".".join(parts[2:])
    elif len(parts) == 2:
        name = parts[1]
    return name if len(name) <= 30 else name[:29] + "…"


def nice_ticks(hi: float) -> list[float]:
    """0 .. about ``hi`` in 1/2/5 x 10^k steps."""
    if hi <= 0:
        return [0.0, 1.0]
    raw = hi / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(hi / step) + 1)]


def scatter(title: str, x_label: str, points: list[tuple[str, float, float, str]]) -> str:
    """Quality (y, 0..1) against ``x``; one labelled dot per model (label on the roomier side)."""
    ticks = nice_ticks(max([p[1] for p in points] + [0.0]) * 1.1)
    x_hi = ticks[-1]
    left, right, top, bottom = PAD, W - 16, TOP, H - PAD

    def sx(x: float) -> float:
        return left + (right - left) * x / x_hi

    def sy(y: float) -> float:
        return bottom - (bottom - top) * y

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" aria-label="{escape(title)}">',
        f'<text x="{W / 2}" y="16" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/>',
        f'<text x="{(left + right) / 2}" y="{H - 10}" text-anchor="middle" font-size="12">{escape(x_label)}</text>',
        f'<text x="12" y="{H / 2}" transform="rotate(-90 12 {H / 2})" text-anchor="middle" '
        'font-size="12">quality</text>',
    ]
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<text x="{left - 6}" y="{sy(t) + 4:.1f}" text-anchor="end" font-size="10">{t:.2f}</text>')
        parts.append(f'<line x1="{left}" y1="{sy(t):.1f}" x2="{right}" y2="{sy(t):.1f}" stroke="#eee"/>')
    for t in ticks:
        parts.append(f'<text x="{sx(t):.1f}" y="{bottom + 14}" text-anchor="middle" font-size="10">{t:g}</text>')
    for name, x, y, color in points:
        cx, cy = sx(x), sy(y)
        anchor, dx = ("end", -9) if cx > (left + right) / 2 else ("start", 9)
        dy = 16 if cy < top + 12 else -8
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{color}"><title>{escape(name)}</title></circle>')
        parts.append(
            f'<text x="{cx + dx:.1f}" y="{cy + dy:.1f}" text-anchor="{anchor}" font-size="11" fill="{color}">'
            f"{escape(short_name(name))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def verdict(summaries: list[ModelSummary]) -> str:
    """One line to decide on: the best, and the cheapest close to it."""
    if not summaries:
        return "No results."
    best = summaries[0]
    close = [s for s in summaries if s.quality >= best.quality - CLOSE]
    cheapest = min(close, key=lambda s: (s.cost_per_1k, s.p50_ms))
    line = f"Best quality: <b>{escape(best.model)}</b> ({best.quality:.3f}, ${best.cost_per_1k:.2f} per 1,000)."
    if cheapest is not best:
        line += (
            f" Cheapest within {CLOSE:.2f} of it: <b>{escape(cheapest.model)}</b> "
            f"({cheapest.quality:.3f}, ${cheapest.cost_per_1k:.2f} per 1,000)."
        )
    return line


def _table(summaries: list[ModelSummary], metric_names: list[str]) -> str:
    head = [
        "#",
        "model",
        "items",
        "quality",
        *metric_names,
        "p50 ms",
        "p95 ms",
        "TTFT p50 ms",
        "in tok",
        "out tok",
        "$ / 1k",
        "errors",
    ]
    rows = ["<tr>" + "".join(f'<th class="{"l" if h == "model" else ""}">{escape(h)}</th>' for h in head) + "</tr>"]
    for s in summaries:
        cells = [
            str(s.rank),
            escape(s.model),
            str(s.items),
            f"{s.quality:.3f}",
            *(f"{s.metrics.get(m, 0.0):.3f}" for m in metric_names),
            f"{s.p50_ms:.0f}",
            f"{s.p95_ms:.0f}",
            "-" if s.ttft_p50_ms is None else f"{s.ttft_p50_ms:.0f}",
            f"{s.input_tokens:.0f}",
            f"{s.output_tokens:.0f}",
            f"{s.cost_per_1k:.2f}",
            str(s.errors),
        ]
        rows.append(
            "<tr>" + "".join(f'<td class="{"l" if i == 1 else ""}">{c}</td>' for i, c in enumerate(cells)) + "</tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def _worst(summaries: list[ModelSummary]) -> str:
    out = []
    for s in summaries:
        out.append(f"<h3>{escape(s.model)}</h3>")
        if not s.worst:
            out.append("<p>No item below full marks.</p>")
        for w in s.worst:
            out.append(
                f"<p><b>{escape(w['item_id'])}</b> (quality {w['quality']:.2f}): {escape(w['label'])}</p>"
                f"<blockquote>{escape(w['text'][:600])}</blockquote>"
            )
    return "".join(out)


def render_html(task: str, summaries: list[ModelSummary], metric_names: list[str], meta: dict[str, Any]) -> str:
    colors = {s.model: COLORS[i % len(COLORS)] for i, s in enumerate(summaries)}
    cost = scatter(
        "Quality vs cost",
        "USD per 1,000 items",
        [(s.model, s.cost_per_1k, s.quality, colors[s.model]) for s in summaries],
    )
    latency = scatter(
        "Quality vs latency", "p50 latency (ms)", [(s.model, s.p50_ms, s.quality, colors[s.model]) for s in summaries]
    )
    stopped = f'<p class="warn">Run stopped early: {escape(meta["stopped"])}</p>' if meta.get("stopped") else ""
    prices = meta.get("prices", {})
    where = (
        f"{escape(str(meta.get('data', '')))} · {meta.get('items', 0)} items · run {escape(str(meta.get('date', '')))}"
    )
    dated = f"prices as of {escape(str(prices.get('as_of', '?')))} from {escape(str(prices.get('source', '?')))}"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>kbot scorecard: {escape(task)}</title>'
        f"<style>{CSS}</style></head><body>"
        f"<h1>kbot model scorecard: {escape(task)}</h1>"
        f'<p class="meta">{where} · {dated}</p>{stopped}'
        f"<p>{verdict(summaries)}</p>"
        f"<p>Ranked by quality, then cost, then latency. Top-left is best on both charts.</p>"
        f'<div class="charts">{cost}{latency}</div>'
        f"<h2>All numbers</h2>{_table(summaries, metric_names)}"
        f"<h2>Worst items per model</h2>{_worst(summaries)}</body></html>"
    )
