"""Who is asking -> the ACL groups and sources an answer may draw on.

:class:`bot.conversation.ask.AskService` calls :func:`resolve_access` (through :class:`AccessResolver`)
for every question, from every front end, so permission rules live in one place:

- groups: the asker's groups; in a shared channel whose visibility is ``members``, only
  groups *every* member has (a conservative intersection); with ``ephemeral`` the asker's own
  groups, and the adapter must answer privately (``Access.ephemeral``).
- sources: enabled sources, narrowed to the channel's configured list. Disabled or removed
  sources are never passed, so they stop being cited at once. Sources that exist only in the
  local store (indexed ad hoc with ``kbot ingest``, never configured) stay allowed; without a
  store listing (Bedrock) and with no sources configured at all, every source is allowed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.admin.models import Member
from bot.admin.ports import ChannelSettingsRepository, GroupResolver
from bot.models import Asker, Question, Source, Turn
from bot.ports import SourceRepository


@dataclass(slots=True)
class Access:
    asker: Asker
    sources: list[str] | None
    ephemeral: bool = False
    reason: str = ""  # why groups were narrowed, for logs

    def question(self, text: str, *, history: Sequence[Turn] = (), conversation_id: str | None = None) -> Question:
        return Question(
            text=text,
            asker=self.asker,
            history=list(history),
            sources=self.sources,
            conversation_id=conversation_id,
        )


MemberLookup = Callable[[], Awaitable[Sequence[Member] | None]]
"""The channel's people (bots excluded), fetched by the front end only when the rules need them;
None: unknown (error, too many)."""


@dataclass(slots=True)
class AccessContext:
    """Where the question was asked. ``members`` are the channel's people (bots excluded), or
    ``member_lookup`` fetches them on demand; ``private_reply``: only the asker will see the answer."""

    platform: str
    channel_id: str | None = None
    is_direct: bool = True
    members: Sequence[Member] | None = field(default=None)
    private_reply: bool = False
    can_reply_privately: bool = True  # False (Teams channels): "ephemeral" falls back to "members"
    member_lookup: MemberLookup | None = None

    async def channel_members(self) -> Sequence[Member] | None:
        if self.members is None and self.member_lookup is not None:
            self.members = await self.member_lookup()
        return self.members


class StoredSources(Protocol):
    """The local store's per-source document counts (``SqliteStore.source_counts``)."""

    async def source_counts(self) -> dict[str, int]: ...


class ConfigForAccess(SourceRepository, ChannelSettingsRepository, Protocol):
    """The two repositories :func:`resolve_access` reads (one config store implements both)."""


async def resolve_access(
    repo: ConfigForAccess,
    groups: GroupResolver,
    *,
    user_id: str,
    email: str | None = None,
    display_name: str | None = None,
    context: AccessContext,
    stored: StoredSources | None = None,
    known_groups: Sequence[str] | None = None,
) -> Access:
    """``known_groups``: the asker's groups as stated by a trusted front end (``kbot ask --group``)."""
    asker_groups = list(known_groups) if known_groups is not None else await groups.groups_for(user_id, email)
    configured = await repo.list_sources()
    channel = None
    if context.channel_id and not context.is_direct:
        channel = await repo.get_channel(context.platform, context.channel_id)

    sources = await _allowed_sources(configured, stored)
    if channel is not None and channel.sources is not None:
        wanted = set(channel.sources)
        sources = sorted(wanted) if sources is None else [s for s in sources if s in wanted]

    asker = Asker(user_id=user_id, email=email, groups=asker_groups, display_name=display_name)
    if context.is_direct:
        return Access(asker, sources, reason="direct message")
    if context.private_reply:
        return Access(asker, sources, ephemeral=True, reason="private reply")
    if channel is not None and channel.visibility == "ephemeral" and context.can_reply_privately:
        return Access(asker, sources, ephemeral=True, reason="ephemeral channel")
    members = await context.channel_members()
    if members is None:
        asker.groups = []
        return Access(asker, sources, reason="channel members unknown: public documents only")
    shared = await _common_groups(groups, asker_groups, user_id, members)
    asker.groups = shared
    return Access(asker, sources, reason=f"shared channel: groups common to {len(members)} members")


async def _allowed_sources(configured: Sequence[Source], stored: StoredSources | None) -> list[str] | None:
    enabled = {s.name for s in configured if s.enabled}
    if stored is not None:
        unmanaged = set(await stored.source_counts()) - {s.name for s in configured}
        return sorted(enabled | unmanaged)
    return sorted(enabled) if configured else None


async def _common_groups(
    groups: GroupResolver, asker_groups: list[str], asker_id: str, members: Sequence[Member]
) -> list[str]:
    others = [m for m in members if m.user_id != asker_id]
    member_groups = await asyncio.gather(*(groups.groups_for(m.user_id, m.email) for m in others))
    common = set(asker_groups)
    for found in member_groups:
        common &= set(found)
    return sorted(common)


class AccessResolver(Protocol):
    """The port :class:`bot.conversation.ask.AskService` asks "who may read what" through."""

    async def resolve(
        self,
        *,
        user_id: str,
        email: str | None = None,
        display_name: str | None = None,
        context: AccessContext,
        known_groups: Sequence[str] | None = None,
    ) -> Access: ...


class ConfiguredAccess:
    """:class:`AccessResolver` over the config store, the group resolver and (embedded) the local store."""

    def __init__(self, repo: ConfigForAccess, groups: GroupResolver, stored: StoredSources | None = None) -> None:
        self.repo = repo
        self.groups = groups
        self.stored = stored

    async def resolve(
        self,
        *,
        user_id: str,
        email: str | None = None,
        display_name: str | None = None,
        context: AccessContext,
        known_groups: Sequence[str] | None = None,
    ) -> Access:
        return await resolve_access(
            self.repo,
            self.groups,
            user_id=user_id,
            email=email,
            display_name=display_name,
            context=context,
            stored=self.stored,
            known_groups=known_groups,
        )
