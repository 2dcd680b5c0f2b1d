"""``kbot answers list|show|add|edit|remove|export|import``: verified answers (docs/admin.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.cli.commands._operator import operator
from bot.errors import InputError
from bot.verified.models import VerifiedAnswer

if TYPE_CHECKING:
    from adapters.wiring import App


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("answers", help="verified answers: list, show, edit, remove, export, import (JSONL)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list verified answers")
    listing.add_argument("--needs-review", action="store_true", help="only those past their review date")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    show = actions.add_parser("show", help="one verified answer in full (JSON)")
    show.add_argument("id")
    show.set_defaults(handler=_show)
    add = actions.add_parser("add", help="save a verified answer")
    add.add_argument("--question", required=True)
    add.add_argument("--answer", required=True)
    add.add_argument("--expert", required=True, help="name shown as 'Verified by @NAME'")
    _common(add)
    add.set_defaults(handler=_add)
    edit = actions.add_parser("edit", help="change a verified answer")
    edit.add_argument("id")
    edit.add_argument("--question")
    edit.add_argument("--answer")
    _common(edit)
    edit.set_defaults(handler=_edit)
    remove = actions.add_parser("remove", help="remove a verified answer (and its document)")
    remove.add_argument("id")
    remove.set_defaults(handler=_remove)
    export = actions.add_parser("export", help="write every verified answer as JSON Lines")
    export.add_argument("file", nargs="?", type=Path, help="default: standard output")
    export.set_defaults(handler=_export)
    imp = actions.add_parser("import", help="read verified answers from JSON Lines ('-': standard input)")
    imp.add_argument("file")
    imp.set_defaults(handler=_import)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--audience", help="comma-separated groups that may see it (default: everyone)")
    p.add_argument("--review-by", help="YYYY-MM-DD after which it needs review ('never' clears it)")


def _line(a: VerifiedAnswer) -> str:
    flag = "  NEEDS REVIEW" if a.needs_review() else ""
    audience = ",".join(a.audience) or "everyone"
    return f"{a.id}  {a.created:%Y-%m-%d}  @{a.expert}  [{audience}]  {a.question[:80]}{flag}"


async def _list(args: argparse.Namespace, app: App) -> int:
    answers = await app.verified.list_answers(operator(), needs_review=args.needs_review)
    if args.json:
        print(json.dumps([a.to_dict() for a in answers], indent=2, ensure_ascii=False))
    elif not answers:
        print("no verified answers need review" if args.needs_review else "no verified answers yet")
    for a in answers if not args.json else []:
        print(_line(a))
    return 0


async def _show(args: argparse.Namespace, app: App) -> int:
    print(json.dumps((await app.verified.show(operator(), args.id)).to_dict(), indent=2, ensure_ascii=False))
    return 0


async def _add(args: argparse.Namespace, app: App) -> int:
    saved = await app.verified.save(
        operator(),
        question=args.question,
        answer=args.answer,
        expert=args.expert,
        audience=args.audience,
        review_by=args.review_by,
    )
    print(f"saved verified answer {saved.id}")
    return 0


async def _edit(args: argparse.Namespace, app: App) -> int:
    changes: dict[str, object] = {}
    if args.audience is not None:
        changes["audience"] = args.audience
    if args.review_by is not None:
        changes["review_by"] = args.review_by
    if args.question is None and args.answer is None and not changes:
        raise InputError("nothing to change: give --question, --answer, --audience or --review-by")
    saved = await app.verified.edit(operator(), args.id, question=args.question, answer=args.answer, **changes)  # type: ignore[arg-type]
    print(f"updated verified answer {saved.id}")
    return 0


async def _remove(args: argparse.Namespace, app: App) -> int:
    await app.verified.remove(operator(), args.id)
    print(f"removed verified answer {args.id}")
    return 0


async def _export(args: argparse.Namespace, app: App) -> int:
    lines = await app.verified.export(operator())
    text = "".join(line + "\n" for line in lines)
    if args.file is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(args.file.write_text, text, encoding="utf-8")
        print(f"exported {len(lines)} verified answer(s) to {args.file}", file=sys.stderr)
    return 0


async def _import(args: argparse.Namespace, app: App) -> int:
    if args.file == "-":
        lines = sys.stdin.read().splitlines()
    else:
        try:
            lines = (await asyncio.to_thread(Path(args.file).read_text, encoding="utf-8")).splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {args.file}: {exc}") from exc
    count = await app.verified.import_lines(operator(), lines)
    print(f"imported {count} verified answer(s)")
    return 0
