"""``kbot admins add|list|remove|audit``: who may administer kbot from Slack/Teams, and the audit log."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from adapters.cli.commands._operator import operator

if TYPE_CHECKING:
    from adapters.wiring import App


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("admins", help="manage kbot admins and read the audit log")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an admin: Slack user id, Teams AAD object id or email")
    add.add_argument("user")
    add.set_defaults(handler=_add)
    remove = actions.add_parser("remove", help="remove an admin added earlier (not KBOT_ADMINS)")
    remove.add_argument("user")
    remove.set_defaults(handler=_remove)
    listing = actions.add_parser("list", help="list admins (KBOT_ADMINS and added)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    audit = actions.add_parser("audit", help="the newest audit log entries")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true")
    audit.set_defaults(handler=_audit)


async def _add(args: argparse.Namespace, app: App) -> int:
    entry = await app.admin.add_admin(operator(), args.user)
    print(f"added admin {entry.user}")
    return 0


async def _remove(args: argparse.Namespace, app: App) -> int:
    await app.admin.remove_admin(operator(), args.user)
    print(f"removed admin {args.user.strip().lower()}")
    return 0


async def _list(args: argparse.Namespace, app: App) -> int:
    admins = await app.admin.list_admins(operator())
    if args.json:
        print(json.dumps([{"user": a.user, "added_by": a.added_by} for a in admins], indent=2))
    elif not admins:
        print("no admins yet: set KBOT_ADMINS or run: kbot admins add USER")
    else:
        for a in admins:
            print(
                f"{a.user}  (added by {a.added_by})"
                if a.added_by != "KBOT_ADMINS"
                else f"{a.user}  (KBOT_ADMINS)"
            )
    return 0


async def _audit(args: argparse.Namespace, app: App) -> int:
    entries = await app.admin.audit_log(operator(), max(1, min(args.limit, 1000)))
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "at": e.at.isoformat() if e.at else None,
                        "actor": e.actor,
                        "action": e.action,
                        "target": e.target,
                        "outcome": e.outcome,
                        "detail": e.detail,
                    }
                    for e in entries
                ],
                indent=2,
            )
        )
        return 0
    for e in entries:
        when = e.at.isoformat(timespec="seconds") if e.at else "?"
        detail = f"  {e.detail}" if e.detail else ""
        print(f"{when}  {e.actor}  {e.action} {e.target}  {e.outcome}{detail}")
    return 0
