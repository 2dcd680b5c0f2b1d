"""Both conversation-state stores behind one fixture (SQLite file; DynamoDB via moto), with a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from adapters.state.dynamodb_state import DynamoConversationState
from adapters.state.sqlite_state import SqliteConversationState
from bot.state import ConversationState
from tests.state.atomic_moto import atomic_moto_writes


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws(), atomic_moto_writes():
        yield


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "dynamodb"])
async def state(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> AsyncIterator[ConversationState]:
    if request.param == "sqlite":
        sqlite = SqliteConversationState(tmp_path / "kbot.db", clock=clock)
        yield sqlite
        await sqlite.close()
        return
    request.getfixturevalue("aws_env")
    client = boto3.client("dynamodb", region_name="us-east-1")
    dynamo = DynamoConversationState("kbot-state-test", client=client, clock=clock)
    await dynamo.ensure_table()
    yield dynamo
