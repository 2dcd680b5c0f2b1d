"""Ingestion orchestration against the fake bedrock-agent (one job per data source, ConflictException):
syncs stage and mark pending durably; exactly one job runs per data source at a time; a crash between
staging and the job leaves the mark; per-document failures come back to the sync report."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from adapters.bedrock_sink.jobs import IngestionJobs
from adapters.bedrock_sink.layout import DOCUMENT_PREFIX, FILTERABLE_LIMIT, NON_FILTERABLE_KEYS, filterable_bytes
from adapters.bedrock_sink.layout import attributes as layout_attributes
from adapters.bedrock_sink.manifest import FileManifest, S3Manifest
from adapters.bedrock_sink.sink import BedrockKbSink
from adapters.config_store.dynamodb_pending_ingest import DynamoPendingIngests
from adapters.store.pending_ingest import SqlitePendingIngests
from bot.models import Document, Section
from tests.bedrock.fake_agent import FakeBedrockAgent

KB, DS, BUCKET = "KBID123456", "DSID123456", "kb-docs-bucket"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


async def _no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


def doc(source: str, i: int, *, groups: list[str] | None = None, title: str | None = None) -> Document:
    return Document(
        id=f"d{i}.txt",
        source=source,
        uri=f"https://intranet/{source}/{i}",
        title=title or f"Doc {i}",
        text=f"Body {i}.",
        sections=[Section(heading="Intro", text=f"Body {i}.")],
        content_hash=f"h{i}",
        modified=datetime(2024, 3, 1, tzinfo=UTC),
        acl_groups=groups or [],
    )


def sink(s3, agent, pending, **extra) -> BedrockKbSink:
    return BedrockKbSink(
        agent=agent,
        knowledge_base_id=KB,
        data_source_id=DS,
        manifest=S3Manifest(s3, BUCKET),
        s3=s3,
        bucket=BUCKET,
        sleep=_no_sleep,
        poll_interval=1,
        pending=pending,
        **extra,
    )


def infra_fake(s3) -> FakeBedrockAgent:
    """The data source and vector index as infra/ configures them."""
    return FakeBedrockAgent(
        s3=s3, bucket=BUCKET, inclusion_prefixes=[DOCUMENT_PREFIX], non_filterable=NON_FILTERABLE_KEYS
    )


async def test_per_source_syncs_stage_then_one_job_indexes_them_all(s3, tmp_path: Path) -> None:
    fake, pending = infra_fake(s3), SqlitePendingIngests(tmp_path / "kbot.db")
    for name in ("wiki", "handbook", "runbooks"):  # the Step Functions Map: one task per source
        staged = sink(s3, fake, pending, start_jobs=False)
        await staged.upsert([doc(name, 1), doc(name, 2)])
        outcome = await staged.finish(name)
        assert outcome is not None and outcome.status == "PENDING"
    assert fake.calls("StartIngestionJob") == []
    assert sorted(await pending.pending(DS)) == ["handbook", "runbooks", "wiki"]

    jobs = IngestionJobs(fake, KB, DS, pending, sleep=_no_sleep, poll_interval=1)  # the state after the Map
    outcomes = await jobs.run_pending()
    assert len(fake.calls("StartIngestionJob")) == 1
    assert {s: o.status for s, o in outcomes.items()} == dict.fromkeys(["handbook", "runbooks", "wiki"], "COMPLETE")
    assert len(fake.indexed_keys()) == 6 and await pending.pending(DS) == {}
    assert await jobs.run_pending() == {}  # nothing pending: no job


async def test_a_second_concurrent_sync_waits_for_the_running_job(s3, tmp_path: Path) -> None:
    fake, pending = infra_fake(s3), SqlitePendingIngests(tmp_path / "kbot.db")
    first, second = sink(s3, fake, pending), sink(s3, fake, pending)
    await first.upsert([doc("wiki", 1)])
    await second.upsert([doc("handbook", 1)])
    one, two = await asyncio.gather(first.finish("wiki"), second.finish("handbook"))
    assert one is not None and two is not None and one.status == two.status == "COMPLETE"
    starts = fake.calls("StartIngestionJob")
    assert len(fake.jobs) <= len(starts) <= len(fake.jobs) + 1  # a refused start waited, then started
    assert all(j["status"] == "COMPLETE" for j in fake.jobs)
    assert fake.indexed_keys() == {f"{DOCUMENT_PREFIX}wiki/d1.txt.md", f"{DOCUMENT_PREFIX}handbook/d1.txt.md"}


async def test_manual_sync_during_a_running_job_gets_conflict_then_waits(s3, tmp_path: Path) -> None:
    fake, pending = infra_fake(s3), SqlitePendingIngests(tmp_path / "kbot.db")
    fake.start_ingestion_job(knowledgeBaseId=KB, dataSourceId=DS)  # e.g. the scheduled run's job
    manual = sink(s3, fake, pending)
    await manual.upsert([doc("wiki", 1)])
    outcome = await manual.finish("wiki")
    assert outcome is not None and outcome.status == "COMPLETE"
    assert len(fake.calls("StartIngestionJob")) == 3  # the running one, the refused one, ours
    assert [j["status"] for j in fake.jobs] == ["COMPLETE", "COMPLETE"]


async def test_a_crash_between_staging_and_the_job_leaves_the_mark_for_the_next_run(s3, tmp_path: Path) -> None:
    fake, db = infra_fake(s3), tmp_path / "kbot.db"
    crashed = sink(s3, fake, SqlitePendingIngests(db))
    await crashed.upsert([doc("wiki", 1)])  # ... and the task died before finish()
    assert fake.calls("StartIngestionJob") == []

    next_run = sink(s3, fake, SqlitePendingIngests(db))  # a new process, another source unchanged
    await next_run.finish("handbook")
    assert len(fake.calls("StartIngestionJob")) == 1
    assert fake.indexed_keys() == {f"{DOCUMENT_PREFIX}wiki/d1.txt.md"}
    assert await SqlitePendingIngests(db).pending(DS) == {}


async def test_manifests_are_outside_the_data_source(s3, tmp_path: Path) -> None:
    fake = infra_fake(s3)
    staged = sink(s3, fake, SqlitePendingIngests(tmp_path / "kbot.db"))
    await staged.upsert([doc("wiki", 1)])
    await staged.finish("wiki")
    assert s3.get_object(Bucket=BUCKET, Key="kbot-manifests/wiki.json")  # the manifest exists ...
    assert fake.indexed_keys() == {f"{DOCUMENT_PREFIX}wiki/d1.txt.md"}  # ... and is not crawled


def _groups_for(filterable: int) -> list[str]:
    """ACL groups making a wiki doc's filterable metadata exactly ``filterable`` bytes."""
    base = filterable_bytes(layout_attributes(doc("wiki", 1, groups=["g"]))) - 1
    room = filterable - base
    size, count = room // 9, 9
    groups = [f"{i}".ljust(size, "x") for i in range(count)]
    groups[-1] = groups[-1] + "y" * (room - size * count)
    return groups


