"""Which Teams messages are questions for the bot.

With the RSC permission ``ChannelMessage.Read.Group`` (in the app manifest, for Graph thread reads),
Teams delivers *every* channel post to the bot, mentioned or not
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-messages-with-rsc).
In channels and group chats only a mention entity naming the bot (``mentioned.id == recipient.id``)
makes a question; an un-mentioned reply in a channel thread the bot already answered counts only when
the channel's follow-up setting is on (``adapters.channel_followups``; off by default in Teams).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from . import activity as act
from .memory import ConversationMemory

FollowupsOn = Callable[[dict[str, Any]], Awaitable[bool]]


def addressed_to_bot(activity: dict[str, Any]) -> bool:
    """1:1 chats always; elsewhere only when a mention entity names this bot."""
    if act.conversation_type(activity) == "personal":
        return True
    me = act.bot_id(activity)
    return bool(me) and any(act.as_dict(m.get("mentioned")).get("id") == me for m in act.mentions(activity))


def is_channel_thread(activity: dict[str, Any]) -> bool:
    return act.conversation_type(activity) == "channel" and ";messageid=" in act.conversation_id(activity)


async def should_answer(activity: dict[str, Any], memory: ConversationMemory, followups: FollowupsOn | None) -> bool:
    if addressed_to_bot(activity) or activity.get("value") is not None:  # value: a card's Action.Submit
        return True
    if followups is None or not is_channel_thread(activity) or not memory.turns(act.conversation_id(activity)):
        return False
    return await followups(activity)
