"""A Slack question as the core's :class:`bot.conversation.ask.AskRequest`: who asks (with their
profile email) and where, with this platform's channel-member lookup. The rules themselves
(:mod:`bot.conversation.access`) run inside :class:`~bot.conversation.ask.AskService`:

- direct messages and private replies (``/ask``): the asker's own groups;
- a public reply in a channel: only groups every channel member has (``conversations.members``,
  this bot excluded, fetched only when needed), or the asker's groups and a private reply when the
  channel's visibility setting is ``ephemeral``;
- sources: enabled sources, narrowed by the channel's settings.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.context import SLACK_ERRORS
from bot.admin.models import Member
from bot.conversation.ask import AskRequest
from bot.models import Turn

log = logging.getLogger(__name__)
MAX_MEMBERS = 2000  # larger channels count as "members unknown": public documents only
MAX_EMAIL_LOOKUPS = 200  # members of bigger channels are matched by user id only
_MEMBERS_TTL = 300.0
_EMAIL_TTL = 3600.0
# Per Web API client (one per workspace app), so apps and tests never share entries.
_caches: weakref.WeakKeyDictionary[AsyncWebClient, dict[str, tuple[float, Any]]] = weakref.WeakKeyDictionary()


def _cache(client: AsyncWebClient) -> dict[str, tuple[float, Any]]:
    return _caches.setdefault(client, {})


async def user_email(client: AsyncWebClient, user_id: str) -> str | None:
    """The profile email (``users:read.email``), cached; None when Slack will not say."""
    hit = _cache(client).get(f"email:{user_id}")
    if hit and time.monotonic() - hit[0] < _EMAIL_TTL:
        return hit[1]
    email = None
    try:
        resp = await client.users_info(user=user_id)
        email = ((resp.get("user") or {}).get("profile") or {}).get("email")
    except SLACK_ERRORS:
        log.info("users.info failed for %s: groups matched by user id only", user_id)
    _cache(client)[f"email:{user_id}"] = (time.monotonic(), email)
    return email


async def _members_with_emails(client: AsyncWebClient, ids: list[str]) -> list[Member]:
    if len(ids) > MAX_EMAIL_LOOKUPS:
        return [Member(m) for m in ids]
    limit = asyncio.Semaphore(8)

    async def one(member: str) -> Member:
        async with limit:
            return Member(member, await user_email(client, member))

    return list(await asyncio.gather(*(one(m) for m in ids)))


async def channel_members(client: AsyncWebClient, channel: str, bot_user_id: str | None) -> list[str] | None:
    """Member ids of ``channel`` without this bot; None when unknown (error or too many)."""
    hit = _cache(client).get(f"members:{channel}")
    if hit and time.monotonic() - hit[0] < _MEMBERS_TTL:
        return hit[1]
    members: list[str] | None = []
    cursor = None
    try:
        for _ in range(MAX_MEMBERS // 200 + 1):
            resp = await client.conversations_members(channel=channel, limit=200, cursor=cursor)
            members += [m for m in resp.get("members") or [] if m != bot_user_id]  # type: ignore[operator]
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        else:
            members = None
    except SLACK_ERRORS:
        log.info("conversations.members failed for %s: answering from public documents only", channel)
        members = None
    _cache(client)[f"members:{channel}"] = (time.monotonic(), members)
    return members


async def slack_ask_request(
    client: AsyncWebClient,
    text: str,
    *,
    user_id: str,
    channel: str,
    bot_user_id: str | None = None,
    private: bool = False,
    history: Sequence[Turn] = (),
    conversation_id: str | None = None,
) -> AskRequest:
    """A question asked in ``channel``; ``private``: the reply is ephemeral (only the asker sees it)."""

    async def members() -> list[Member] | None:
        ids = await channel_members(client, channel, bot_user_id)
        return None if ids is None else await _members_with_emails(client, ids)

    return AskRequest(
        text,
        "slack",
        user_id,
        email=await user_email(client, user_id),
        channel_id=channel,
        is_direct=channel.startswith("D"),
        private_reply=private,
        members=members,
        history=history,
        conversation_id=conversation_id,
    )
