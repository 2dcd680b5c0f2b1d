"""``kbot eval retrieval|summaries``: offline quality and latency evaluations."""

from __future__ import annotations

import argparse
import importlib

_SUBCOMMANDS = (
    "adapters.cli.eval_retrieval", "adapters.cli.eval_summaries", "adapters.cli.eval_answers",
    "adapters.cli.eval_scorecard",
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("eval", help="evaluate retrieval, summaries or answers on a dataset")
    eval_sub = parser.add_subparsers(dest="eval_command", metavar="WHAT")
    for name in _SUBCOMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(eval_sub)
