"""``kbot chat``: an interactive console conversation (follow-ups keep context)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from adapters.cli.render import render_answer
from bot.errors import KbotError
from bot.models import Question, Turn

HISTORY_TURNS = 6


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="interactive console chat with the bot")
    p.set_defaults(handler=run)


async def run(args: argparse.Namespace, app) -> int:
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
            answer = await app.answerer.answer(Question(text=text, history=list(history)))
        except KbotError as exc:
            print(f"kbot> {exc.user_message}")
            continue
        print("kbot> " + render_answer(answer) + "\n")
        history += [Turn("user", text), Turn("assistant", answer.text)]
        history = history[-HISTORY_TURNS:]
    return 0
