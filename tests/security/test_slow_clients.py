"""Issue 19 item 8: slow-loris clients: headers and bodies have read timeouts, connections are
capped, and /healthz keeps answering."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from adapters.server import HttpLimits, build_web_app, start_site
from adapters.wiring import App
from bot.settings import load_settings

LIMITS = HttpLimits(header_timeout_s=1.0, body_timeout_s=1.0, max_connections=8)


@pytest.fixture
async def server(tmp_path: Path):
    app = App(load_settings(kbot_db=tmp_path / "kbot.db", slack_bot_token="xoxb-1", slack_signing_secret="s3cret"))
    runner, port = await start_site(build_web_app(app), "127.0.0.1", 0, LIMITS)
    yield port
    await runner.cleanup()
    await app.aclose()


async def healthz(port: int) -> int:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
            return resp.status


async def half_open(port: int, data: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    return reader, writer


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    return await asyncio.wait_for(reader.read(), timeout=seconds)


async def test_slow_headers_are_cut_off_and_healthz_keeps_answering(server: int) -> None:
    slow = [await half_open(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ") for _ in range(20)]
    started = time.monotonic()
    assert await healthz(server) in (200, 503), "an answer, not a hang, while the slots are taken"
    assert time.monotonic() - started < 2
    for reader, _ in slow:
        await closed_within(reader, 5)  # the server hung up on every slow or refused client
    assert await healthz(server) == 200
    for _, writer in slow:
        writer.close()


async def test_slow_body_is_cut_off(server: int) -> None:
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    reader, writer = await half_open(server, head)
    started = time.monotonic()
    answer = await asyncio.wait_for(reader.read(200), timeout=5)
    assert time.monotonic() - started < 4
    assert answer.startswith(b"HTTP/1.1 408"), answer
    writer.close()
    assert await healthz(server) == 200
