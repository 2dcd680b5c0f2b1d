"""``kbot chat``: an interactive console conversation (follow-ups keep context)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from adapters.cli.commands.ask import CLI_USER
from adapters.cli.render import render_answer
from bot.conversation.ask import AskRequest
from bot.errors import KbotError
from bot.models import Turn

if TYPE_CHECKING:
    from adapters.wiring import App

HISTORY_TURNS = 6


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="interactive console chat with the bot")
    p.add_argument("--group", action="append", dest="groups", help="answer as a member of this group")
    p.set_defaults(handler=run)


async def run(args: argparse.Namespace, app: App) -> int:
    history: list[Turn] = []
    interactive = sys.stdin.isatty()
    if interactive:
        print("kbot chat — ask about your knowledge base. Empty line or Ctrl-D to quit.")
    while True:
        try:
            line = await asyncio.to_thread(input, "you> " if interactive else "")
        except EOFError:
            break
        text = line.strip()
        if not text:
            if interactive:
                break
            continue
        try:
            request = AskRequest(text, "cli", CLI_USER, history=list(history), groups=args.groups or [])
            answer = (await app.ask.ask(request)).answer
        except KbotError as exc:
            print(f"kbot> {exc.user_message}")
            continue
        print("kbot> " + render_answer(answer) + "\n")
        history += [Turn("user", text), Turn("assistant", answer.text)]
        history = history[-HISTORY_TURNS:]
    return 0
