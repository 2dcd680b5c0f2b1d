"""Several real ``kbot serve`` processes on one state store, behind no load balancer: the test sends
each request to the replica it wants. Shared by tests/replicas and bench/replicas.py.

Backend: ``KBOT_BACKEND=bedrock`` (Converse mode) against the local fake Bedrock endpoint; Slack
against the local fake Web API; Teams in emulator mode (loopback, unauthenticated) against a fake
Bot Connector. The store: the SQLite file ``KBOT_DB``, or DynamoDB (``KBOT_STATE_TABLE``) at a
moto server given by ``AWS_ENDPOINT_URL_DYNAMODB``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.bedrock.conftest import aws_env
from tests.slack.fake_slack_api import BOT_USER_ID
from tests.slack.support import BOT_TOKEN, SIGNING_SECRET, signed_headers

REPO = Path(__file__).resolve().parents[2]
KB_ID = "KBREPLICA1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def replica_env(tmp: Path, *, slack_api: str, bedrock: str, **extra: str) -> dict[str, str]:
    drop = ("SLACK_", "KBOT_", "MICROSOFT_APP", "AWS_", "BEDROCK_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(aws_env(bedrock, tmp))
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api,
            "KBOT_DB": str(tmp / "kbot.db"),
            "KBOT_BACKEND": "bedrock",
            "BEDROCK_KNOWLEDGE_BASE_ID": KB_ID,
            "BEDROCK_MAX_ATTEMPTS": "1",
            "KBOT_TEAMS_EMULATOR": "1",
            "KBOT_TEAMS_SERVICE_HOSTS": "127.0.0.1",
            "KBOT_TEAMS_STREAM_INTERVAL": "0.05",
            **extra,
        }
    )
    return env


def dynamodb_state_env(endpoint: str) -> dict[str, str]:
    """A fresh state table on the DynamoDB at ``endpoint`` (moto) and the env that points replicas at it."""
    import boto3

    table = f"kbot-state-{uuid.uuid4().hex[:8]}"  # a moto server keeps its tables while it runs
    boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLETEST",
        aws_secret_access_key="test-secret-key",
    ).create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in ("pk", "sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )
    return {"KBOT_STATE_TABLE": table, "AWS_ENDPOINT_URL_DYNAMODB": endpoint}


@dataclass
class Replica:
    name: str
    port: int
    proc: asyncio.subprocess.Process
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)


async def start_replica(name: str, env: dict[str, str], tmp: Path) -> Replica:
    port = free_port()
    log = tmp / f"replica-{name}.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "adapters.cli.main",
            "serve",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            env=env,
            cwd=tmp,
            stdout=out,
            stderr=out,
        )
    return Replica(name, port, proc, log)


async def wait_healthy(replicas: list[Replica], within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        for replica in replicas:
            while True:
                if replica.proc.returncode is not None:
                    raise AssertionError(f"replica {replica.name} exited: {replica.log.read_text()[-2000:]}")
                try:
                    async with session.get(f"{replica.url}/healthz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"replica {replica.name} not healthy: {replica.log.read_text()[-2000:]}")
                await asyncio.sleep(0.2)


async def stop_replicas(replicas: list[Replica]) -> None:
    for replica in replicas:
        if replica.proc.returncode is None:
            replica.proc.send_signal(signal.SIGTERM)
    for replica in replicas:
        try:
            await asyncio.wait_for(replica.proc.wait(), 30)
        except TimeoutError:
            replica.kill()
            await replica.proc.wait()


def mention(i: int, *, user: str | None = None, text: str | None = None) -> dict[str, Any]:
    """A signed-ready ``app_mention`` Events API payload (own thread per ``i``)."""
    ts = f"{1700000000 + i}.000100"
    return {
        "token": "verification-token-unused",
        "team_id": "T111",
        "api_app_id": "A111",
        "type": "event_callback",
        "event_id": f"EvReplica{i:05d}",
        "event_time": 1700000000 + i,
        "authed_users": [BOT_USER_ID],
        "event": {
            "type": "app_mention",
            "user": user or f"W{i:05d}",
            "text": f"<@{BOT_USER_ID}> {text or f'how do I request laptop number {i}?'}",
            "ts": ts,
            "event_ts": ts,
            "channel": "C111",
            "team": "T111",
        },
    }


def feedback_click(value: str, *, user: str, channel: str, message_ts: str, response_url: str) -> dict[str, Any]:
    """A ``block_actions`` payload for a 👍 on an answer (the message text left out: the record must tell)."""
    return {
        "type": "block_actions",
        "team": {"id": "T111", "domain": "example"},
        "user": {"id": user, "username": "dana", "team_id": "T111"},
        "api_app_id": "A111",
        "token": "verification-token-unused",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": "1.2.3",
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": message_ts, "text": ""},
        "response_url": response_url,
        "actions": [
            {
                "action_id": "kbot_feedback_up",
                "block_id": "kbot_feedback",
                "type": "button",
                "value": value,
                "action_ts": "1700000999.000100",
            }
        ],
    }


@dataclass
class Client:
    session: aiohttp.ClientSession
    latencies: list[float] = field(default_factory=list)

    async def event(self, replica: Replica, payload: dict[str, Any], retry: int | None = None) -> int:
        body = json.dumps(payload)
        headers = signed_headers(body)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        started = time.perf_counter()
        async with self.session.post(f"{replica.url}/slack/events", data=body, headers=headers) as resp:
            await resp.read()
            self.latencies.append(time.perf_counter() - started)
            return resp.status

    async def interaction(self, replica: Replica, payload: dict[str, Any]) -> int:
        from urllib.parse import urlencode

        body = urlencode({"payload": json.dumps(payload)})
        headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
        async with self.session.post(f"{replica.url}/slack/events", data=body, headers=headers) as resp:
            return resp.status

    async def teams(self, replica: Replica, activity: dict[str, Any]) -> int:
        async with self.session.post(f"{replica.url}/api/messages", json=activity) as resp:
            return resp.status
