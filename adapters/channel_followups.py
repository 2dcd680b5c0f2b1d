"""Follow-ups without a new @mention, in a thread the bot already answered: one channel setting
(``kbot channels set PLATFORM CHANNEL --followups on|off``) for Slack and Teams.

Defaults differ: Slack delivers thread replies to the bot only in channels it was invited to, and
people expect it to keep answering there; in Teams, where the RSC permission delivers every channel
post, answering un-mentioned posts would surprise the team, so it is off until an admin turns it on.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.errors import KbotError

log = logging.getLogger(__name__)

DEFAULTS = {"slack": True, "teams": False}


async def followups_on(config: Any, platform: str, channel_id: str) -> bool:
    """The channel's setting, else the platform's default (also when the store cannot be read)."""
    default = DEFAULTS.get(platform, False)
    try:
        channel = await config.get_channel(platform, channel_id)
    except KbotError as exc:
        log.warning("channel settings unreadable (%s); follow-ups %s", exc, "on" if default else "off")
        return default
    if channel is None or channel.followups is None:
        return default
    return bool(channel.followups)
