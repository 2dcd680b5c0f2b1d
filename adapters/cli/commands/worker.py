"""``kbot worker``: keep every enabled source in sync, each at its own interval (Procfile ``worker:``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.wiring import App


log = logging.getLogger("kbot.worker")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("worker", help="sync sources forever at their intervals (stop with Ctrl-C / SIGTERM)")
    p.add_argument("--max-idle", type=float, default=60.0, help="seconds between checks for due sources")
    p.set_defaults(handler=run)


async def run(args: argparse.Namespace, app: App) -> int:
    from adapters.wiring.ingest import open_worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    log.warning("kbot worker started")
    async with open_worker(app) as worker:
        await worker.run_forever(stop, max_idle=args.max_idle)
    log.warning("kbot worker stopped")
    return 0
