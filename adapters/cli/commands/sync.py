"""``kbot sync [--source NAME]``: one sync pass over the configured sources."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.wiring import App


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="sync the configured sources once")
    p.add_argument("--source", action="append", default=[], metavar="NAME", help="only this source (repeat)")
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.add_argument("--ingestion-job", action="store_true",
                   help="only run the Bedrock ingestion job for what earlier syncs staged (docs/bedrock.md)")
    p.set_defaults(handler=run)


async def run(args: argparse.Namespace, app: App) -> int:
    from adapters.wiring.ingest import open_worker

    if getattr(args, "ingestion_job", False):
        from adapters.bedrock_sink.job_command import run_ingestion_job

        code, lines = await run_ingestion_job(app.ingest_sink(), app.config)
        print("\n".join(lines), file=sys.stderr if code else sys.stdout)
        return code

    async with open_worker(app, progress=sys.stderr.isatty() and not args.json) as worker:
        outcomes = await worker.run_once(args.source)
    if not outcomes:
        print("no enabled sources to sync (add one with: kbot sources add KIND NAME --set key=value)")
        return 0
    rows: list[dict[str, Any]] = []
    for out in outcomes:
        if out.report is None:
            print(f"kbot: error: {out.source}: {out.error}", file=sys.stderr)
            rows.append({"source": out.source, "error": out.error})
            continue
        r = out.report
        for failure in r.failures:
            print(f"kbot: warning: {out.source}: {failure.uri}: {failure.reason}", file=sys.stderr)
        rows.append({"source": out.source, "seen": r.seen, "parsed": r.parsed, "unchanged": r.unchanged,
                     "upserted": r.upserted, "deleted": r.deleted, "failed": len(r.failures)})
        if not args.json:
            print(r.summary())
    if args.json:
        print(json.dumps(rows))
    return 1 if any(o.report is None for o in outcomes) else 0
