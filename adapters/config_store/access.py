"""The adapters' entry to :func:`bot.admin.access.resolve_access`, with the App's parts plugged in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.admin.access import Access, AccessContext, resolve_access

if TYPE_CHECKING:
    from adapters.wiring import App


async def resolve_app_access(
    app: App,
    *,
    user_id: str,
    email: str | None = None,
    display_name: str | None = None,
    context: AccessContext,
) -> Access:
    """Groups and allowed sources for one question (Slack, Teams). See :mod:`bot.admin.access`."""
    stored = app.store if app.settings.kbot_backend == "embedded" else None
    return await resolve_access(
        app.config,
        app.groups,
        user_id=user_id,
        email=email,
        display_name=display_name,
        context=context,
        stored=stored,
    )
