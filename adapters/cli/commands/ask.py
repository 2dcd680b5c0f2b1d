"""``kbot ask QUESTION`` (or ``--batch FILE.jsonl``): cited answers from the knowledge base.

Every question goes through :class:`bot.conversation.ask.AskService`, like Slack and Teams: disabled
sources are never cited, and ``--channel PLATFORM:ID`` answers from what that channel may use.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.cli.render import render_answer
from bot.conversation.ask import AskRequest
from bot.errors import InputError, KbotError

if TYPE_CHECKING:
    from adapters.wiring import App

CLI_USER = "cli"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="answer a question from the knowledge base, with citations")
    p.add_argument("question", nargs="*", help="the question")
    p.add_argument("--json", action="store_true", help='print {"answer","grounded","citations"}')
    p.add_argument("--batch", type=Path, metavar="FILE.jsonl", help='lines of {"id","question"}')
    p.add_argument("--out", type=Path, help="write batch results here instead of stdout")
    p.add_argument("--source", action="append", dest="sources", help="limit to this source (repeatable)")
    p.add_argument("--group", action="append", dest="groups", help="answer as a member of this group")
    p.add_argument(
        "--channel", metavar="PLATFORM:ID", type=_channel,
        help="answer with that channel's sources, e.g. slack:C0123 (an answer only you see)",
    )
    p.set_defaults(handler=run)


def _channel(value: str) -> tuple[str, str]:
    platform, _, channel = value.partition(":")
    if platform not in ("slack", "teams") or not channel:
        raise argparse.ArgumentTypeError("expected slack:CHANNEL_ID or teams:CONVERSATION_ID")
    return platform, channel


def request(text: str, args: argparse.Namespace) -> AskRequest:
    """The operator's question: their stated groups, optionally as if asked (privately) in a channel."""
    platform, channel = getattr(args, "channel", None) or ("cli", None)
    return AskRequest(
        text,
        platform,
        CLI_USER,
        channel_id=channel,
        is_direct=channel is None,
        private_reply=channel is not None,
        groups=getattr(args, "groups", None) or [],
        sources=getattr(args, "sources", None),
    )


async def _warn_if_empty(app: App) -> None:
    if app.settings.kbot_backend == "embedded" and (await app.store.stats())["documents"] == 0:
        print(f"kbot: warning: the knowledge store {app.settings.kbot_db} is empty; "
              "index documents first with: kbot ingest PATH", file=sys.stderr)


async def run(args: argparse.Namespace, app: App) -> int:
    await _warn_if_empty(app)
    if args.batch:
        return await _batch(args, app)
    text = " ".join(args.question).strip()
    if not text:
        raise InputError("give a question, e.g. kbot ask \"How do I reset my password?\"")
    answer = (await app.ask.ask(request(text, args))).answer
    print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else render_answer(answer))
    return 0


async def _batch(args: argparse.Namespace, app: App) -> int:
    try:
        lines = args.batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {args.batch}: {exc}") from exc
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    failed = 0
    try:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                qid, text = item.get("id"), str(item.get("question", "")).strip()
                if not text:
                    raise InputError("missing 'question'")
                result = (await app.ask.ask(request(text, args))).answer.to_json()
            except (json.JSONDecodeError, AttributeError):
                qid, result = None, {"error": f"line {n}: not a JSON object"}
            except KbotError as exc:
                result = {"error": f"line {n}: {exc}"}
            if "error" in result:
                failed += 1
                print(f"kbot: warning: {result['error']}", file=sys.stderr)
            out.write(json.dumps({"id": qid, **result}, ensure_ascii=False) + "\n")
            out.flush()
    finally:
        if args.out:
            out.close()
    return 1 if failed and failed == len([x for x in lines if x.strip()]) else 0
