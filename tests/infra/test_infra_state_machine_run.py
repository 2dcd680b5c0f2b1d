"""The synthesized ingest state machine, run step by step (tests/infra/asl_runner.py) with its ECS tasks
handled in-process by kbot's own sink and job code against the fake bedrock-agent (one job per data
source, ConflictException): N sources are staged, then exactly one ingestion job starts; a second
execution whose job collides with a running one waits instead of failing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from adapters.bedrock_sink.job_command import run_ingestion_job
from adapters.bedrock_sink.layout import DOCUMENT_PREFIX, NON_FILTERABLE_KEYS
from adapters.bedrock_sink.manifest import S3Manifest
from adapters.bedrock_sink.sink import BedrockKbSink
from adapters.config_store.sqlite_config import SqliteConfigRepository
from adapters.store.pending_ingest import SqlitePendingIngests
from bot.models import Document
from bot.settings import Settings
from tests.bedrock.fake_agent import FakeBedrockAgent
from tests.infra.asl_runner import Execution
from tests.infra.conftest import Synth

KB, DS, BUCKET = "KBID123456", "DSID123456", "kbot-documents"
SOURCES = ["wiki", "handbook", "runbooks"]


def _definition(synth: Synth) -> dict[str, Any]:
    (machine,) = synth.resources("KbotIngest", "AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    return json.loads("".join(p if isinstance(p, str) else "REF" for p in parts))


class Account:
    """S3 (moto), the fake bedrock-agent and the worker's durable stores, shared by every task."""

    def __init__(self, s3: Any, tmp: Path) -> None:
        self.s3, self.db = s3, tmp / "kbot.db"
        self.agent = FakeBedrockAgent(
            s3=s3,
            bucket=BUCKET,
            inclusion_prefixes=[DOCUMENT_PREFIX],
            non_filterable=NON_FILTERABLE_KEYS,
            polls_to_finish=3,
        )
        self.repo = SqliteConfigRepository(self.db)
        self.events: list[str] = []

    def sink(self, settings: Settings) -> BedrockKbSink:
        async def tick(_seconds: float) -> None:
            await asyncio.sleep(0.01)

        return BedrockKbSink(
            agent=self.agent,
            knowledge_base_id=KB,
            data_source_id=DS,
            manifest=S3Manifest(self.s3, BUCKET),
            s3=self.s3,
            bucket=BUCKET,
            sleep=tick,
            poll_interval=1,
            pending=SqlitePendingIngests(self.db),
            start_jobs=settings.bedrock_ingestion_job == "start",
        )

    async def worker_task(self, command: list[str], environment: list[dict[str, str]]) -> int:
        """One Fargate run of the worker image: ``kbot sync --source NAME`` or ``kbot sync --ingestion-job``."""
        settings = Settings(_env_file=None, **{e["Name"].lower(): e["Value"] for e in environment})  # type: ignore[call-arg]
        sink = self.sink(settings)
        if command == ["kbot", "sync", "--ingestion-job"]:
            self.events.append("job")
            code, _ = await run_ingestion_job(sink, self.repo)
            return code
        assert command[:3] == ["kbot", "sync", "--source"], command
        source = command[3]
        self.events.append(f"sync {source}")
        await sink.upsert(
            [
                Document(
                    id=f"{source}-{i}",
                    source=source,
                    uri=f"https://intra/{source}/{i}",
                    title=f"{source} {i}",
                    text="Body.",
                    content_hash=f"h{i}",
                    modified=datetime(2026, 1, 1, tzinfo=UTC),
                )
                for i in range(2)
            ]
        )
        await sink.finish(source)
        return 0

    async def task(self, state: str, params: dict[str, Any]) -> Any:
        if state == "ListSources":
            return {"Items": [{"sk": {"S": n}, "data": {"S": json.dumps({"kind": "folder"})}} for n in SOURCES]}
        if state in ("RunSync", "RunIngestionJob"):
            override = params["Overrides"]["ContainerOverrides"][0]
            code = await self.worker_task(override["Command"], override.get("Environment", []))
            return {"Containers": [{"ExitCode": code}]}
        if state == "CompleteSyncRequest":
            return {}
        raise AssertionError(f"unexpected task state {state}")


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Account]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield Account(s3, tmp_path)


async def test_sources_are_staged_then_one_ingestion_job_starts(default: Synth, account: Account) -> None:
    execution = Execution(_definition(default), account.task)
    status, output = await execution.run({})  # the hourly schedule's input
    assert status == "SUCCEEDED", output
    assert sorted(account.events[:3]) == sorted(f"sync {s}" for s in SOURCES) and account.events[3:] == ["job"]
    assert len(account.agent.calls("StartIngestionJob")) == 1
    assert len(account.agent.indexed_keys()) == 2 * len(SOURCES)
    assert execution.trace.index("RunIngestionJob") > max(i for i, s in enumerate(execution.trace) if s == "RunSync")


async def test_a_second_execution_waits_for_the_running_job(default: Synth, account: Account) -> None:
    account.agent.start_ingestion_job(knowledgeBaseId=KB, dataSourceId=DS)  # another execution's job runs
    request = [
        {
            "eventName": "INSERT",
            "dynamodb": {  # a "sync now" record for one source
                "Keys": {"pk": {"S": "SYNC"}, "sk": {"S": "req-1"}},
                "NewImage": {"data": {"S": json.dumps({"source": "wiki"})}},
            },
        }
    ]
    scheduled, requested = Execution(_definition(default), account.task), Execution(_definition(default), account.task)
    (s1, o1), (s2, o2) = await asyncio.gather(scheduled.run({}), requested.run(request))
    assert (s1, s2) == ("SUCCEEDED", "SUCCEEDED"), (o1, o2)
    refused = len(account.agent.calls("StartIngestionJob")) - len(account.agent.jobs)
    assert refused >= 1  # at least one start met ConflictException, waited, and started afterwards
    assert all(job["status"] == "COMPLETE" for job in account.agent.jobs)
    assert len(account.agent.indexed_keys()) == 2 * len(SOURCES)
    assert "CompleteSyncRequest" in requested.trace


async def test_a_failed_ingestion_job_fails_the_execution(default: Synth, account: Account) -> None:
    account.agent.fail_next_job = "The data source's bucket is not readable"
    status, output = await Execution(_definition(default), account.task).run({})
    assert status == "FAILED" and output == {"Error": "IngestFailed"}  # what the ingest-failure alarm watches
    assert "not readable" in (await account.repo.get_status("wiki")).last_error
