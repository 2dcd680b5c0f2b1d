"""``kbot channels set|list``: which sources a Slack/Teams channel answers from, and answer visibility."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from adapters.cli.commands._operator import operator

if TYPE_CHECKING:
    from adapters.wiring import App


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("channels", help="per-channel sources and answer visibility (admin)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    set_ = actions.add_parser("set", help="configure one channel")
    set_.add_argument("platform", choices=["slack", "teams"])
    set_.add_argument("channel", help="Slack channel id (C0123...) or Teams conversation id")
    set_.add_argument("--sources", help="comma-separated source names (default: every enabled source)")
    set_.add_argument(
        "--visibility",
        choices=["members", "ephemeral"],
        default="members",
        help="members: answer from what every member may read; ephemeral: private answers",
    )
    set_.add_argument(
        "--followups",
        choices=["on", "off", "default"],
        default="default",
        help="answer replies in a thread the bot answered without a new @mention "
        "(default: on in Slack, off in Teams)",
    )
    set_.set_defaults(handler=_set)
    listing = actions.add_parser("list", help="configured channels")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)


async def _set(args: argparse.Namespace, app: App) -> int:
    sources = None if args.sources is None else [s.strip() for s in args.sources.split(",") if s.strip()]
    followups = {"on": True, "off": False}.get(args.followups)
    channel = await app.admin.set_channel(
        operator(), args.platform, args.channel, sources=sources, visibility=args.visibility, followups=followups
    )
    print(
        f"{channel.platform} channel {channel.channel_id}: sources="
        f"{','.join(channel.sources) if channel.sources is not None else 'all enabled'}, "
        f"visibility={channel.visibility}, followups={_followups(channel)}"
    )
    return 0


async def _list(args: argparse.Namespace, app: App) -> int:
    channels = await app.admin.list_channels(operator())
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "platform": c.platform,
                        "channel": c.channel_id,
                        "sources": c.sources,
                        "visibility": c.visibility,
                        "followups": c.followups,
                    }
                    for c in channels
                ],
                indent=2,
            )
        )
        return 0
    if not channels:
        print("no channel settings (every channel answers from all enabled sources, visibility=members)")
    for c in channels:
        srcs = ",".join(c.sources) if c.sources is not None else "all enabled"
        print(f"{c.platform}  {c.channel_id}  sources={srcs}  visibility={c.visibility}  followups={_followups(c)}")
    return 0


def _followups(channel: Any) -> str:
    return "default" if channel.followups is None else ("on" if channel.followups else "off")
