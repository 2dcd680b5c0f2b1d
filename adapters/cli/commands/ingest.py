"""``kbot ingest PATH...``: index files and folders into the local store (incremental)."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from bot.errors import InputError

if TYPE_CHECKING:
    from adapters.wiring import App


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="index files/folders into the local knowledge store")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--source", help="source name (default: the folder's name)")
    p.add_argument("--acl", default="", help="comma-separated groups allowed to read these documents")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=run)


def _source_name(path: Path) -> str:
    name = path.resolve().name or "root"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


async def configured_audience(app: App, path: Path, source: str, acl: list[str]) -> tuple[str, list[str]]:
    """(source name, ACL) for ingesting ``path``, never wider than a configured folder source's audience.

    ``kbot ingest`` on a configured source's folder (or a folder inside it) would otherwise index its
    files with no ACL until the next sync, and everyone could read them.
    """
    folders = [
        (s.name, str(s.settings["path"]), sorted(s.audience)) for s in await app.config.list_sources()
        if s.kind == "folder" and s.settings.get("path") and s.audience
    ]
    inner = await asyncio.to_thread(_configured_inside, path, folders)
    if inner is not None and not (acl and set(acl) <= set(inner[1])):
        raise InputError(
            f"{path} contains the folder of source '{inner[0]}' (audience: {', '.join(inner[1])}); "
            "index that folder with `kbot sync`, or pass --acl with groups from that audience"
        )
    owner = await asyncio.to_thread(_owning_folder, path, folders)
    if owner is None:
        return source, acl
    name, audience, same_folder = owner
    if acl and not set(acl) <= set(audience):
        raise InputError(
            f"{path} belongs to source '{name}' (audience: {', '.join(audience)}); "
            "--acl may not widen it: run `kbot sync` or pass a subset of that audience"
        )
    return (name if same_folder and not source else source), acl or audience


def _owning_folder(path: Path, folders: list[tuple[str, str, list[str]]]) -> tuple[str, list[str], bool] | None:
    target = path.resolve()
    for name, folder, audience in folders:
        root = Path(folder).expanduser().resolve()
        if target.is_relative_to(root):
            return name, audience, target == root
    return None


def _configured_inside(path: Path, folders: list[tuple[str, str, list[str]]]) -> tuple[str, list[str]] | None:
    """A configured folder strictly inside ``path`` (its files would be indexed without its audience)."""
    target = path.resolve()
    for name, folder, audience in folders:
        root = Path(folder).expanduser().resolve()
        if root != target and root.is_relative_to(target):
            return name, audience
    return None


def _reason(uri: str, reason: str) -> str:
    """Parser reasons start with the file name; the warning already names the file."""
    return reason.removeprefix(f"{PurePath(uri).name}: ")


async def run(args: argparse.Namespace, app: App) -> int:
    from ingest.connectors.folder import FolderConnector

    if args.source and len(args.paths) > 1:
        raise InputError("--source names one source; give one PATH with it")
    errors = 0
    reports = []
    for path in args.paths:
        if not path.exists():
            print(f"kbot: error: {path}: no such file or folder", file=sys.stderr)
            errors += 1
            continue
        acl = [g.strip() for g in args.acl.split(",") if g.strip()]
        source, acl = await configured_audience(app, path, args.source or "", acl)
        source = source or _source_name(path)
        location = str(path.resolve())
        existing = await app.store.source_location(source)
        if existing and existing != location:
            raise InputError(
                f"source '{source}' already indexes {existing}; pass --source NAME to index {path} separately"
            )
        await app.store.ensure_source(source, "folder", location)
        pipeline, sink, progress = app.ingest_pipeline(progress=sys.stderr.isatty())
        connector = FolderConnector(
            source, path, supports=app.parser.supports,
            max_bytes=app.settings.kbot_max_file_mb * 1024 * 1024,
            acl_groups=acl,
        )
        try:
            report = await pipeline.sync(connector, source=source)
            outcome = await sink.finish(source)  # Bedrock KB: the ingestion job
            if outcome is not None:
                report.failures += outcome.failures  # staged but not indexed (Bedrock)
        finally:
            progress.close()
        for f in report.failures:
            print(f"kbot: warning: {f.uri}: {_reason(f.uri, f.reason)}", file=sys.stderr)
        if report.seen == 0 and not report.failures and report.deleted == 0:
            print(f"kbot: warning: {path}: no files to index", file=sys.stderr)
        if report.failures and report.parsed + report.unchanged == 0:
            errors += 1  # every file failed: the run did not do its job
        data = {
            "source": source, "seen": report.seen, "parsed": report.parsed, "unchanged": report.unchanged,
            "upserted": report.upserted, "deleted": report.deleted, "failed": len(report.failures),
            "chunks_embedded": sink.chunks_embedded, "chunks_reused": sink.chunks_reused,
        }
        reports.append(data)
        if not args.json:
            print(
                f"{source}: {report.seen} files seen, {report.parsed} parsed, {report.unchanged} unchanged, "
                f"{report.deleted} deleted, {len(report.failures)} failed; "
                f"{data['chunks_embedded']} chunks embedded, {data['chunks_reused']} reused"
            )
    if args.json:
        print(json.dumps(reports if len(reports) != 1 else reports[0]))
    return 1 if errors else 0
