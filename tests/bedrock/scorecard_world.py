"""Two scripted candidate models on the fake Bedrock endpoint, for the scorecard tests.

``STRONG`` answers every question right (cites the gold passage, states the key fact, abstains on the
unanswerable one), quickly, with longer outputs; ``WEAK`` gets half wrong, slowly, with short outputs.
Replies depend on the model and the question, not on arrival order, so runs may be concurrent.
Input token counts are the request's characters / 4, like a real tokenizer (the budget estimates / 3).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.cli.main import build_parser
from adapters.wiring import App
from adapters.wiring.app import AppOverrides
from bot.scorecard.prices import load_prices
from bot.settings import Settings
from tests.bedrock.fake_bedrock import FakeBedrock, Stream
from tests.bedrock.replies import converse_stream, kb_result, retrieve_reply

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data" / "scorecard_answers.jsonl"
PRICES = REPO / "adapters" / "bedrock" / "prices.json"
STRONG = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
WEAK = "us.anthropic.claude-haiku-4-5-20251001-v1:0"

PASSAGES = [
    ("Paid parental leave is 12 weeks.", "https://wiki.example.com/leave/parental.md", "Parental leave"),
    ("Laptops are refreshed every three years.", "https://wiki.example.com/it/laptops.md", "Laptops"),
    ("Travel over $5,000 needs a director's approval.", "https://wiki.example.com/travel/approvals.md", "Travel"),
]
# question keyword -> (reply, output tokens), per model
SCRIPTS: dict[str, dict[str, tuple[str, int]]] = {
    STRONG: {
        "parental": ("Paid parental leave is 12 weeks [1].", 60),
        "laptops": ("Laptops are refreshed every three years [2].", 60),
        "travel": ("A director approves travel over $5,000 [3].", 60),
        "wifi": ("NO_ANSWER_IN_SOURCES", 10),
    },
    WEAK: {
        "parental": ("You get 6 weeks [2].", 20),
        "laptops": ("Every three years [2].", 20),
        "travel": ("Ask your manager [1].", 20),
        "wifi": ("The password is on the fridge [1].", 20),
    },
}
DELAYS = {STRONG: 0.02, WEAK: 0.4}


@dataclass
class Billing:
    """What the fake 'charged': one entry per ConverseStream it answered."""

    calls: list[tuple[str, str, int, int]] = field(default_factory=list)  # model, question key, in, out

    def pairs(self) -> list[tuple[str, str]]:
        return [(m, q) for m, q, _, _ in self.calls]

    def cost(self) -> float:
        prices = load_prices(PRICES)
        return sum(prices.cost(m, i, o) for m, _, i, o in self.calls)


def _question_key(params: dict[str, Any]) -> str:
    last = params["messages"][-1]["content"][-1]  # the question block comes after the passages
    question = json.dumps(last).lower()
    return next(k for k in ("parental", "laptops", "travel", "wifi") if k in question)


def script_world(fake: FakeBedrock) -> Billing:
    billing = Billing()

    def stream(params: dict[str, Any]) -> Stream:
        model, key = params["modelId"], _question_key(params)
        text, out = SCRIPTS[model][key]
        chars = len(json.dumps(params["system"])) + len(json.dumps(params["messages"]))
        billing.calls.append((model, key, chars // 4, out))
        reply = converse_stream([text[: len(text) // 2], text[len(text) // 2 :]], tokens=(chars // 4, out))
        reply.delay = DELAYS[model]
        return reply

    fake.respond("Retrieve", lambda _: retrieve_reply(*(kb_result(t, uri=u, title=n) for t, u, n in PASSAGES)))
    fake.respond("ConverseStream", stream)
    return billing


def scorecard_args(tmp: Path, *extra: str) -> argparse.Namespace:
    return build_parser().parse_args(
        ["eval", "scorecard", "--models", f"{STRONG},{WEAK}", "--data", str(DATA),
         "--cache", str(tmp / "cache.jsonl"), *extra]
    )  # fmt: skip


async def run_scorecard(settings: Settings, args: argparse.Namespace, overrides: AppOverrides | None = None) -> int:
    app = App(settings, overrides)
    try:
        return int(await args.handler(args, app))
    finally:
        await app.aclose()