async def test_metadata_at_the_filterable_limit_is_indexed_and_over_it_is_trimmed(s3, tmp_path: Path) -> None:
    fake = infra_fake(s3)
    staged = sink(s3, fake, SqlitePendingIngests(tmp_path / "kbot.db"))
    at_limit = doc("wiki", 1, groups=_groups_for(FILTERABLE_LIMIT), title="T" * 2048)
    over = doc("wiki", 2, groups=_groups_for(FILTERABLE_LIMIT + 1), title="T" * 2048)
    assert filterable_bytes(layout_attributes(at_limit)) == FILTERABLE_LIMIT
    await staged.upsert([at_limit, over])
    outcome = await staged.finish("wiki")
    assert outcome is not None and outcome.failures == []
    assert fake.indexed_keys() == {f"{DOCUMENT_PREFIX}wiki/d1.txt.md", f"{DOCUMENT_PREFIX}wiki/d2.txt.md"}
    sidecar = json.loads(
        s3.get_object(Bucket=BUCKET, Key=f"{DOCUMENT_PREFIX}wiki/d2.txt.md.metadata.json")["Body"].read()
    )
    kept = sidecar["metadataAttributes"]["acl_groups"]["value"]["stringListValue"]
    assert len(kept) < 9  # fewer readers, never more
    assert len(sidecar["metadataAttributes"]["title"]["value"]["stringValue"]) == 2048  # non-filterable


async def test_direct_ingest_reads_each_document_status_back(tmp_path: Path) -> None:
    fake = FakeBedrockAgent(non_filterable=NON_FILTERABLE_KEYS)
    direct = BedrockKbSink(
        agent=fake,
        knowledge_base_id=KB,
        data_source_id=DS,
        data_source_type="CUSTOM",
        manifest=FileManifest(tmp_path / "manifests"),
        sleep=_no_sleep,
        poll_interval=1,
    )
    await direct.upsert([doc("wiki", i) for i in range(12)])
    fake.documents["wiki:d3.txt"]["_final"] = "Unsupported content"  # Bedrock fails this one later
    outcome = await direct.finish("wiki")
    assert outcome is not None and outcome.status == "PARTIAL"
    assert [(f.doc_id, f.reason) for f in outcome.failures] == [("d3.txt", "not indexed: Unsupported content")]
    assert len(fake.calls("GetKnowledgeBaseDocuments")) == 2  # 12 ids, 10 per call


