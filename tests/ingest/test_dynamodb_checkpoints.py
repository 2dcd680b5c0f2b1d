"""Checkpoint stores: one contract for SQLite and DynamoDB (moto), plus the DynamoDB specifics.

On AWS every sync runs in a fresh Fargate task, so "reopened" below means a new store object (a new
task) reading what the previous one wrote.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from adapters.config_store.dynamodb_checkpoints import MAX_CHECKPOINT_BYTES, DynamoCheckpointStore
from adapters.config_store.dynamodb_config import DynamoConfigRepository
from adapters.store.checkpoints import SqliteCheckpointStore
from adapters.wiring import App
from bot.errors import StoreError
from bot.settings import load_settings
from ingest.pipeline import IngestPipeline
from tests.ingest.fakes import InjectedCrash, MemorySink, TextParser
from tests.ingest.worlds import World, make_world

TABLE = "kbot-config-test"
SHAREPOINT_STATE = {"delta": {"drive-1": "https://graph/delta?token=abc"}, "queue": ["drive-2"], "n": 3}


@pytest.fixture
def aws() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as env, mock_aws():
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.setenv(key, "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        yield


def dynamo_store() -> DynamoCheckpointStore:
    return DynamoCheckpointStore(TABLE, client=boto3.client("dynamodb", region_name="us-east-1"))


@pytest.fixture
async def dynamo(aws: None) -> DynamoCheckpointStore:
    store = dynamo_store()
    await store.ensure_table()
    return store


@pytest.fixture(params=["sqlite", "dynamodb"])
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Callable[[], Any]]:
    """A function opening a store on the same backing data each call (a new worker process/task)."""
    opened: list[Any] = []

    def open_store() -> Any:
        store = SqliteCheckpointStore(tmp_path / "kbot.db") if request.param == "sqlite" else dynamo_store()
        opened.append(store)
        return store

    if request.param == "dynamodb":
        request.getfixturevalue("aws")
        await dynamo_store().ensure_table()
    yield open_store
    for store in opened:
        await store.close()


# --- the contract, both stores ------------------------------------------------------------------
async def test_unknown_source_has_no_checkpoint(opener) -> None:
    assert await opener().load_checkpoint("never-synced") is None


async def test_round_trip_survives_a_new_store(opener) -> None:
    await opener().save_checkpoint("hr", SHAREPOINT_STATE)
    assert await opener().load_checkpoint("hr") == SHAREPOINT_STATE


async def test_overwrite_keeps_only_the_latest(opener) -> None:
    store = opener()
    await store.save_checkpoint("hr", {"after": "a.md"})
    await store.save_checkpoint("hr", {"after": "z.md", "unicode": "Übersicht ✓"})
    assert await opener().load_checkpoint("hr") == {"after": "z.md", "unicode": "Übersicht ✓"}


async def test_none_deletes_and_sources_are_independent(opener) -> None:
    store = opener()
    await store.save_checkpoint("hr", {"after": "a.md"})
    await store.save_checkpoint("eng", {"since": "2026-01-01T00:00:00Z"})
    await store.save_checkpoint("hr", None)
    await store.save_checkpoint("never-synced", None)  # deleting nothing is fine
    reopened = opener()
    assert await reopened.load_checkpoint("hr") is None
    assert await reopened.load_checkpoint("eng") == {"since": "2026-01-01T00:00:00Z"}


# --- DynamoDB specifics ----------------------------------------------------------------------------
async def test_item_shape_shares_the_config_table(dynamo: DynamoCheckpointStore) -> None:
    await dynamo.save_checkpoint("hr", SHAREPOINT_STATE)
    item = boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName=TABLE, Key={"pk": {"S": "CHECKPOINT"}, "sk": {"S": "hr"}}
    )["Item"]
    assert set(item) == {"pk", "sk", "data", "updated"} and item["data"]["S"].startswith("{")
    config = DynamoConfigRepository(TABLE, client=boto3.client("dynamodb", region_name="us-east-1"))
    assert await config.list_sources() == []  # checkpoints never show up as config records
    assert (await config.get_status("hr")).last_success is None


async def test_oversize_checkpoint_is_a_clear_store_error(dynamo: DynamoCheckpointStore) -> None:
    await dynamo.save_checkpoint("hr", {"after": "a.md"})
    huge = {"queue": ["x" * 1000] * (MAX_CHECKPOINT_BYTES // 1000 + 1)}
    with pytest.raises(StoreError, match=r"checkpoint for source 'hr' is \d+ KB.*kbot-config-test") as info:
        await dynamo.save_checkpoint("hr", huge)
    assert "too large" in info.value.user_message
    assert await dynamo.load_checkpoint("hr") == {"after": "a.md"}  # the previous one is kept
    just_fits = {"queue": ["x" * 1000] * (MAX_CHECKPOINT_BYTES // 1000 - 5)}
    await dynamo.save_checkpoint("hr", just_fits)  # and DynamoDB accepts what passes the check
    assert await dynamo.load_checkpoint("hr") == just_fits


async def test_missing_table_is_a_config_error(aws: None) -> None:
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="does not exist"):
        await dynamo_store().load_checkpoint("hr")


@pytest.mark.parametrize("kind", ["folder", "sharepoint"])
async def test_crashed_task_resumes_in_a_new_task(
    kind: str, dynamo: DynamoCheckpointStore, tmp_path: Path, http_session, sleeps
) -> None:
    world: World = make_world(kind, tmp_path)
    await world.open(http_session, sleeps)
    try:
        world.seed(8)
        sink = MemorySink(crash_after=4)
        with pytest.raises(InjectedCrash):
            await IngestPipeline(TextParser(), sink, dynamo).sync(world.connector(), source="src")
        saved = await dynamo_store().load_checkpoint("src")
        assert saved is not None  # the first task's progress outlives it
        sink.crash_after, committed = None, sink.upserts
        report = await IngestPipeline(TextParser(), sink, dynamo_store()).sync(world.connector(), source="src")
        clean = MemorySink()
        await IngestPipeline(TextParser(), clean).sync(world.connector(), source="src")
        assert sink.snapshot("src") == clean.snapshot("src")
        assert committed + report.upserted <= 8 + 3  # resumed, not a full re-sync
    finally:
        await world.close()


async def test_runtime_picks_the_store_from_settings(tmp_path: Path, aws: None) -> None:
    local = App(load_settings(kbot_config_table=None, kbot_db=tmp_path / "kbot.db")).checkpoint_store()
    assert isinstance(local, SqliteCheckpointStore)
    await local.close()
    remote = App(load_settings(kbot_config_table="kbot-config", aws_region="us-east-1")).checkpoint_store()
    assert isinstance(remote, DynamoCheckpointStore) and remote.table == "kbot-config"


async def test_removing_a_source_forgets_its_checkpoint(opener, tmp_path: Path) -> None:
    """Re-adding a source under the same name must start with a full sync, not a stale delta link."""
    from adapters.config_store.sqlite_config import SqliteConfigRepository
    from bot.models import Source

    store = opener()
    config = (
        SqliteConfigRepository(tmp_path / "kbot.db") if isinstance(store, SqliteCheckpointStore)
        else DynamoConfigRepository(TABLE, client=boto3.client("dynamodb", region_name="us-east-1"))
    )
    await config.save_source(Source("hr", "folder", {"path": "/srv/hr"}))
    await store.save_checkpoint("hr", SHAREPOINT_STATE)
    await store.save_checkpoint("it", SHAREPOINT_STATE)
    await config.remove_source("hr")
    assert await opener().load_checkpoint("hr") is None
    assert await opener().load_checkpoint("it") == SHAREPOINT_STATE
    close = getattr(config, "close", None)
    if close is not None:
        await close()
