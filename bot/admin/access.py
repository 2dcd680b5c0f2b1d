"""Who is asking -> the ACL groups and sources an answer may draw on.

Chat adapters call :func:`resolve_access` for every question and build the
:class:`bot.models.Question` from the result, so permission rules live in one place:

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
from collections.abc import Sequence
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


@dataclass(slots=True)
class AccessContext:
    """Where the question was asked. ``members`` are the channel's people (bots excluded);
    ``private_reply``: only the asker will see the answer (an ephemeral ``/ask`` reply)."""

    platform: str
    channel_id: str | None = None
    is_direct: bool = True
    members: Sequence[Member] | None = field(default=None)
    private_reply: bool = False
    can_reply_privately: bool = True  # False (Teams channels): "ephemeral" falls back to "members"


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
) -> Access:
    asker_groups = await groups.groups_for(user_id, email)
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
    if context.members is None:
        asker.groups = []
        return Access(asker, sources, reason="channel members unknown: public documents only")
    shared = await _common_groups(groups, asker_groups, user_id, context.members)
    asker.groups = shared
    return Access(asker, sources, reason=f"shared channel: groups common to {len(context.members)} members")


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
