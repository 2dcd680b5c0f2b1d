"""The admin chat commands shared by Slack (``/kbot-admin ...``) and Teams (``admin ...``).

Parsing and dispatch live here so both front ends behave alike; they only render the
:class:`AdminReply` (Block Kit or Adaptive Cards) and open their own "add source" form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.admin.models import Actor, AdminEntry, SourceHealth
from bot.admin.service import AdminService
from bot.admin.validation import shown
from bot.errors import InputError
from bot.models import Source

if TYPE_CHECKING:
    from bot.verified.service import VerifiedAnswers

USAGE = (
    "Admin commands: sources | status | add | sync NAME | enable NAME | disable NAME | remove NAME | "
    "admins | admins add USER | channel [sources=a,b|all] [visibility=members|ephemeral] | "
    "answers [review|show|edit|remove|export|import] | help"
)
_MENTION = re.compile(r"^<[@!]?(?:mailto:)?([^|>]+)(?:\|[^>]*)?>$")


@dataclass(slots=True)
class AdminReply:
    text: str = ""
    sources: list[Source] | None = None
    health: list[SourceHealth] | None = None
    admins: list[AdminEntry] | None = None
    open_add_form: bool = False
    usage: bool = False
    refresh: list[str] = field(default_factory=list)  # sources whose views should be refreshed


def _user_arg(token: str) -> str:
    match = _MENTION.match(token.strip())
    return (match.group(1) if match else token).strip().removeprefix("@")


def _one_name(args: list[str], verb: str) -> str:
    if len(args) != 1:
        raise InputError(f"usage: {verb} NAME")
    return args[0]


async def run_admin_command(
    service: AdminService,
    actor: Actor,
    text: str,
    *,
    channel: tuple[str, str] | None = None,
    answers: VerifiedAnswers | None = None,
) -> AdminReply:
    """Run one admin command line. Raises PermissionDenied / InputError / NotFoundError."""
    words = text.strip().split()
    verb, args = (words[0].lower(), words[1:]) if words else ("help", [])
    if verb == "answers" and answers is not None:
        from bot.verified.commands import run_answers_command

        return AdminReply(await run_answers_command(answers, actor, text.strip()[len(words[0]) :].lstrip(" ")))
    if verb in ("help", "?"):
        await service.require_admin(actor, "help")
        return AdminReply(USAGE, usage=True)
    if verb in ("sources", "list"):
        return AdminReply(sources=await service.list_sources(actor))
    if verb in ("status", "health"):
        return AdminReply(health=await service.health(actor))
    if verb == "add":
        await service.require_admin(actor, "sources.add")
        return AdminReply(open_add_form=True)
    if verb == "sync":
        name = _one_name(args, "sync")
        return AdminReply(await service.sync_now(actor, name), refresh=[name])
    if verb in ("enable", "disable"):
        name = _one_name(args, verb)
        await service.set_enabled(actor, name, verb == "enable")
        return AdminReply(f"Source {name} {verb}d.", refresh=[name])
    if verb == "remove":
        name = _one_name(args, "remove")
        deleted = await service.remove_source(actor, name)
        return AdminReply(f"Source {name} removed with {deleted} document(s).")
    if verb == "admins":
        if not args:
            return AdminReply(admins=await service.list_admins(actor))
        if len(args) == 2 and args[0].lower() == "add":
            entry = await service.add_admin(actor, _user_arg(args[1]))
            return AdminReply(f"{entry.user} is now a kbot admin.")
        if len(args) == 2 and args[0].lower() == "remove":
            await service.remove_admin(actor, _user_arg(args[1]))
            return AdminReply(f"{_user_arg(args[1]).lower()} is no longer a kbot admin.")
        raise InputError("usage: admins | admins add USER | admins remove USER")
    if verb == "channel":
        return await _channel(service, actor, args, channel)
    await service.require_admin(actor, shown(verb))
    raise InputError(f"unknown admin command '{shown(verb)}'. {USAGE}")


async def _channel(service: AdminService, actor: Actor, args: list[str], channel: tuple[str, str] | None) -> AdminReply:
    if channel is None:
        await service.require_admin(actor, "channels.set")
        raise InputError("run this in the channel you want to configure")
    options: dict[str, str] = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep or key not in ("sources", "visibility"):
            await service.require_admin(actor, "channels.set")
            raise InputError("usage: channel [sources=a,b|all] [visibility=members|ephemeral]")
        options[key] = value
    current = await service.repo.get_channel(*channel)
    sources = current.sources if current else None
    if "sources" in options:
        sources = None if options["sources"] in ("", "all") else [s for s in options["sources"].split(",") if s]
    visibility = options.get("visibility", current.visibility if current else "members")
    saved = await service.set_channel(actor, channel[0], channel[1], sources=sources, visibility=visibility)
    listed = ", ".join(saved.sources) if saved.sources is not None else "all enabled sources"
    return AdminReply(f"This channel answers from {listed}; visibility: {saved.visibility}.")
