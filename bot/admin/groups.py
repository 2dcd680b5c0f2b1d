"""Who belongs to which ACL groups: a JSON mapping file, optionally Graph group membership.

``KBOT_USER_GROUPS_FILE`` holds ``{"<user id or email>": ["group", ...], "*": ["everyone-group"]}``;
keys are matched case-insensitively and ``"*"`` lists groups every person has. The file is
re-read when it changes, so admins can edit it without a restart.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from bot.admin.ports import GroupResolver
from bot.errors import ConfigError

log = logging.getLogger(__name__)


class FileGroupResolver:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._mtime: float | None = None
        self._mapping: dict[str, list[str]] = {}

    async def groups_for(self, user_id: str, email: str | None = None) -> list[str]:
        mapping = await asyncio.to_thread(self._load)
        groups = set(mapping.get("*", []))
        for key in (user_id, email):
            if key:
                groups.update(mapping.get(key.strip().lower(), []))
        return sorted(groups)

    def _load(self) -> dict[str, list[str]]:
        if self.path is None:
            return {}
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            raise ConfigError(f"KBOT_USER_GROUPS_FILE {self.path} does not exist") from None
        if mtime != self._mtime:
            self._mapping = parse_group_mapping(self.path.read_text(encoding="utf-8"), str(self.path))
            self._mtime = mtime
        return self._mapping


def parse_group_mapping(text: str, origin: str = "user groups") -> dict[str, list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{origin}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(g, str) for g in v) for v in data.values()
    ):
        raise ConfigError(f'{origin}: expected {{"user id or email": ["group", ...]}}')
    return {str(k).strip().lower(): [g.strip() for g in v if g.strip()] for k, v in data.items()}


MemberGroupsLookup = Callable[[str], Awaitable[list[str]]]


class GraphGroupResolver:
    """Group membership from Microsoft Graph (``lookup`` = user id/UPN -> group names), cached."""

    def __init__(self, lookup: MemberGroupsLookup, ttl_seconds: float = 600.0) -> None:
        self.lookup = lookup
        self.ttl = ttl_seconds
        self._cache: dict[str, tuple[float, list[str]]] = {}

    async def groups_for(self, user_id: str, email: str | None = None) -> list[str]:
        key = (email or user_id).strip().lower()
        hit = self._cache.get(key)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        try:
            groups = sorted(set(await self.lookup(key)))
        except Exception as exc:  # noqa: BLE001 - a lookup failure must narrow access, not widen it
            log.warning("graph group lookup failed; using no Graph groups", extra={"kb_error": str(exc)})
            return []
        self._cache[key] = (time.monotonic(), groups)
        return groups


class CombinedGroupResolver:
    """Union of several resolvers (e.g. the mapping file plus Graph membership)."""

    def __init__(self, resolvers: Sequence[GroupResolver]) -> None:
        self.resolvers = list(resolvers)

    async def groups_for(self, user_id: str, email: str | None = None) -> list[str]:
        results = await asyncio.gather(*(r.groups_for(user_id, email) for r in self.resolvers))
        return sorted({g for groups in results for g in groups})
