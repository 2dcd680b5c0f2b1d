"""Fixtures: the fakes every replica talks to, a state store (SQLite file or a moto DynamoDB server),
and a pair of running ``kbot serve`` replicas ``A`` and ``B`` on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from bot.state import ConversationState
from tests.bedrock.fake_bedrock import FakeBedrock
from tests.bedrock.replies import converse_reply, converse_stream, kb_result, retrieve_reply
from tests.fakes import ONE_FAIR_USE_WINDOW
from tests.replicas.cluster import (
    Client,
    Replica,
    dynamodb_state_env,
    replica_env,
    start_replica,
    stop_replicas,
    wait_healthy,
)
from tests.slack.fake_slack_api import FakeSlackApi
from tests.state.atomic_moto import atomic_moto_writes

LAPTOP = kb_result(
    "Request a laptop in the IT portal; refreshes happen every three years.",
    uri="https://it.example.com/kb/laptops",
    title="Laptop requests",
    score=0.8,
)
ANSWER = "Request it in the IT portal [1]."


def script_answers(fake: FakeBedrock, count: int) -> None:
    """Enough scripted Bedrock replies for ``count`` answers (unused ones are harmless)."""
    fake.script("Retrieve", *[retrieve_reply(LAPTOP) for _ in range(count)])
    fake.script("ConverseStream", *[converse_stream(["Request it in the ", "IT portal [1]."]) for _ in range(count)])
    fake.script("Converse", *[converse_reply("how do I request a laptop") for _ in range(count)])


@dataclass
class Cluster:
    a: Replica
    b: Replica
    slack: FakeSlackApi
    bedrock: FakeBedrock
    client: Client
    tmp: Path
    state_env: dict[str, str] = field(default_factory=dict)

    @property
    def db(self) -> Path:
        return self.tmp / "kbot.db"

    def state(self) -> ConversationState:
        """The replicas' shared state store, opened by the test (to wait for what a replica keeps)."""
        table = self.state_env.get("KBOT_STATE_TABLE")
        if not table:
            from adapters.state.sqlite_state import SqliteConversationState

            return SqliteConversationState(self.db)
        import boto3

        from adapters.state.dynamodb_state import DynamoConversationState

        client = boto3.client(
            "dynamodb",
            endpoint_url=self.state_env["AWS_ENDPOINT_URL_DYNAMODB"],
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLETEST",
            aws_secret_access_key="test-secret-key",
        )
        return DynamoConversationState(table, client=client)


@pytest.fixture
def moto_dynamodb() -> Iterator[str]:
    """moto's server mode on 127.0.0.1 (the replicas are separate processes: in-process mocks can't reach them)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    with atomic_moto_writes():  # its threads serve the replicas' racing claims
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()


@pytest.fixture(params=["sqlite", "dynamodb"])
def state_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Where the replicas keep their state: ``KBOT_DB`` (nothing to set), or a fresh moto table."""
    if request.param == "sqlite":
        return {}
    return dynamodb_state_env(request.getfixturevalue("moto_dynamodb"))


@pytest.fixture
async def cluster(tmp_path: Path, state_env: dict[str, str]) -> AsyncIterator[Cluster]:
    slack = await FakeSlackApi().start()
    slack.errors["chat.startStream"] = "feature_not_enabled"  # one chat.postMessage per answer: easy to count
    bedrock = FakeBedrock()
    await bedrock.start()
    env = replica_env(
        tmp_path,
        slack_api=slack.api_url,
        bedrock=bedrock.url,
        KBOT_CLAIM_LEASE_SECONDS="2",
        KBOT_FAIR_USE_QUESTIONS="3",
        KBOT_FAIR_USE_WINDOW_SECONDS=str(ONE_FAIR_USE_WINDOW),
        **state_env,
    )
    replicas = [await start_replica("A", env, tmp_path), await start_replica("B", env, tmp_path)]
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
    try:
        await wait_healthy(replicas)
        yield Cluster(replicas[0], replicas[1], slack, bedrock, Client(session), tmp_path, state_env)
    finally:
        await session.close()
        await stop_replicas(replicas)
        await slack.stop()
        await bedrock.stop()
