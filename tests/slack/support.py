"""Test harness for the Slack adapter: fakes for the core, HMAC signing, and a running server.

``SlackHarness`` starts the fake Slack Web API and the real ``kbot serve`` aiohttp app on
127.0.0.1 and posts signed requests to it. Shared by tests/slack and bench/slack_burst.py.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from adapters.server import SLACK_BOLT, build_web_app
from adapters.slack.context import slack_context
from adapters.wiring import App, AppOverrides
from bot.models import Answer, Citation, Feedback, Question
from bot.ports import AnswerDelta
from bot.settings import load_settings
from tests.payloads import PAYLOADS
from tests.payloads import load as load_payload
from tests.slack.fake_slack_api import FakeSlackApi

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
FIXTURES = PAYLOADS / "slack"  # the project's own Slack payloads (tests/payloads/README.md)


def fixture(name: str) -> dict[str, Any]:
    return load_payload("slack", name)


class FakeAnswerer:
    """Answers with two citations; questions containing "unknown" are not found."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.questions: list[Question] = []

    async def answer(self, question: Question) -> Answer:
        self.questions.append(question)
        if self.delay:
            await asyncio.sleep(self.delay)
        if "unknown" in question.text.lower():
            return Answer(text="", grounded=False)
        when = datetime(2024, 5, 1, tzinfo=UTC)
        return Answer(
            text=f"Answer to: {question.text}. See **the handbook** [1].",
            grounded=True,
            citations=[
                Citation("Leave policy", "https://wiki.example.com/leave", "Staff get 25 days.", 0.9, when),
                Citation("HR handbook", "https://wiki.example.com/hr?a=1&b=2", "Ask HR.", 0.7, None),
            ],
        )


class StreamingFakeAnswerer(FakeAnswerer):
    async def stream(self, question: Question) -> AsyncIterator[AnswerDelta | Answer]:
        answer = await self.answer(question)
        words = answer.text.split(" ")
        for i, word in enumerate(words):
            yield AnswerDelta(word + (" " if i < len(words) - 1 else ""))
        yield answer


class RecordingFeedback:
    def __init__(self) -> None:
        self.items: list[Feedback] = []

    async def record_feedback(self, feedback: Feedback) -> None:
        self.items.append(feedback)


def signed_headers(
    body: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    content_type: str = "application/json",
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or "",
        "Content-Type": content_type,
    }


class SlackHarness:
    """Fake Slack API + running kbot web app; ``post_*`` send signed requests and return the response."""

    def __init__(
        self,
        answerer: Any = "fake",
        summarizer: Any = None,
        experts_channel: str | None = None,
        settings: dict[str, Any] | None = None,
        overrides: AppOverrides | None = None,
        **components: Any,
    ) -> None:
        """``settings``: extra Settings fields (the bench points ``kbot_db`` at a temp dir).
        ``answerer=None``: the App builds the real one (from ``overrides``/settings); ``components``:
        more :class:`AppOverrides` fields."""
        self.api = FakeSlackApi()
        self.answerer = FakeAnswerer() if answerer == "fake" else answerer
        self._overrides = overrides or AppOverrides()
        self.feedback = RecordingFeedback()
        self._summarizer = summarizer
        self._experts = experts_channel
        self._components = components
        self._settings = settings or {}
        self._runner: web.AppRunner | None = None
        self.session: aiohttp.ClientSession | None = None
        self.port = 0

    async def __aenter__(self) -> SlackHarness:
        await self.api.start()
        settings = load_settings(
            _env_file=None,  # never a developer's .env
            **self._settings,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=self.api.api_url,
            kbot_experts_channel=self._experts,
        )
        if self._summarizer is None:
            from bot.summarizing.extractive import ExtractiveSummarizer
            from tests.fakes import HashEmbedder

            self._summarizer = ExtractiveSummarizer(HashEmbedder())
        self.app = App(
            settings,
            replace(
                self._overrides,
                answerer=self.answerer or self._overrides.answerer,
                summarizer=self._summarizer,
                feedback=self.feedback,
                **self._components,
            ),
        )
        self.web_app = build_web_app(self.app)
        self.bolt = self.web_app[SLACK_BOLT]
        self._runner = web.AppRunner(self.web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.bolt is not None:
            await slack_context(self.bolt).inflight.wait_idle(5)
        if self.session:
            await self.session.close()
        if self._runner:
            await self._runner.cleanup()
        await self.api.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def settle(self) -> None:
        assert self.bolt is not None
        assert await slack_context(self.bolt).inflight.wait_idle(10), "lazy listeners still running"

    async def post_raw(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        assert self.session is not None
        async with self.session.post(f"{self.url}/slack/events", data=body.encode(), headers=headers) as resp:
            return resp.status, await resp.text()

    async def post_event(
        self, payload: dict[str, Any], *, retry: int | None = None, timestamp: int | None = None
    ) -> tuple[int, str]:
        body = json.dumps(payload)
        headers = signed_headers(body, timestamp=timestamp)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post_raw(body, headers)

    async def post_form(self, fields: dict[str, str]) -> tuple[int, str]:
        body = urlencode(fields)
        return await self.post_raw(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))

    async def post_interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.post_form({"payload": json.dumps(payload)})
