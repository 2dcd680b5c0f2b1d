"""Who is asking in Teams -> ACL groups and allowed sources (rules: :mod:`bot.admin.access`).

1:1 chats use the asker's own groups. In group chats and channels everyone sees the answer, so only
groups *every* member has count: this module fetches the roster from the Bot Connector
(``pagedmembers``; an unknown roster means public documents only) and hands it to
:func:`adapters.teams.admin.teams_access`, the one place Teams access is resolved.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.wiring import App
from bot.admin.access import Access
from bot.admin.models import Member

from . import activity as act
from .admin import teams_access
from .ports import Replier

log = logging.getLogger(__name__)

MAX_MEMBERS = 2000  # bigger rosters count as unknown: public documents only


def roster_id(activity: dict[str, Any]) -> str:
    """Whose members can read the answer: the team for a channel post, else the chat itself."""
    team = act.as_dict(act.as_dict(activity.get("channelData")).get("team")).get("id")
    if act.conversation_type(activity) == "channel" and team:
        return str(team)
    return act.conversation_id(activity).split(";messageid=")[0]


class TeamsAccess:
    def __init__(self, app: App) -> None:
        self.app = app

    async def resolve(self, activity: dict[str, Any], replier: Replier) -> Access:
        members = None
        if act.conversation_type(activity) != "personal":
            members = await self._members(activity, replier, act.user_id(activity))
        access = await teams_access(self.app, activity, members)
        log.debug("teams access for %s: %s", access.asker.user_id, access.reason)
        return access

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
