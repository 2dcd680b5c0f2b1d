"""Bedrock KB sink: moto S3 for objects and sidecars, the fake bedrock-agent (real model, service rules)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from adapters.bedrock_sink.layout import DOCUMENT_PREFIX
from adapters.bedrock_sink.manifest import FileManifest, S3Manifest
from adapters.bedrock_sink.sink import BedrockKbSink
from bot.errors import BackendError
from bot.models import Document, Section
from ingest.connectors.folder import FolderConnector
from ingest.pipeline import IngestPipeline
from tests.bedrock.fake_agent import FakeBedrockAgent
from tests.ingest.fakes import TextParser

KB, DS, BUCKET = "KBID123456", "DSID123456", "kb-docs-bucket"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[object, object]]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        agent = boto3.client("bedrock-agent", region_name="us-east-1")
        yield s3, agent


def doc(i: int, groups: list[str] | None = None) -> Document:
    return Document(
        id=f"folder/doc-{i}.txt",
        source="handbook",
        uri=f"https://intranet/doc-{i}",
        title=f"Doc {i}",
        text=f"Body {i}.",
        sections=[Section(heading="Intro", text=f"Body {i}.")],
        content_hash=f"h{i}",
        modified=datetime(2024, 3, 1, tzinfo=UTC),
        acl_groups=groups or [],
    )


def s3_sink(s3, agent, **extra) -> BedrockKbSink:
    return BedrockKbSink(
        agent=agent,
        knowledge_base_id=KB,
        data_source_id=DS,
        manifest=S3Manifest(s3, BUCKET),
        s3=s3,
        bucket=BUCKET,
        sleep=_no_sleep,
        poll_interval=5,
        **extra,
    )


async def _no_sleep(_seconds: float) -> None:
    return None


async def test_s3_objects_sidecars_deletes_and_ingestion_job(aws) -> None:
    s3, agent = aws
    sink = s3_sink(s3, agent)
    await sink.upsert([doc(1, ["hr", "finance"]), doc(2)])

    key = "kbot-docs/handbook/folder/doc-1.txt.md"
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    assert body == "# Doc 1\n\n## Intro\n\nBody 1."
    meta = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{key}.metadata.json")["Body"].read())
    attrs = meta["metadataAttributes"]
    assert attrs["acl_groups"]["value"] == {"type": "STRING_LIST", "stringListValue": ["finance", "hr"]}
    assert attrs["source_uri"]["value"] == {"type": "STRING", "stringValue": "https://intranet/doc-1"}
    assert attrs["source"]["value"]["stringValue"] == "handbook"
    assert attrs["title"]["value"]["stringValue"] == "Doc 1" and "modified" in attrs
    public = json.loads(
        s3.get_object(Bucket=BUCKET, Key="kbot-docs/handbook/folder/doc-2.txt.md.metadata.json")[
            "Body"
        ].read()
    )
    assert public["metadataAttributes"]["acl_groups"]["value"]["stringListValue"] == ["everyone"]

    assert await s3_sink(s3, agent).known("handbook") == {"folder/doc-1.txt": "h1", "folder/doc-2.txt": "h2"}

    await sink.delete("handbook", ["folder/doc-2.txt"])
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="kbot-docs/")["Contents"]}
    assert keys == {key, f"{key}.metadata.json"}

    fake = FakeBedrockAgent(s3=s3, bucket=BUCKET, inclusion_prefixes=[DOCUMENT_PREFIX])
    sink.agent = sink.jobs.agent = fake
    outcome = await sink.finish("handbook")
    assert outcome is not None and outcome.status == "COMPLETE" and outcome.failures == []
    assert len(fake.calls("StartIngestionJob")) == 1
    assert fake.indexed_keys() == {key}
    assert await sink.finish("handbook") is None  # nothing staged since: no job
    assert len(fake.calls("StartIngestionJob")) == 1


async def test_failed_ingestion_job_is_reported_and_the_source_stays_pending(aws) -> None:
    s3, _ = aws
    fake = FakeBedrockAgent(s3=s3, bucket=BUCKET)
    sink = s3_sink(s3, fake)
    await sink.upsert([doc(1)])
    fake.fail_next_job = "AccessDenied on bucket"
    with pytest.raises(BackendError, match="FAILED: AccessDenied on bucket"):
        await sink.finish("handbook")
    assert list(await sink.pending.pending(DS)) == ["handbook"]  # the next run starts the job again


async def test_custom_data_source_batches_with_client_tokens(tmp_path) -> None:
    agent = boto3.client(
        "bedrock-agent", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    sink = BedrockKbSink(
        agent=agent,
        knowledge_base_id=KB,
        data_source_id=DS,
        data_source_type="CUSTOM",
        manifest=FileManifest(tmp_path / "manifests"),
    )
    docs = [doc(i, ["g"]) for i in range(23)]
    sent: list[int] = []
    agent.meta.events.register(
        "provide-client-params.bedrock-agent.IngestKnowledgeBaseDocuments",
        lambda params, **_: sent.append(len(params["documents"])),
    )
    with Stubber(agent) as stub:
        for _ in range(3):
            stub.add_response(
                "ingest_knowledge_base_documents",
                {"documentDetails": []},
                {"knowledgeBaseId": KB, "dataSourceId": DS, "clientToken": ANY, "documents": ANY},
            )
        stub.add_response(
            "delete_knowledge_base_documents",
            {"documentDetails": []},
            {
                "knowledgeBaseId": KB,
                "dataSourceId": DS,
                "clientToken": ANY,
                "documentIdentifiers": [
                    {"dataSourceType": "CUSTOM", "custom": {"id": "handbook:folder/doc-0.txt"}}
                ],
            },
        )
        await sink.upsert(docs)  # each request validated against the real bedrock-agent model
        await sink.delete("handbook", ["folder/doc-0.txt"])
        stub.assert_no_pending_responses()
    assert sent == [10, 10, 3]  # the model allows at most 10 documents per call
    assert len(await sink.known("handbook")) == 22
    assert (
        len(
            await BedrockKbSink(
                agent=agent,
                knowledge_base_id=KB,
                data_source_id=DS,
                data_source_type="CUSTOM",
                manifest=FileManifest(tmp_path / "manifests"),
            ).known("handbook")
        )
        == 22
    )


async def test_pipeline_into_bedrock_resends_nothing_unchanged(aws, tmp_path) -> None:
    s3, agent = aws
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(3):
        (folder / f"d{i}.txt").write_text(f"Document {i}.")
    sink = s3_sink(s3, agent)
    pipeline = IngestPipeline(TextParser(), sink)
    first = await pipeline.sync(FolderConnector("handbook", folder), source="handbook")
    assert first.upserted == 3
    second = await IngestPipeline(TextParser(), s3_sink(s3, agent)).sync(
        FolderConnector("handbook", folder), source="handbook"
    )
    assert second.upserted == 0 and second.unchanged == 3


async def test_a_parser_upgrade_restages_every_file_once_with_one_job_and_no_deletes(aws, tmp_path) -> None:
    """The one-time full re-parse after ``output_version`` changes: same keys overwritten, nothing deleted."""
    s3, _ = aws
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(3):
        (folder / f"d{i}.txt").write_text(f"Document {i}.")
    fake = FakeBedrockAgent(s3=s3, bucket=BUCKET, inclusion_prefixes=[DOCUMENT_PREFIX])
    deletes: list[object] = []
    s3.meta.events.register("before-call.s3.DeleteObjects", lambda params, **_: deletes.append(params))

    class Upgraded(TextParser):
        output_version = "text-parser-2"

    reports = []
    for parser in (TextParser(), Upgraded(), Upgraded()):
        sink = s3_sink(s3, fake)
        reports.append(await IngestPipeline(parser, sink).sync(FolderConnector("handbook", folder), source="handbook"))
        await sink.finish("handbook")
    assert [(r.upserted, r.unchanged, r.deleted) for r in reports] == [(3, 0, 0), (3, 0, 0), (0, 3, 0)]
    assert len(fake.calls("StartIngestionJob")) == 2 and deletes == []  # no job when nothing was staged
    assert len(fake.indexed_keys()) == 3


class CountingParser(TextParser):
    """Counts every parse attempt, failed ones included."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0

    async def parse(self, data: bytes, filename: str):  # type: ignore[no-untyped-def]
        self.attempts += 1
        return await super().parse(data, filename)


async def test_a_corrupt_file_is_parsed_once_until_it_changes(aws, tmp_path) -> None:
    """Parse-failure memory lives next to the S3 manifest, so it survives new sink instances (passes)."""
    s3, agent = aws
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Fine.")
    (folder / "broken.txt").write_bytes(b"CORRUPT bytes")

    async def sync() -> tuple[CountingParser, object]:
        parser = CountingParser()
        report = await IngestPipeline(parser, s3_sink(s3, agent)).sync(
            FolderConnector("handbook", folder), source="handbook"
        )
        return parser, report

    first, report = await sync()
    assert first.attempts == 2 and [f.doc_id for f in report.failures] == ["broken.txt"]
    second, report = await sync()
    assert second.attempts == 0
    assert "not parsed again" in report.failures[0].reason
    (folder / "broken.txt").write_text("Repaired.")
    third, report = await sync()
    assert third.attempts == 1 and report.upserted == 1 and not report.failures
    fourth, _ = await sync()
    assert fourth.attempts == 0
