"""Fixtures for the admin area: both config stores (one contract), a service with real kinds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from adapters.config_store.dynamodb_config import DynamoConfigRepository
from adapters.config_store.sqlite_config import SqliteConfigRepository
from bot.admin.models import Actor
from bot.admin.ports import ConfigRepository
from bot.admin.service import AdminService
from ingest.registry import SOURCE_KINDS


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


@pytest.fixture(params=["sqlite", "dynamodb"])
async def config_repo(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ConfigRepository]:
    if request.param == "sqlite":
        repo = SqliteConfigRepository(tmp_path / "kbot.db")
        yield repo
        await repo.close()
        return
    request.getfixturevalue("aws_env")
    client = boto3.client("dynamodb", region_name="us-east-1")
    dynamo = DynamoConfigRepository("kbot-config-test", client=client)
    await dynamo.ensure_table()
    yield dynamo


ADMIN = Actor("UADMIN1", "slack")
USER = Actor("UUSER1", "slack", email="user@example.com")
CLI = Actor("cli:tester", "cli")


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[ConfigRepository]:
    """The SQLite store, for service-level tests (the contract suite covers both stores)."""
    sqlite = SqliteConfigRepository(tmp_path / "kbot.db")
    yield sqlite
    await sqlite.close()


@pytest.fixture
def service(repo: ConfigRepository) -> AdminService:
    return AdminService(repo, bootstrap_admins={"uadmin1"}, kinds=SOURCE_KINDS)
