"""The table of source kinds: each row (:class:`ingest.kinds.SourceKind`) comes from the kind's module.

``kbot sources add`` validates settings against the kind's model; the worker builds connectors and
records where each source lives through it. Adding a kind = writing ``ingest/connectors/<kind>.py``
with its ``KIND`` and listing it here. The kinds' modules never import this one.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bot.errors import InputError
from bot.models import Source
from ingest.connectors import confluence, folder, mediawiki, sharepoint
from ingest.interfaces import Connector
from ingest.kinds import ConnectorContext, SourceKind, SourceSettings

KINDS: dict[str, SourceKind[Any]] = {
    kind.name: kind for kind in (folder.KIND, sharepoint.KIND, confluence.KIND, mediawiki.KIND)
}
# kind -> settings model: what the admin validation (bot.admin.validation.SourceKinds) reads.
SOURCE_KINDS: dict[str, type[SourceSettings]] = {name: kind.settings for name, kind in KINDS.items()}


def source_kind(kind: str) -> SourceKind[Any]:
    found = KINDS.get(kind)
    if found is None:
        raise InputError(f"unknown source kind '{kind}' (one of: {', '.join(sorted(KINDS))})")
    return found


def validate_settings(kind: str, settings: dict[str, Any]) -> SourceSettings:
    """Typed settings for ``kind``; an InputError with a one-line message when invalid."""
    model = source_kind(kind).settings
    try:
        return model.model_validate(settings)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or kind}: {err['msg']}" for err in exc.errors())
        raise InputError(f"invalid {kind} settings: {problems}") from None


def source_location(source: Source) -> str | None:
    """Where the source's documents live (a path or URL), as its kind states it."""
    kind = source_kind(source.kind)
    return kind.location(validate_settings(source.kind, source.settings))


async def build_connector(source: Source, ctx: ConnectorContext) -> Connector:
    kind = source_kind(source.kind)
    return await kind.build(source, validate_settings(source.kind, source.settings), ctx)
