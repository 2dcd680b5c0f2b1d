"""``KBOT_BACKEND=bedrock kbot ask --json`` run with exactly the environment the synthesized web task
definition sets (cross-stack ids filled in), against the fake Bedrock endpoints that refuse what real
Bedrock refuses: it answers, sends no HYBRID search and uses the current model ids."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from tests.bedrock.conftest import aws_env
from tests.bedrock.fake_bedrock import FakeBedrock
from tests.bedrock.replies import converse_reply, kb_result, retrieve_reply
from tests.infra.conftest import REPO_ROOT, Synth
from tests.replicas.conftest import moto_dynamodb  # noqa: F401 - fixture

# What CloudFormation resolves the cross-stack references to, by environment variable.
RESOLVED = {
    "BEDROCK_KNOWLEDGE_BASE_ID": "KBWEB00001",
    "BEDROCK_GUARDRAIL_ID": "gr1abc2def3g",
    "BEDROCK_GUARDRAIL_VERSION": "1",
    "BEDROCK_DATA_SOURCE_ID": "DSWEB00001",
    "KBOT_CONFIG_TABLE": "kbot-config",
    "KBOT_STATE_TABLE": "kbot-state",
    "KBOT_WORK_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/kbot-work",
}


# Which synthesized table each table-name variable refers to (by logical id prefix).
TABLES = {"KBOT_CONFIG_TABLE": "ConfigTable", "KBOT_STATE_TABLE": "StateTable"}


def create_tables(synth: Synth, endpoint: str, env: dict[str, str]) -> None:
    """The web task's DynamoDB tables, with the key schema the stack synthesizes, on moto's server."""
    import boto3

    client = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLETEST", aws_secret_access_key="test-secret-key",
    )
    tables = synth.resources("KbotBot", "AWS::DynamoDB::Table")
    for variable, prefix in TABLES.items():
        if variable not in env:
            continue
        (props,) = [t["Properties"] for logical, t in tables.items() if logical.startswith(prefix)]
        client.create_table(
            TableName=env[variable], BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=props["AttributeDefinitions"], KeySchema=props["KeySchema"],
        )


def web_task_environment(synth: Synth) -> dict[str, str]:
    (task,) = synth.resources("KbotBot", "AWS::ECS::TaskDefinition").values()
    (container,) = task["Properties"]["ContainerDefinitions"]
    env: dict[str, str] = {}
    for item in container["Environment"]:
        value: Any = item["Value"]
        env[item["Name"]] = value if isinstance(value, str) else RESOLVED[item["Name"]]
    return env


async def test_kbot_ask_with_the_web_task_environment(
    default: Synth, tmp_path: Path, moto_dynamodb: str  # noqa: F811 - the fixture
) -> None:
    task_env = web_task_environment(default)
    assert task_env["KBOT_BACKEND"] == "bedrock" and "BEDROCK_SEARCH_TYPE" not in task_env
    fake = FakeBedrock()  # store_type S3_VECTORS, legacy models not granted: a fresh account
    await fake.start()
    try:
        fake.script(
            "Retrieve",
            retrieve_reply(
                kb_result(
                    "Laptops are refreshed every three years.",
                    uri="https://it.example.com/laptops",
                    title="Laptops",
                )
            ),
        )
        fake.script("Converse", converse_reply("Every three years [1]."))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BEDROCK_", "KBOT_"))}
        env.update(task_env)
        env.update(aws_env(fake.url, tmp_path))
        env["AWS_ENDPOINT_URL_DYNAMODB"] = moto_dynamodb  # the config and state tables, as synthesized
        create_tables(default, moto_dynamodb, task_env)
        env.update({"KBOT_DB": str(tmp_path / "kbot.db"), "PYTHONPATH": str(REPO_ROOT)})
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "adapters.cli.main",
            "ask",
            "--json",
            "How often are laptops refreshed?",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    finally:
        await fake.stop()
    assert proc.returncode == 0, err.decode()[-2000:]
    answer = json.loads(out)
    assert answer["grounded"] and answer["citations"][0]["uri"] == "https://it.example.com/laptops"
    assert not fake.errors
    (search,) = [c["retrievalConfiguration"]["vectorSearchConfiguration"] for c in [fake.calls("Retrieve")[0]]]
    assert "overrideSearchType" not in search  # HYBRID would have been refused on S3 Vectors
    (converse,) = fake.calls("Converse")
    assert converse["modelId"] == task_env["BEDROCK_MODEL_ID"]
    assert converse["modelId"].startswith("us.anthropic.claude-sonnet-4")
    assert converse["guardrailConfig"]["guardrailIdentifier"] == RESOLVED["BEDROCK_GUARDRAIL_ID"]
