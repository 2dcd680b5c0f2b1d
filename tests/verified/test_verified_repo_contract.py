"""Both verified-answer repositories keep the same contract (SQLite; DynamoDB under moto)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import boto3
import pytest

from adapters.config_store.dynamodb_config import DynamoConfigRepository
from adapters.config_store.dynamodb_verified import DynamoVerifiedRepository
from adapters.config_store.sqlite_verified import SqliteVerifiedRepository
from bot.verified.models import ExpertRequest, VerifiedAnswer
from bot.verified.ports import VerifiedRepository
from tests.admin.conftest import aws_env  # noqa: F401 - the fixture


@pytest.fixture(params=["sqlite", "dynamodb"])
async def repo(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[VerifiedRepository]:
    if request.param == "sqlite":
        sqlite = SqliteVerifiedRepository(tmp_path / "kbot.db")
        yield sqlite
        await sqlite.close()
        return
    request.getfixturevalue("aws_env")
    client = boto3.client("dynamodb", region_name="us-east-1")
    await DynamoConfigRepository("kbot-config-test", client=client).ensure_table()
    yield DynamoVerifiedRepository("kbot-config-test", client=client)


async def test_answers_round_trip_and_remove(repo: VerifiedRepository) -> None:
    answer = VerifiedAnswer("a1", "Q?", "A.", "dana", "slack:W2", audience=["hr"], review_by=date(2030, 1, 2))
    await repo.save_verified(answer)
    assert await repo.get_verified("a1") == answer
    assert await repo.list_verified() == [answer]
    assert await repo.remove_verified("a1") is True
    assert await repo.remove_verified("a1") is False
    assert await repo.get_verified("a1") is None


async def test_notification_is_claimed_once(repo: VerifiedRepository) -> None:
    await repo.save_expert_request(ExpertRequest("r1", "slack", "Q?", "W1", {"channel": "C1"}))
    assert (await repo.get_expert_request("r1")).notified is False  # type: ignore[union-attr]
    assert await repo.claim_notification("r1") is True
    assert await repo.claim_notification("r1") is False
    assert await repo.claim_notification("missing") is False
    assert (await repo.get_expert_request("r1")).notified is True  # type: ignore[union-attr]
