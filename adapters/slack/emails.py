"""Emails shared with the bot in a DM (``.eml`` / ``.msg``): download, parse, summarize, reply in thread.

Files are fetched from ``url_private`` with the bot token; the token is only sent to Slack's own
file hosts or to the configured ``SLACK_API_URL`` host (a local test server, GovSlack).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.parsing.email_parser import parse_email_file
from adapters.slack import blocks
from adapters.slack.context import SLACK_ERRORS, SlackContext, post_text, user_error_text
from bot.errors import InputError

log = logging.getLogger(__name__)

EMAIL_SUFFIXES = (".eml", ".msg")
_SLACK_FILE_HOSTS = ("slack.com", "slack-edge.com", "slack-gov.com", "slack-files.com")


def _may_send_token(url: str, api_url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    api_host = (urlparse(api_url).hostname or "").lower()
    return host == api_host or any(host == h or host.endswith("." + h) for h in _SLACK_FILE_HOSTS)


async def download(url: str, token: str | None, api_url: str, max_bytes: int) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise InputError("The file has no download link I can use.")
    headers = {"Authorization": f"Bearer {token}"} if token and _may_send_token(url, api_url) else {}
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url, headers=headers) as resp:
        if resp.status != 200:
            raise InputError(f"I couldn't download the file (HTTP {resp.status}).")
        data = await resp.content.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"The file is larger than {max_bytes // (1024 * 1024)} MB, too big for me to read.")
    return data


async def summarize_shared_emails(
    ctx: SlackContext,
    client: AsyncWebClient,
    event: dict[str, Any],
    files: list[dict[str, Any]],
    *,
    channel: str,
    thread_ts: str,
) -> None:
    settings = ctx.app.settings
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    max_bytes = settings.kbot_max_file_mb * 1024 * 1024
    for file in files[:3]:
        name = str(file.get("name") or "email")
        try:
            if int(file.get("size") or 0) > max_bytes:
                raise InputError(
                    f"{name} is larger than {settings.kbot_max_file_mb} MB, too big for me to read."
                )
            url = str(file.get("url_private_download") or file.get("url_private") or "")
            data = await download(url, token, settings.slack_api_url, max_bytes)
            conversation = await parse_email_file(data, name)
            summary = await ctx.app.summaries.summarize(conversation)
            title = f"Email summary: {conversation.title or name}"
            await client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=blocks.summary_fallback(summary, title),
                blocks=blocks.summary_blocks(summary, title),
                unfurl_links=False,
            )
        except SLACK_ERRORS:
            log.warning("could not post the email summary", exc_info=True)
        except Exception as exc:  # noqa: BLE001 - every fault becomes a short reply
            log.info("email summary failed for %s: %s", name, exc, exc_info=not isinstance(exc, InputError))
            text = user_error_text(exc)
            await post_text(client, channel, thread_ts, text if text.startswith(name) else f"{name}: {text}")