@pytest.mark.parametrize("kind", ["sqlite", "dynamodb"])
async def test_pending_marks_survive_until_the_job_that_saw_them(kind, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        if kind == "sqlite":
            store = SqlitePendingIngests(tmp_path / "kbot.db")
        else:
            client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            store = DynamoPendingIngests("kbot-config", client=client)
            await store.ensure_table()
        await store.mark(DS, "wiki")
        await store.mark(DS, "handbook")
        await store.mark("OTHERDS123", "wiki")
        seen = await store.pending(DS)
        assert sorted(seen) == ["handbook", "wiki"]
        await store.mark(DS, "wiki")  # staged again while the job ran: must survive this job's clear
        await store.clear(DS, seen)
        assert list(await store.pending(DS)) == ["wiki"]
        assert list(await store.pending("OTHERDS123")) == ["wiki"]


async def test_a_document_over_the_limit_fails_in_bedrock_and_the_failure_reaches_the_report(s3, tmp_path) -> None:
    """What happens to metadata the sink did not fit (e.g. written by an older kbot): the fake fails the
    document like S3 Vectors does, and the job's per-document failure comes back for the source."""
    fake, pending = infra_fake(s3), SqlitePendingIngests(tmp_path / "kbot.db")
    key = f"{DOCUMENT_PREFIX}wiki/old.md"
    groups = ["g" * 100] * 21  # 2,100+ bytes of filterable ACL values
    sidecar = {
        "metadataAttributes": {
            "source": {"value": {"type": "STRING", "stringValue": "wiki"}, "includeForEmbedding": False},
            "acl_groups": {"value": {"type": "STRING_LIST", "stringListValue": groups}, "includeForEmbedding": False},
        }
    }
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"# Old")
    s3.put_object(Bucket=BUCKET, Key=f"{key}.metadata.json", Body=json.dumps(sidecar).encode())
    await pending.mark(DS, "wiki")
    outcomes = await IngestionJobs(fake, KB, DS, pending, sleep=_no_sleep, poll_interval=1).run_pending()
    (failure,) = outcomes["wiki"].failures
    assert failure.uri == f"s3://{BUCKET}/{key}"
    assert "exceeds the 2048 byte limit" in failure.reason and fake.indexed_keys() == set()


async def test_ingestion_job_command_records_outcomes_in_source_status(s3, tmp_path) -> None:
    """``kbot sync --ingestion-job`` (the state after the Map): failures reach ``kbot sources status``."""
    from adapters.bedrock_sink.job_command import run_ingestion_job
    from adapters.config_store.sqlite_config import SqliteConfigRepository

    fake, pending = infra_fake(s3), SqlitePendingIngests(tmp_path / "kbot.db")
    repo = SqliteConfigRepository(tmp_path / "kbot.db")
    staged = sink(s3, fake, pending, start_jobs=False)
    await staged.upsert([doc("wiki", 1)])
    key = f"{DOCUMENT_PREFIX}wiki/huge.md"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"# Huge")
    s3.put_object(
        Bucket=BUCKET,
        Key=f"{key}.metadata.json",
        Body=json.dumps(
            {
                "metadataAttributes": {
                    "acl_groups": {"value": {"type": "STRING_LIST", "stringListValue": ["g" * 300] * 10}},
                }
            }
        ).encode(),
    )
    code, lines = await run_ingestion_job(sink(s3, fake, pending), repo)
    assert code == 0 and "wiki: ingestion job" in lines[0] and "1 not indexed" in lines[0]
    status = await repo.get_status("wiki")
    assert status.failures == 1 and "huge.md" in status.failure_samples[0]

    fake.fail_next_job = "S3 access denied"
    await staged.upsert([doc("wiki", 2)])
    code, lines = await run_ingestion_job(sink(s3, fake, pending), repo)
    assert code == 1 and "S3 access denied" in (await repo.get_status("wiki")).last_error


async def test_writes_landing_after_a_job_read_the_marks_get_their_own_job(s3, tmp_path) -> None:
    """Race: another process reads the marks and starts its job while this sync is still writing."""
    fake, pending = infra_fake(s3), SqlitePendingIngests(tmp_path / "kbot.db")
    staging = sink(s3, fake, pending)
    other = IngestionJobs(fake, KB, DS, pending, sleep=_no_sleep, poll_interval=1)
    original_put = staging._put_s3

    async def put_then_race(document: Document) -> None:
        if not fake.jobs:  # the other process's job starts between our mark and our write
            await other.run_pending()
        await original_put(document)

    staging._put_s3 = put_then_race  # type: ignore[method-assign]
    await staging.upsert([doc("wiki", 1)])
    assert len(fake.jobs) == 1 and fake.indexed_keys() == set()  # that job ran before the write landed
    await staging.finish("wiki")
    assert len(fake.jobs) == 2 and fake.indexed_keys() == {f"{DOCUMENT_PREFIX}wiki/d1.txt.md"}
