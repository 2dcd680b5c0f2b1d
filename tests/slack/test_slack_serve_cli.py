"""``kbot serve`` as a real process: serves /healthz and signed Slack events, stops cleanly on SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.slack.fake_slack_api import BOT_USER_ID, FakeSlackApi
from tests.slack.support import BOT_TOKEN, SIGNING_SECRET, fixture, signed_headers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(api_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KBOT_", "MICROSOFT_APP"))}
    return env | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "KBOT_DB": str(tmp_path / "kbot.db"),
    }


async def _kbot(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli.main",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_serve_answers_signed_events_and_stops_on_sigterm(payloads: None, tmp_path: Path) -> None:
    api = await FakeSlackApi().start()
    port = _free_port()
    proc = await _kbot("serve", "--port", str(port), "--host", "127.0.0.1", env=_env(api.api_url, tmp_path))
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            health = None
            for _ in range(150):  # up to ~30 s for imports on a slow machine
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        health = (resp.status, await resp.json())
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.2)
            assert health is not None and health[1].pop("surfaces")["slack"] == {"mounted": True, "mode": "http"}
            assert health == (200, {"status": "ok", "backend": "embedded", "slack": True, "documents": 0})
            async with session.get(f"http://127.0.0.1:{port}/livez") as resp:
                assert resp.status == 200
            payload = fixture("app_mention.json")
            payload["event"]["text"] = f"<@{BOT_USER_ID}> unknown thing?"  # not found: no model needed
            body = json.dumps(payload)
            async with session.post(
                f"http://127.0.0.1:{port}/slack/events", data=body, headers=signed_headers(body)
            ) as resp:
                assert resp.status == 200
            async with session.post(
                f"http://127.0.0.1:{port}/slack/events",
                data=body,
                headers=signed_headers(body, secret="forged"),
            ) as resp:
                assert resp.status == 401
        (post,) = await api.wait_for("chat.postMessage", within=20)
        assert post.args["thread_ts"] == payload["event"]["ts"] and post.args["channel"] == "C111"
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await api.stop()


async def test_serve_reports_a_busy_port_as_a_config_error() -> None:
    """main() turns ConfigError into one ``kbot: error: ...`` line and exit 1."""
    from adapters.cli.commands.serve import run
    from adapters.wiring import App
    from bot.errors import ConfigError
    from bot.settings import load_settings

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            await run(argparse.Namespace(port=port, host="127.0.0.1"), App(load_settings()))
    with pytest.raises(ConfigError, match="--port must be between 1 and 65535"):
        await run(argparse.Namespace(port=70000, host="127.0.0.1"), App(load_settings()))


async def test_serve_in_socket_mode_when_app_token_is_set(payloads: None, tmp_path: Path) -> None:
    api = await FakeSlackApi().start()
    env = _env(api.api_url, tmp_path) | {"SLACK_APP_TOKEN": "xapp-1-test"}
    del env["SLACK_SIGNING_SECRET"]  # not needed over the socket
    proc = await _kbot("serve", "--port", str(_free_port()), "--host", "127.0.0.1", env=env)
    try:
        await api.wait_for("socket_connect", within=30)
        (opened,) = api.of("apps.connections.open")
        assert opened.headers["Authorization"] == "Bearer xapp-1-test"
        payload = fixture("app_mention.json")
        payload["event"]["text"] = f"<@{BOT_USER_ID}> unknown thing?"
        await api.push_envelope("env-1", "events_api", payload)
        (ack,) = await api.wait_for("socket_ack", within=10)
        assert ack.args["envelope_id"] == "env-1"
        (post,) = await api.wait_for("chat.postMessage", within=20)
        assert post.args["thread_ts"] == payload["event"]["ts"]
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await api.stop()
