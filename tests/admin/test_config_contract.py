"""One contract, both config stores (SQLite file and DynamoDB via moto)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from adapters.config_store.sqlite_config import SqliteConfigRepository
from bot.admin.models import AdminEntry, AuditEntry, ChannelSettings, SyncRequest
from bot.admin.ports import ConfigRepository
from bot.errors import NotFoundError
from bot.models import Feedback, Source, SourceStatus
from bot.ports import FeedbackRecorder, SourceRepository


async def test_implements_the_ports(config_repo: ConfigRepository) -> None:
    assert isinstance(config_repo, SourceRepository)
    assert isinstance(config_repo, FeedbackRecorder)
    assert isinstance(config_repo, ConfigRepository)


async def test_sources_round_trip(config_repo: ConfigRepository) -> None:
    wiki = Source(
        "wiki",
        "mediawiki",
        {"api_url": "https://w.example/api.php", "namespaces": [0, 4]},
        audience=["staff"],
    )
    await config_repo.save_source(wiki)
    await config_repo.save_source(Source("docs", "folder", {"path": "/srv/docs"}))
    assert [s.name for s in await config_repo.list_sources()] == ["docs", "wiki"]
    assert await config_repo.get_source("wiki") == wiki
    wiki.enabled = False
    await config_repo.save_source(wiki)
    assert (await config_repo.get_source("wiki")).enabled is False
    await config_repo.remove_source("wiki")
    with pytest.raises(NotFoundError):
        await config_repo.get_source("wiki")
    with pytest.raises(NotFoundError):
        await config_repo.remove_source("wiki")
    assert [s.name for s in await config_repo.list_sources()] == ["docs"]


async def test_status_defaults_and_round_trip(config_repo: ConfigRepository) -> None:
    assert await config_repo.get_status("nope") == SourceStatus(source="nope")
    moment = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    status = SourceStatus(
        "docs",
        last_run=moment,
        last_success=moment,
        documents=12,
        failures=2,
        last_error="boom",
        failure_samples=["a.pdf: encrypted"],
    )
    await config_repo.save_status(status)
    assert await config_repo.get_status("docs") == status


async def test_removing_a_source_drops_its_status_and_sync_requests(config_repo: ConfigRepository) -> None:
    await config_repo.save_source(Source("docs", "folder", {"path": "/srv"}))
    await config_repo.save_status(SourceStatus("docs", documents=3))
    await config_repo.add_sync_request(SyncRequest("docs", "slack:U1", id="r1"))
    await config_repo.remove_source("docs")
    assert (await config_repo.get_status("docs")).documents == 0
    assert await config_repo.pending_sync_requests() == []


async def test_channels(config_repo: ConfigRepository) -> None:
    assert await config_repo.get_channel("slack", "C1") is None
    channel = ChannelSettings("slack", "C1", ["docs"], "ephemeral", "slack:UADMIN")
    await config_repo.save_channel(channel)
    await config_repo.save_channel(ChannelSettings("teams", "19:abc@thread.tacv2"))
    assert await config_repo.get_channel("slack", "C1") == channel
    assert await config_repo.get_channel("teams", "C1") is None
    assert len(await config_repo.list_channels()) == 2


async def test_admins(config_repo: ConfigRepository) -> None:
    await config_repo.add_admin(AdminEntry("Alice@Example.com", "cli:root"))
    await config_repo.add_admin(AdminEntry("u2", "slack:U1"))
    assert [a.user for a in await config_repo.list_admins()] == ["alice@example.com", "u2"]
    await config_repo.remove_admin("u2")
    assert [a.user for a in await config_repo.list_admins()] == ["alice@example.com"]


async def test_audit_is_newest_first_and_limited(config_repo: ConfigRepository) -> None:
    for i in range(5):
        await config_repo.append_audit(AuditEntry(f"slack:U{i}", "sources.add", f"s{i}", "ok"))
    entries = await config_repo.list_audit(limit=3)
    assert [e.target for e in entries] == ["s4", "s3", "s2"]
    assert all(e.at is not None for e in entries)


async def test_sync_requests_queue(config_repo: ConfigRepository) -> None:
    await config_repo.add_sync_request(SyncRequest("a", "cli:x", id="1"))
    await config_repo.add_sync_request(SyncRequest("b", "cli:x", id="2"))
    assert [r.source for r in await config_repo.pending_sync_requests()] == ["a", "b"]
    await config_repo.complete_sync_request("1")
    assert [r.id for r in await config_repo.pending_sync_requests()] == ["2"]


async def test_feedback(config_repo: ConfigRepository) -> None:
    await config_repo.record_feedback(Feedback("U1", "up", "q1", "a1", [{"uri": "x"}], "slack"))
    await config_repo.record_feedback(Feedback("U2", "down", "q2", "a2", comment="wrong"))
    newest = await config_repo.list_feedback(limit=10)
    assert [(f.user_id, f.rating) for f in newest] == [("U2", "down"), ("U1", "up")]
    assert newest[1].citations == [{"uri": "x"}] and newest[0].comment == "wrong"
    assert newest[0].created is not None


async def test_sqlite_audit_log_refuses_updates_and_deletes(tmp_path) -> None:
    repo = SqliteConfigRepository(tmp_path / "kbot.db")
    await repo.append_audit(AuditEntry("cli:x", "sources.add", "docs"))
    conn = sqlite3.connect(tmp_path / "kbot.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM cfg_audit")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE cfg_audit SET outcome='ok'")
    conn.close()
    await repo.close()


async def test_dynamodb_source_items_carry_a_top_level_enabled_flag(aws_env) -> None:
    """The ingest state machine (infra/stacks/ingest.py) filters sources on ``enabled`` directly."""
    import boto3

    from adapters.config_store.dynamodb_config import DynamoConfigRepository

    client = boto3.client("dynamodb", region_name="us-east-1")
    repo = DynamoConfigRepository("kbot-config", client=client)
    await repo.ensure_table()
    await repo.save_source(Source("on", "folder", {"path": "/a"}))
    await repo.save_source(Source("off", "folder", {"path": "/b"}, enabled=False))
    resp = client.query(
        TableName="kbot-config",
        KeyConditionExpression="pk = :kind",
        FilterExpression="attribute_not_exists(enabled) OR enabled = :on",
        ProjectionExpression="sk",
        ExpressionAttributeValues={":kind": {"S": "SOURCE"}, ":on": {"BOOL": True}},
    )
    assert [item["sk"]["S"] for item in resp["Items"]] == ["on"]


async def test_dynamodb_errors_are_translated(aws_env) -> None:
    import boto3

    from adapters.config_store.dynamodb_config import DynamoConfigRepository
    from bot.errors import ConfigError

    repo = DynamoConfigRepository("missing-table", client=boto3.client("dynamodb", region_name="us-east-1"))
    with pytest.raises(ConfigError, match="missing-table does not exist"):
        await repo.list_sources()
