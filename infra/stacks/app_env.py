"""The container environment of the bot and worker: the same names as ``bot/settings.py``.

Every key is a :class:`bot.settings.Settings` field upper-cased (``tests/infra`` checks it), so
the deployed app reads exactly what it reads locally. Secrets never appear here: they go into the
task definition's ``secrets`` from Secrets Manager (see :func:`slack_teams_secrets`).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_secretsmanager as secretsmanager

from infra.config import DeployConfig
from infra.stacks.knowledge import HYBRID_SEARCH_STORES, STORE_TYPE, KnowledgeStack

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_DB = "/data/kbot.db"  # ephemeral task storage; the source of truth on AWS is Bedrock + DynamoDB
WEB_PORT = 3000
WEB_COMMAND = ["kbot", "serve", "--port", str(WEB_PORT)]
WORKER_COMMAND = ["kbot", "sync"]  # one pass over every source; Step Functions adds --source NAME
INGESTION_JOB_COMMAND = ["kbot", "sync", "--ingestion-job"]  # the one job after the per-source syncs


def app_image() -> ecs.ContainerImage:
    """The one image for web and worker, built from the repo's ``Dockerfile``."""
    return ecs.ContainerImage.from_asset(
        str(REPO_ROOT),
        file="Dockerfile",
        platform=ecr_assets.Platform.LINUX_AMD64,
    )


def app_environment(config: DeployConfig, knowledge: KnowledgeStack, table: dynamodb.ITable) -> dict[str, str]:
    data_source = knowledge.active_data_source
    env = {
        "KBOT_BACKEND": "bedrock",
        "KBOT_DB": LOCAL_DB,
        "KBOT_LOG_LEVEL": "INFO",  # the dashboard's metric filters read INFO-level JSON events
        "KBOT_CONFIG_TABLE": table.table_name,
        "AWS_REGION": config.region,
        "BEDROCK_KNOWLEDGE_BASE_ID": knowledge.knowledge_base.attr_knowledge_base_id,
        "BEDROCK_MODEL_ID": config.model_id,
        "BEDROCK_FAST_MODEL_ID": config.fast_model_id,
        "BEDROCK_GUARDRAIL_ID": knowledge.guardrail.attr_guardrail_id,
        "BEDROCK_GUARDRAIL_VERSION": knowledge.guardrail_version.attr_version,
        "BEDROCK_DATA_SOURCE_ID": data_source.attr_data_source_id,
        "BEDROCK_DATA_SOURCE_BUCKET": knowledge.bucket_name,
        "BEDROCK_DATA_SOURCE_TYPE": config.data_source_type,
    }
    if STORE_TYPE in HYBRID_SEARCH_STORES:  # never for S3 Vectors: Bedrock refuses HYBRID there
        env["BEDROCK_SEARCH_TYPE"] = "HYBRID"
    if config.admins:
        env["KBOT_ADMINS"] = config.admins
    if knowledge.agent is not None and knowledge.agent_alias is not None:
        env["BEDROCK_AGENT_ID"] = knowledge.agent.attr_agent_id
        env["BEDROCK_AGENT_ALIAS_ID"] = knowledge.agent_alias.attr_agent_alias_id
    return env


def slack_teams_secrets(slack: secretsmanager.ISecret, teams: secretsmanager.ISecret) -> dict[str, ecs.Secret]:
    """Chat credentials, injected by ECS from Secrets Manager JSON keys of the same name."""
    return {
        **{name: ecs.Secret.from_secrets_manager(slack, name) for name in SLACK_KEYS},
        **{name: ecs.Secret.from_secrets_manager(teams, name) for name in TEAMS_KEYS},
    }


SLACK_KEYS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
TEAMS_KEYS = ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID")
