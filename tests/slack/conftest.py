"""Fixtures for the Slack adapter tests: a running kbot web app wired to a fake Slack API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.slack.support import FIXTURES, SlackHarness


@pytest.fixture
def payloads() -> None:
    """Slack payloads are the project's own files under tests/payloads/slack (always present)."""
    assert FIXTURES.is_dir(), FIXTURES


@pytest.fixture
async def slack(payloads: None) -> AsyncIterator[SlackHarness]:
    async with SlackHarness(experts_channel="CEXPERTS") as harness:
        yield harness
