"""``kbot summarize FILE`` / ``kbot summarize --batch FILE.jsonl``: structured thread and email summaries."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.parsing.email_parser import EMAIL_TYPES, parse_email_file
from bot.errors import InputError
from bot.models import Conversation, Summary
from bot.summarizing.loaders import from_json, load_text

if TYPE_CHECKING:
    from adapters.wiring import App


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "summarize",
        help="summarize a chat thread or an email",
        description="Summarize a Slack thread JSON, Teams activities JSON, a "
        "'Name: text' transcript, or an .eml/.msg email.",
    )
    parser.add_argument("file", nargs="?", type=Path, help="thread .json, transcript .txt, .eml or .msg")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--batch",
        type=Path,
        metavar="FILE.jsonl",
        help='summarize {"id","text"} lines; writes one JSON line per item',
    )
    parser.add_argument(
        "--directory",
        type=Path,
        metavar="USERS.json",
        help='Slack user id -> name map ({"U123": "Dana"}) to resolve <@U123> mentions',
    )
    parser.add_argument(
        "--link-base",
        metavar="URL",
        help="Slack archive URL of the channel (https://acme.slack.com/archives/C123) for permalinks",
    )
    parser.set_defaults(handler=run)


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path.name}: file too large ({size / 2**20:.0f} MB, limit {max_bytes / 2**20:.0f} MB)")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a directory, not a file") from exc
    except PermissionError as exc:
        raise InputError(f"{path}: permission denied") from exc


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file (expected thread JSON, a transcript, .eml or .msg)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (expected thread JSON, a transcript, .eml or .msg)") from exc


def _directory(path: Path | None, max_bytes: int) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = json.loads(_decode(_read(path, max_bytes), path.name))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise InputError(f"{path.name}: JSON nested too deeply") from exc
    if not isinstance(data, dict):
        raise InputError(f'{path.name}: expected a JSON object {{"U123": "Name"}}')
    return {str(k): str(v) for k, v in data.items()}


async def load_conversation(
    path: Path, max_bytes: int, directory: dict[str, str] | None = None, link_base: str | None = None
) -> Conversation:
    data = _read(path, max_bytes)
    if path.suffix.lower() in EMAIL_TYPES:
        return await parse_email_file(data, path.name)
    text = _decode(data, path.name)
    if path.suffix.lower() == ".json":
        try:
            payload = json.loads(text)
            return from_json(payload, directory, link_base)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path.name}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
        except RecursionError as exc:  # "[[[[…" : no thread export is nested this deep
            raise InputError(f"{path.name}: JSON nested too deeply to be a thread export") from exc
    return load_text(text, directory)


def format_summary(summary: Summary, title: str | None = None) -> str:
    lines = [f"# {title}"] if title else []
    lines.append(f"TL;DR: {summary.tldr}")

    def section(name: str, rows: list[str]) -> None:
        if rows:
            lines.extend(["", f"{name}:"] + [f"  - {r}" for r in rows])

    def linked(text: str, link: str | None) -> str:
        return f"{text} <{link}>" if link else text

    section("Key points", [linked(i.text, i.link) for i in summary.key_points])
    section("Decisions", [linked(i.text, i.link) for i in summary.decisions])
    section(
        "Action items",
        [
            linked(f"{a.owner or 'unassigned'}: {a.task}" + (f" (due {a.due})" if a.due else ""), a.link)
            for a in summary.action_items
        ],
    )
    section("Open questions", [linked(i.text, i.link) for i in summary.open_questions])
    return "\n".join(lines)


async def _batch(args: argparse.Namespace, app: App, max_bytes: int) -> int:
    data = _decode(_read(args.batch, max_bytes), args.batch.name)
    failures = 0
    for line_no, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise InputError('expected {"id": ..., "text": "..."}')
            item_id = row.get("id", line_no)
            out: dict[str, Any] = {
                "id": item_id,
                **(await app.summaries.summarize(load_text(row["text"]))).to_json(),
            }
        except json.JSONDecodeError as exc:
            failures += 1
            out = {"id": None, "line": line_no, "error": f"not valid JSON ({exc.msg})"}
        except RecursionError:
            failures += 1
            out = {"id": None, "line": line_no, "error": "JSON nested too deeply"}
        except InputError as exc:
            failures += 1
            out = {"id": row.get("id") if isinstance(row, dict) else None, "line": line_no, "error": str(exc)}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    if failures:
        print(f"kbot: {failures} item(s) could not be summarized (see their 'error' field)", file=sys.stderr)
    return 1 if failures else 0


async def run(args: argparse.Namespace, app: App) -> int:
    max_bytes = app.settings.kbot_max_file_mb * 1024 * 1024
    if args.batch:
        return await _batch(args, app, max_bytes)
    if args.file is None:
        raise InputError("give a FILE to summarize or --batch FILE.jsonl")
    conversation = await load_conversation(args.file, max_bytes, _directory(args.directory, max_bytes), args.link_base)
    summary = await app.summaries.summarize(conversation)
    if args.json:
        print(json.dumps(summary.to_json(), indent=2, ensure_ascii=False))
    else:
        print(format_summary(summary, conversation.title))
    return 0
