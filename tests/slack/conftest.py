"""Fixtures for the Slack adapter tests: a running kbot web app wired to a fake Slack API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.slack.support import FIXTURES, SlackHarness


@pytest.fixture
def payloads() -> None:
    """Payload shapes come from the shared Slack fixtures (bolt-python's own test payloads)."""
    if not FIXTURES.is_dir():
        pytest.skip(f"shared Slack fixtures not found at {FIXTURES}")


@pytest.fixture
async def slack(payloads: None) -> AsyncIterator[SlackHarness]:
    async with SlackHarness(experts_channel="CEXPERTS") as harness:
        yield harness
