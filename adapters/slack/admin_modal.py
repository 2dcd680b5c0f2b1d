"""Slack's clocks for the admin modal: a ``trigger_id`` is spent at once, a submission is acked in time.

- Triggers expire three seconds after the user's action and work once (https://api.slack.com/docs/triggers):
  ``views.open`` comes first; the admin check (``users.info`` for the email, the config store) runs after
  it and a refusal replaces the form (``views.update``).
- A ``view_submission`` must be acknowledged within three seconds
  (https://docs.slack.dev/surfaces/modals#handling_submissions); validation errors go in that ack
  (``response_action: errors``). Work that outlasts the budget closes the modal and reports by DM.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import KbotError

log = logging.getLogger(__name__)

ACK_BUDGET_SECONDS = 2.0  # leaves room for the network inside Slack's 3 s
_late: set[asyncio.Task[Any]] = set()


def notice_view(text: str, title: str = "kbot") -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title[:24]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}],
    }


async def open_then_authorize(
    client: AsyncWebClient, trigger_id: str, view: dict[str, Any], authorize: Callable[[], Awaitable[None]]
) -> None:
    """Open ``view`` with the fresh trigger, then ``authorize()``; a refusal replaces the form."""
    opened = await client.views_open(trigger_id=trigger_id, view=view)
    view_id = str((opened.get("view") or {}).get("id") or "")
    try:
        await authorize()
    except KbotError as exc:
        if view_id:
            await client.views_update(view_id=view_id, view=notice_view(exc.user_message))
        else:
            raise


async def ack_within(
    ack: AsyncAck,
    work: Coroutine[Any, Any, dict[str, Any] | None],
    *,
    then: Callable[[], Awaitable[None]],
    late_error: Callable[[dict[str, Any]], Awaitable[None]],
    budget: float = ACK_BUDGET_SECONDS,
) -> None:
    """``work`` returns the ack's error payload, or None on success (then ``then()`` runs after the ack).
    Past ``budget`` the modal is closed (plain ack) and the outcome is reported by ``late_error``/``then``."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=budget)
    if done:
        errors = task.result()
        await ack(**errors) if errors else await ack()
        if not errors:
            await then()
        return
    await ack()

    async def finish() -> None:
        try:
            errors = await task
        except Exception:  # noqa: BLE001 - logged; the modal is already closed
            log.exception("admin modal submission failed after the ack")
            return
        await (late_error(errors) if errors else then())

    late = asyncio.create_task(finish())
    _late.add(late)
    late.add_done_callback(_late.discard)


async def drain_late(seconds: float) -> None:
    """Shutdown: let submissions that outlasted the ack finish (bounded)."""
    if _late:
        await asyncio.wait(set(_late), timeout=seconds)
