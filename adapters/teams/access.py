"""A Teams question as the core's :class:`bot.conversation.ask.AskRequest` (rules:
:mod:`bot.conversation.access`, applied by :class:`~bot.conversation.ask.AskService`).

1:1 chats use the asker's own groups. In group chats and channels everyone sees the answer, so only
groups *every* member has count: this module supplies the roster lookup (Bot Connector
``pagedmembers``; an unknown roster means public documents only). Teams has no private replies in
channels, so an ``ephemeral`` channel setting acts as ``members``.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.admin.models import Member
from bot.conversation.access import MemberLookup
from bot.conversation.ask import AskRequest

from . import activity as act
from .ports import Replier

log = logging.getLogger(__name__)

MAX_MEMBERS = 2000  # bigger rosters count as unknown: public documents only


def roster_id(activity: dict[str, Any]) -> str:
    """Whose members can read the answer: the team for a channel post, else the chat itself."""
    team = act.as_dict(act.as_dict(activity.get("channelData")).get("team")).get("id")
    if act.conversation_type(activity) == "channel" and team:
        return str(team)
    return act.conversation_id(activity).split(";messageid=")[0]


def channel_id(activity: dict[str, Any]) -> str:
    """The channel (or chat) an answer setting applies to: no ``;messageid=`` thread suffix."""
    channel = act.as_dict(act.as_dict(activity.get("channelData")).get("channel"))
    return str(channel.get("id") or act.conversation_id(activity).split(";")[0])


def teams_ask_request(
    activity: dict[str, Any],
    text: str,
    members: MemberLookup | None = None,
    *,
    conversation_id: str | None = None,
) -> AskRequest:
    """``members``: the roster lookup for group chats and channels (None there: public documents only)."""
    who = act.sender(activity)
    personal = act.conversation_type(activity) == "personal"

    async def unknown() -> list[Member] | None:
        return None

    return AskRequest(
        text,
        "teams",
        act.user_id(activity),
        email=who.get("email") or who.get("userPrincipalName"),
        display_name=who.get("name"),
        channel_id=None if personal else channel_id(activity),
        is_direct=personal,
        can_reply_privately=False,
        members=None if personal else (members or unknown),
        conversation_id=conversation_id,
    )


class TeamsAccess:
    """Builds the request for a question in ``activity``, with the roster fetched through ``replier``."""

    def request(
        self, activity: dict[str, Any], replier: Replier, text: str, *, conversation_id: str | None = None
    ) -> AskRequest:
        async def members() -> list[Member] | None:
            return await self._members(activity, replier, act.user_id(activity))

        return teams_ask_request(activity, text, members, conversation_id=conversation_id)

    async def _members(self, activity: dict[str, Any], replier: Replier, asker: str) -> list[Member] | None:
        try:
            roster = await replier.members(roster_id(activity), MAX_MEMBERS)
        except Exception as exc:  # noqa: BLE001 - any connector failure means "members unknown"
            log.info("teams: member list unavailable (%s): public documents only", type(exc).__name__)
            return None
        if roster is None:
            return None
        bot = act.bot_id(activity)
        members = []
        for member in roster:
            if member.get("id") == bot:
                continue
            user_id = str(member.get("aadObjectId") or member.get("id") or "")
            if user_id and user_id != asker:
                members.append(Member(user_id, member.get("email")))
        return members
