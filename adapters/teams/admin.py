"""Teams admin commands: ``admin sources|status|add|sync NAME|...`` in a 1:1 chat, as Adaptive Cards.

The Teams turn handler calls :func:`handle_admin_command` for message activities and
:func:`handle_admin_card_action` for card buttons; both return ``None`` when the activity is
not an admin one. Rights are checked (and denials audited) by
:class:`bot.admin.service.AdminService`, keyed on the sender's Entra ID object id.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from adapters.teams import admin_cards as cards
from adapters.wiring import App
from bot.admin.commands import run_admin_command
from bot.admin.models import Actor, Member
from bot.admin.validation import parse_settings_pairs
from bot.conversation.access import Access
from bot.errors import InputError, KbotError

from . import activity as act
from .access import channel_id, teams_ask_request

log = logging.getLogger(__name__)
_VERBS = {
    "help",
    "sources",
    "list",
    "status",
    "health",
    "add",
    "sync",
    "enable",
    "disable",
    "remove",
    "admins",
    "channel",
    "answers",
}
_ADMIN = re.compile(r"^\s*admin\b\s*(.*)$", re.IGNORECASE | re.DOTALL)


def teams_actor(activity: dict[str, Any]) -> Actor:
    who = act.sender(activity)
    return Actor(
        act.user_id(activity),
        "teams",
        email=who.get("email") or who.get("userPrincipalName"),
        display_name=who.get("name"),
    )


def teams_channel_id(activity: dict[str, Any]) -> str:
    """The channel (or chat) an answer setting applies to: no ``;messageid=`` thread suffix."""
    return channel_id(activity)


def admin_command_text(activity: dict[str, Any]) -> str | None:
    """The command after ``admin`` when the message is an admin command, else None."""
    match = _ADMIN.match(act.question_text(activity))
    if not match:
        return None
    rest = match.group(1).strip()
    verb = rest.split()[0].lower() if rest else "help"
    return rest if verb in _VERBS else None


def _text(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text, "textFormat": "markdown"}


def _kinds(app: App) -> dict[str, list[tuple[str, bool]]]:
    return {kind: app.admin.kind_fields(kind) for kind in sorted(app.admin.kinds)}


async def teams_access(app: App, activity: dict[str, Any], members: Sequence[Member] | None = None) -> Access:
    """Groups and sources for a Teams question (see :mod:`bot.conversation.access`). In channels and group
    chats pass the roster as ``members``; without it only documents open to everyone are used."""

    async def roster() -> Sequence[Member] | None:
        return members

    request = teams_ask_request(activity, "", roster)
    return await app.access.resolve(
        user_id=request.user_id, email=request.email, display_name=request.display_name, context=request.context()
    )


async def handle_admin_command(app: App, activity: dict[str, Any]) -> dict[str, Any] | None:
    """Reply activity for an ``admin ...`` message, or None when it is not one."""
    command = admin_command_text(activity)
    if command is None:
        return None
    personal = act.conversation_type(activity) == "personal"
    if not personal and not command.lower().startswith("channel"):
        return _text("Admin commands work in a 1:1 chat with me (except `admin channel ...`).")
    try:
        reply = await run_admin_command(
            app.admin,
            teams_actor(activity),
            command,
            channel=None if personal else ("teams", teams_channel_id(activity)),
            answers=app.verified,
        )
    except KbotError as exc:
        return _text(exc.user_message)
    if reply.open_add_form:
        return cards.card_activity(cards.add_source_card(_kinds(app)))
    return cards.card_activity(cards.reply_card(reply))


async def handle_admin_card_action(app: App, activity: dict[str, Any]) -> dict[str, Any] | None:
    """Admin card buttons. ``invoke`` (Action.Execute) -> invoke response body; ``message`` with a
    ``value`` (Action.Submit) -> reply activity. None when the action is not an admin one."""
    if activity.get("type") == "invoke" and activity.get("name") == "adaptiveCard/action":
        action = (activity.get("value") or {}).get("action") or {}
        verb, data = action.get("verb"), action.get("data") or {}
    elif activity.get("type") == "message" and isinstance(activity.get("value"), dict):
        data = activity["value"]
        verb = data.get("verb") or data.get("kbot_admin")
    else:
        return None
    if verb not in (cards.SYNC_VERB, cards.ADD_VERB, cards.OPEN_ADD_VERB):
        return None
    content = await _run_card_action(app, teams_actor(activity), str(verb), data)
    if activity.get("type") == "invoke":
        return {"statusCode": 200, "type": cards.ADAPTIVE_CARD, "value": content}
    return cards.card_activity(content)


async def _run_card_action(app: App, actor: Actor, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    service = app.admin
    if verb == cards.SYNC_VERB:
        try:
            note = await service.sync_now(actor, str(data.get("source") or ""))
        except KbotError as exc:
            note = exc.user_message
        if not await service.is_admin(actor):
            return cards.card([{"type": "TextBlock", "text": note, "wrap": True}])
        return cards.health_card(await service.health(actor), note)
    if verb == cards.OPEN_ADD_VERB:
        try:
            await service.require_admin(actor, "sources.add")
        except KbotError as exc:
            return cards.card([{"type": "TextBlock", "text": exc.user_message, "wrap": True}])
        return cards.add_source_card(_kinds(app))
    values = {k: str(data.get(k) or "") for k in ("kind", "name", "settings", "audience", "schedule")}
    try:
        settings = parse_settings_pairs([ln for ln in values["settings"].splitlines() if ln.strip()])
        source = await service.add_source(
            actor,
            kind=values["kind"],
            name=values["name"],
            settings=settings,
            audience=[g for g in values["audience"].split(",") if g.strip()],
            schedule=values["schedule"] or None,
        )
    except InputError as exc:
        return cards.add_source_card(_kinds(app), {**values, "settings": ""}, error=exc.user_message)
    except KbotError as exc:
        return cards.card([{"type": "TextBlock", "text": exc.user_message, "wrap": True}])
    return cards.health_card(await service.health(actor), f"Source {source.name} ({source.kind}) added.")

