"""``kbot sources add|list|show|remove|enable|disable|status``: manage knowledge sources.

The CLI runs as the local operator (an admin); every change is audited as ``cli:<os user>``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from adapters.cli.commands._operator import operator
from bot.admin.models import SourceHealth
from bot.admin.validation import parse_settings_pairs
from bot.errors import InputError
from bot.text import format_lag

if TYPE_CHECKING:
    from adapters.wiring import App


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sources", help="manage knowledge sources (admin)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a source (settings are validated; secrets only as references)")
    add.add_argument("kind", help="folder | sharepoint | confluence | mediawiki")
    add.add_argument("name", help="lower-case name, e.g. hr-wiki")
    add.add_argument(
        "--set",
        dest="pairs",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="one setting (repeat); secrets as KEY_ref=env:NAME or a Secrets Manager ARN",
    )
    add.add_argument("--settings-json", help="all settings as one JSON object")
    add.add_argument("--audience", default="", help="comma-separated groups for documents without ACLs")
    add.add_argument("--schedule", help="sync interval: 15m, 6h, 1d")
    add.add_argument("--disabled", action="store_true", help="add it disabled")
    add.add_argument("--replace", action="store_true", help="overwrite an existing source of that name")
    add.set_defaults(handler=_add)

    for name, handler, text in (
        ("list", _list, "list sources"),
        ("status", _status, "sync health of every source"),
    ):
        cmd = actions.add_parser(name, help=text)
        cmd.add_argument("--json", action="store_true")
        cmd.set_defaults(handler=handler)

    for name, handler, text in (
        ("show", _show, "show one source"),
        ("remove", _remove, "remove a source and delete its documents"),
        ("enable", _enable, "enable a source"),
        ("disable", _disable, "disable a source (its documents stop being cited at once)"),
    ):
        cmd = actions.add_parser(name, help=text)
        cmd.add_argument("name")
        cmd.add_argument("--json", action="store_true")
        cmd.set_defaults(handler=handler)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if args.settings_json:
        try:
            settings = json.loads(args.settings_json)
        except json.JSONDecodeError as exc:
            raise InputError(f"--settings-json is not valid JSON ({exc.msg})") from None
        if not isinstance(settings, dict):
            raise InputError("--settings-json must be a JSON object")
    settings.update(parse_settings_pairs(args.pairs))
    return settings


async def _add(args: argparse.Namespace, app: App) -> int:
    source = await app.admin.add_source(
        operator(),
        kind=args.kind,
        name=args.name,
        settings=_settings(args),
        audience=[g for g in args.audience.split(",") if g.strip()],
        schedule=args.schedule,
        enabled=not args.disabled,
        replace=args.replace,
    )
    print(f"added {source.kind} source '{source.name}'" + ("" if source.enabled else " (disabled)"))
    return 0


async def _list(args: argparse.Namespace, app: App) -> int:
    sources = await app.admin.list_sources(operator())
    if args.json:
        print(json.dumps([_source_json(s) for s in sources], indent=2))
    elif not sources:
        print("no sources configured (add one with: kbot sources add KIND NAME --set key=value)")
    else:
        rows = [("NAME", "KIND", "ENABLED", "EVERY", "AUDIENCE")] + [
            (s.name, s.kind, "yes" if s.enabled else "no", _every(s.settings), ",".join(s.audience) or "-")
            for s in sources
        ]
        _table(rows)
    if not args.json:
        await _print_ad_hoc(app, {s.name for s in sources})
    return 0


async def _print_ad_hoc(app: App, configured: set[str]) -> None:
    """Folders indexed directly with ``kbot ingest`` live in the store without a configured source."""
    counts = await app.store.source_counts()
    ad_hoc = sorted(name for name in counts if name not in configured)
    if ad_hoc:
        print("\nindexed with `kbot ingest` (not synced by the worker):")
        for name in ad_hoc:
            print(f"  {name}: {counts[name]} documents ({await app.store.source_location(name) or '-'})")


async def _show(args: argparse.Namespace, app: App) -> int:
    source = await app.admin.get_source(operator(), args.name)
    print(json.dumps(_source_json(source), indent=2))
    return 0


async def _remove(args: argparse.Namespace, app: App) -> int:
    deleted = await app.admin.remove_source(operator(), args.name)
    print(f"removed source '{args.name}' and {deleted} document(s)")
    return 0


async def _enable(args: argparse.Namespace, app: App) -> int:
    await app.admin.set_enabled(operator(), args.name, True)
    print(f"enabled source '{args.name}'")
    return 0


async def _disable(args: argparse.Namespace, app: App) -> int:
    await app.admin.set_enabled(operator(), args.name, False)
    print(f"disabled source '{args.name}'; its documents are no longer cited")
    return 0


async def _status(args: argparse.Namespace, app: App) -> int:
    rows = await app.admin.health(operator())
    if args.json:
        print(json.dumps([_health_json(h) for h in rows], indent=2))
        return 0
    if not rows:
        print("no sources configured")
        return 0
    table = [("NAME", "STATE", "DOCS", "FAILURES", "LAST SUCCESS", "LAG")]
    for h in rows:
        table.append(
            (
                h.name,
                h.state + (" (sync queued)" if h.pending_sync else ""),
                str(h.documents),
                str(h.failures),
                _when(h.last_success) or "never",
                format_lag(h.lag_seconds),
            )
        )
    _table(table)
    for h in rows:
        if h.last_error:
            print(f"{h.name}: last error: {h.last_error}")
    return 0


def _source_json(source: Any) -> dict[str, Any]:
    return {
        "name": source.name,
        "kind": source.kind,
        "enabled": source.enabled,
        "audience": source.audience,
        "settings": source.settings,
    }


def _health_json(h: SourceHealth) -> dict[str, Any]:
    return {
        "name": h.name,
        "kind": h.kind,
        "state": h.state,
        "enabled": h.enabled,
        "documents": h.documents,
        "failures": h.failures,
        "last_success": _when(h.last_success, None),
        "lag_seconds": h.lag_seconds,
        "last_error": h.last_error,
        "failure_samples": h.failure_samples,
        "sync_queued": h.pending_sync,
    }


def _every(settings: dict[str, Any]) -> str:
    minutes = settings.get("interval_minutes")
    return "-" if minutes is None else f"{minutes}m"


def _when(moment: datetime | None, empty: str | None = "never") -> str | None:
    return moment.isoformat(timespec="seconds") if moment else empty


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
