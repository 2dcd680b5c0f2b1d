"""``kbot teams package [--out FILE] [--app-id GUID]``: the app zip to upload in Teams (Apps > Upload)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapters.wiring import App
from bot.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("teams", help="Microsoft Teams app tools")
    sub = parser.add_subparsers(dest="teams_command", metavar="SUBCOMMAND", required=True)
    package = sub.add_parser("package", help="write the sideloadable Teams app package (manifest + icons)")
    package.add_argument("--out", type=Path, default=Path("kbot-teams.zip"), help="zip to write (default: %(default)s)")
    package.add_argument("--app-id", help="the bot's Microsoft App ID (default: $MICROSOFT_APP_ID)")
    package.add_argument("--version", default="1.0.0", help="app version, bump it for every upload (default: 1.0.0)")
    package.add_argument("--teams-app-id", help="the Teams app id (default: derived from the bot's app id)")
    package.set_defaults(handler=run_package)


async def run_package(args: argparse.Namespace, app: App) -> int:
    from adapters.teams.package import write_package

    bot_id = args.app_id or app.settings.microsoft_app_id
    if not bot_id:
        raise InputError("no bot app id: set MICROSOFT_APP_ID or pass --app-id")
    manifest = write_package(args.out, bot_id.strip(), version=args.version, teams_app_id=args.teams_app_id)
    print(
        f"kbot: wrote {args.out} (Teams app {manifest['id']}, bot {bot_id}, version {manifest['version']})",
        file=sys.stderr,
    )
    return 0
