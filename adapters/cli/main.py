"""``kbot`` command line: discovers one module per command in ``adapters.cli.commands``.

Each command module exposes ``register(subparsers)`` and sets ``handler=async fn(args, app)``
on its parser. Errors from the :mod:`bot.errors` tree become a one-line message and exit 1;
anything unexpected is logged with its traceback only at DEBUG and reported in one line.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import pkgutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import InputError, KbotError

if TYPE_CHECKING:
    from adapters.wiring import App

log = logging.getLogger("kbot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kbot", description="Internal-knowledge chat bot.")
    parser.add_argument("--db", type=Path, help="local store file (default: $KBOT_DB or .kbot/kbot.db)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import adapters.cli.commands as commands_pkg

    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"adapters.cli.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        from adapters.logs import setup_logging
        from adapters.wiring import App

        app = App.from_env(kbot_db=args.db)
        setup_logging(app.settings.kbot_log_level, debug=args.verbose)
        return int(asyncio.run(_run(args, app)) or 0)
    except KeyboardInterrupt:
        print("kbot: interrupted", file=sys.stderr)
        return 130
    except InputError as exc:
        print(f"kbot: error: {exc}", file=sys.stderr)
        return 2
    except KbotError as exc:
        print(f"kbot: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, never a traceback
        log.debug("unexpected error", exc_info=True)
        print(f"kbot: error: unexpected {type(exc).__name__}: {exc} (run with -v for details)", file=sys.stderr)
        return 1


async def _run(args: argparse.Namespace, app: App) -> int:
    try:
        return int(await args.handler(args, app) or 0)
    finally:
        await app.aclose()


if __name__ == "__main__":
    sys.exit(main())
