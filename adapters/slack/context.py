"""What every Slack handler shares: the wiring App, the adapter's small state, and how faults read."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.inflight import InFlight
from adapters.slack.records import AnswerRecords
from adapters.wiring import App
from bot.errors import KbotError

log = logging.getLogger(__name__)

SLACK_ERRORS = (SlackApiError, aiohttp.ClientError, TimeoutError)


@dataclass
class SlackContext:
    """The wiring App (its ``ask``/``summaries`` services do the work) and the adapter's own state."""

    app: App
    inflight: InFlight = field(default_factory=InFlight)
    user_names: dict[str, str] = field(default_factory=dict)
    # In the shared state store, so a button clicked on another replica finds the answer.
    records: AnswerRecords = field(init=False)

    def __post_init__(self) -> None:
        self.records = AnswerRecords(self.app.state)


def user_error_text(exc: BaseException) -> str:
    if isinstance(exc, KbotError):
        return exc.user_message
    return "Sorry, something went wrong while answering. Please try again later."


async def post_text(client: AsyncWebClient, channel: str, thread_ts: str | None, text: str) -> None:
    """A plain reply; failures are logged (there is nobody else to tell)."""
    try:
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
    except SLACK_ERRORS:
        log.warning("could not post to Slack channel %s", channel, exc_info=True)


def slack_context(bolt: AsyncApp) -> SlackContext:
    """The adapter state of a bolt app made by :func:`adapters.wiring.slack.build_slack_app`."""
    ctx = getattr(bolt, "kbot", None)
    if not isinstance(ctx, SlackContext):
        raise TypeError("not a kbot Slack app (build it with adapters.wiring.slack.build_slack_app)")
    return ctx
