"""``kbot serve`` as a real process with Slack-only settings: every unsigned Teams activity is refused,
nothing is configured and nothing is audited as an admin. And the emulator mode will not bind a
public interface."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import sys
from pathlib import Path

import aiohttp

from tests.security.teams_activities import ADMIN_AAD, hostile_activities


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KBOT_", "MICROSOFT_APP"))}
    return env | {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "KBOT_DB": str(tmp_path / "kbot.db"),
        "KBOT_ADMINS": ADMIN_AAD,
        **extra,
    }


async def _kbot(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli.main", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


def _rows(db: Path, sql: str) -> list[tuple]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        try:
            return list(conn.execute(sql))
        except sqlite3.OperationalError:  # table not created yet: nothing stored
            return []


async def test_slack_only_serve_refuses_every_unsigned_teams_activity(tmp_path: Path) -> None:
    env = _env(tmp_path)
    added = await _kbot("sources", "add", "folder", "handbook", "--set", f"path={tmp_path}", env=env)
    assert await asyncio.wait_for(added.wait(), 60) == 0
    db = tmp_path / "kbot.db"
    sources_before = _rows(db, "SELECT * FROM cfg_sources ORDER BY name")
    assert len(sources_before) == 1
    audit_before = _rows(db, "SELECT * FROM cfg_audit")
    port = _free_port()
    proc = await _kbot("serve", "--port", str(port), "--host", "127.0.0.1", env=env)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            for _ in range(150):  # bounded: up to ~30 s for imports on a slow machine
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        assert resp.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.2)
            for name, activity in hostile_activities(folder="/etc").items():
                async with session.post(
                    f"http://127.0.0.1:{port}/api/messages",
                    data=json.dumps(activity),
                    headers={"Content-Type": "application/json"},
                ) as resp:
                    assert resp.status in (401, 404), name
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert _rows(db, "SELECT * FROM cfg_sources ORDER BY name") == sources_before
    assert _rows(db, "SELECT * FROM cfg_audit") == audit_before


async def test_emulator_mode_refuses_a_public_bind(tmp_path: Path) -> None:
    proc = await _kbot("serve", "--port", str(_free_port()), "--host", "0.0.0.0",
                       env=_env(tmp_path, KBOT_TEAMS_EMULATOR="1"))
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode != 0
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "127.0.0.1" in lines[0] and "Traceback" not in err.decode()
