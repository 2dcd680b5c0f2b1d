"""Slack admin surfaces: ``/kbot-admin``, the "add source" modal, "Sync now" buttons, App Home.

Translation only: every action goes through :class:`bot.admin.service.AdminService`, which
checks admin rights server-side and audits. Non-admins get a short refusal (and are audited).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import admin_views as views
from adapters.slack.access import user_email
from adapters.slack.admin_modal import ack_within, open_then_authorize
from adapters.slack.context import SLACK_ERRORS, user_error_text
from adapters.wiring import App
from bot.admin.commands import AdminReply, run_admin_command
from bot.admin.models import Actor
from bot.admin.validation import parse_settings_pairs
from bot.errors import InputError, KbotError

log = logging.getLogger(__name__)
COMMAND = "/kbot-admin"


async def slack_actor(client: AsyncWebClient, user_id: str) -> Actor:
    """The acting Slack user; the email (``users:read.email``) lets KBOT_ADMINS list emails."""
    return Actor(user_id, "slack", email=await user_email(client, user_id))


def reply_blocks(reply: AdminReply) -> list[dict[str, Any]]:
    if reply.health is not None:
        return views.health_blocks(reply.health)
    if reply.sources is not None:
        return views.sources_blocks(reply.sources)
    if reply.admins is not None:
        lines = [
            f"• {a.user} ({'KBOT_ADMINS' if a.added_by == 'KBOT_ADMINS' else 'added by ' + a.added_by})"
            for a in reply.admins
        ]
        return [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines) or "No admins."}}]
    text = views.USAGE if reply.usage else reply.text
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


def _modal_error_block(message: str) -> str:
    lowered = message.lower()
    for needle, block in (
        ("source name", "name"),
        ("already exists", "name"),
        ("source kind", "kind"),
        ("schedule", "schedule"),
        ("audience", "audience"),
    ):
        if needle in lowered:
            return block
    return "settings"


def _tracked(bolt: AsyncApp, func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Count a lazy listener in the Slack adapter's in-flight work (``bolt.kbot``, set after us)."""

    @functools.wraps(func)
    async def run(**kwargs: Any) -> Any:
        ctx = getattr(bolt, "kbot", None)
        if ctx is None:
            return await func(**kwargs)
        return await ctx.inflight.track(func)(**kwargs)

    return run


def register_admin(bolt: AsyncApp, app: App) -> None:
    async def publish_home(client: AsyncWebClient, user_id: str) -> None:
        actor = await slack_actor(client, user_id)
        rows = await app.admin.health(actor) if await app.admin.is_admin(actor) else None
        await client.views_publish(user_id=user_id, view=views.home_view(rows))

    async def open_add_modal(client: AsyncWebClient, trigger_id: str, user_id: str) -> None:
        """The form opens first (the trigger lives 3 s); the admin check follows and may replace it."""
        kinds = {kind: app.admin.kind_fields(kind) for kind in sorted(app.admin.kinds)}

        async def authorize() -> None:
            await app.admin.require_admin(await slack_actor(client, user_id), "sources.add")

        await open_then_authorize(client, trigger_id, views.add_source_modal(kinds), authorize)

    async def ack_command(ack: AsyncAck) -> None:
        await ack()

    async def admin_command(command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        try:
            if str(command.get("text") or "").strip().lower() == "add":
                await open_add_modal(client, str(command.get("trigger_id")), str(command.get("user_id")))
                return
            actor = await slack_actor(client, str(command.get("user_id")))
            channel = str(command.get("channel_id") or "")
            reply = await run_admin_command(
                app.admin,
                actor,
                str(command.get("text") or ""),
                channel=("slack", channel) if channel else None,
                answers=app.verified,
            )
            if reply.open_add_form:
                await open_add_modal(client, str(command.get("trigger_id")), actor.user_id)
                return
            await respond(
                text=reply.text or "kbot admin",
                blocks=reply_blocks(reply),
                response_type="ephemeral",
                replace_original=False,
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes a short private reply
            log.info("admin command failed: %s", exc, exc_info=not isinstance(exc, KbotError))
            await respond(text=user_error_text(exc), response_type="ephemeral", replace_original=False)

    async def sync_button(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        user_id = str((body.get("user") or {}).get("id"))
        try:
            message = await app.admin.sync_now(await slack_actor(client, user_id), str(action.get("value")))
        except Exception as exc:  # noqa: BLE001
            message = user_error_text(exc)
        if (body.get("view") or {}).get("type") == "home":
            await publish_home(client, user_id)
            await client.chat_postMessage(channel=user_id, text=message)
        else:
            await respond(text=message, response_type="ephemeral", replace_original=False)

    async def open_add_button(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_add_modal(client, str(body.get("trigger_id")), str((body.get("user") or {}).get("id")))

    async def submit_add(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        user_id = str((body.get("user") or {}).get("id"))

        async def added() -> None:
            text = f"Source {values.get('name')} ({values.get('kind')}) added."
            await client.chat_postMessage(channel=user_id, text=text)
            await publish_home(client, user_id)

        async def late_error(errors: dict[str, Any]) -> None:
            detail = "; ".join(str(v) for v in (errors.get("errors") or {}).values())
            await client.chat_postMessage(channel=user_id, text=f"The source was not added: {detail}")

        values = views.modal_values(view)
        await ack_within(ack, add(user_id, values, client), then=added, late_error=late_error)

    async def add(user_id: str, values: dict[str, str], client: AsyncWebClient) -> dict[str, Any] | None:
        """The submission's outcome: ``response_action: errors`` for the ack, or None once added."""
        actor = await slack_actor(client, user_id)
        try:
            settings = parse_settings_pairs([line for line in values.get("settings", "").splitlines() if line.strip()])
            source = await app.admin.add_source(
                actor,
                kind=values.get("kind", ""),
                name=values.get("name", ""),
                settings=settings,
                audience=[g for g in values.get("audience", "").split(",") if g.strip()],
                schedule=values.get("schedule") or None,
            )
        except InputError as exc:
            return {"response_action": "errors", "errors": {_modal_error_block(str(exc)): str(exc)[:150]}}
        except KbotError as exc:
            return {"response_action": "errors", "errors": {"name": exc.user_message[:150]}}
        log.info("source %s (%s) added from the Slack modal", source.name, source.kind)
        return None

    async def home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        try:
            await publish_home(client, str(event.get("user")))
        except (KbotError, *SLACK_ERRORS):
            log.warning("could not publish the App Home view", exc_info=True)

    bolt.command(COMMAND)(ack=ack_command, lazy=[_tracked(bolt, admin_command)])
    bolt.action(views.SYNC_ACTION)(sync_button)
    bolt.action(views.OPEN_ADD_ACTION)(open_add_button)
    bolt.view(views.ADD_CALLBACK)(submit_add)
    bolt.event("app_home_opened")(home_opened)
