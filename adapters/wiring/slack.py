"""The Slack side of the composition root: the slack-bolt AsyncApp over the App's services."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from adapters.slack.admin import register_admin
from adapters.slack.client import build_web_client
from adapters.slack.commands import register_commands
from adapters.slack.context import SlackContext
from adapters.slack.dedupe import SeenEvents, dedupe_middleware
from adapters.slack.events import register_assistant, register_events
from adapters.slack.feedback import register_feedback
from adapters.slack.verified import register_verified
from adapters.wiring.app import App
from bot.errors import ConfigError

log = logging.getLogger(__name__)


def build_slack_app(app: App, *, socket_mode: bool = False) -> AsyncApp:
    """The bolt app: signature checks, retry dedupe, then listeners. Work runs after the ack (lazy).

    ``bolt.kbot`` holds the adapter state (:class:`SlackContext`); ``bolt.kbot_seen`` the retry claims
    (in the shared state store, so retries landing on another replica are dropped too).
    """
    settings = app.settings
    if settings.slack_bot_token is None:
        raise ConfigError("Slack needs SLACK_BOT_TOKEN (the xoxb- bot token)")
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    if not secret and not socket_mode:
        raise ConfigError("Slack needs SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)")
    bolt = AsyncApp(
        client=build_web_client(settings),
        signing_secret=secret,
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        # Not "kbot": bolt pins its app logger's level on every request, and a logger named "kbot"
        # would silence kbot.* INFO events (answer metrics, token usage) under it.
        name="kbot-slack",
    )
    ctx = SlackContext(app=app)
    seen = SeenEvents(app.state, lease_seconds=settings.kbot_claim_lease_seconds)
    bolt.kbot = ctx  # type: ignore[attr-defined]
    bolt.kbot_seen = seen  # type: ignore[attr-defined]
    bolt.middleware(dedupe_middleware(seen))
    register_assistant(bolt, ctx)
    register_commands(bolt, ctx)
    register_feedback(bolt, ctx)
    register_verified(bolt, ctx)
    register_admin(bolt, app)
    register_events(bolt, ctx)  # last: it ends with the catch-all that acks unknown event types
    return bolt
