"""Build the Bedrock KB sink from settings (standard AWS configuration chain, like the answerer)."""

from __future__ import annotations

import boto3
from botocore.exceptions import BotoCoreError

from adapters.bedrock.client import client_config
from adapters.bedrock_sink.manifest import FileManifest, Manifest, S3Manifest
from adapters.bedrock_sink.sink import BedrockKbSink
from bot.errors import ConfigError
from bot.settings import Settings
from ingest.interfaces import PendingIngests


def pending_ingests(settings: Settings) -> PendingIngests:
    """Durable "staged, not yet indexed" marks: the config table on AWS, else the local SQLite file."""
    if settings.kbot_config_table:
        from adapters.config_store.dynamodb_pending_ingest import DynamoPendingIngests

        return DynamoPendingIngests(
            settings.kbot_config_table, region=settings.aws_region, profile=settings.aws_profile,
            max_attempts=settings.bedrock_max_attempts,
        )
    from adapters.store.pending_ingest import SqlitePendingIngests

    return SqlitePendingIngests(settings.kbot_db)


def build_bedrock_sink(settings: Settings) -> BedrockKbSink:
    kb, ds = settings.bedrock_knowledge_base_id, settings.bedrock_data_source_id
    if not kb or not ds:
        raise ConfigError("syncing into Bedrock needs BEDROCK_KNOWLEDGE_BASE_ID and BEDROCK_DATA_SOURCE_ID")
    bucket = settings.bedrock_data_source_bucket
    if settings.bedrock_data_source_type == "S3" and not bucket:
        raise ConfigError("an S3 data source needs BEDROCK_DATA_SOURCE_BUCKET")
    try:
        session = boto3.session.Session(profile_name=settings.aws_profile, region_name=settings.aws_region)
        if not session.region_name:
            raise ConfigError("No AWS region: set AWS_REGION for the Bedrock sink")
        config = client_config(settings)
        agent = session.client("bedrock-agent", config=config)
        s3 = session.client("s3", config=config) if bucket else None
    except BotoCoreError as exc:
        raise ConfigError(f"AWS configuration for the Bedrock sink is invalid: {exc}") from exc
    manifest: Manifest = (
        S3Manifest(s3, bucket) if s3 is not None and bucket
        else FileManifest(settings.kbot_db.parent / "bedrock-manifests")
    )
    return BedrockKbSink(
        agent=agent, knowledge_base_id=kb, data_source_id=ds, manifest=manifest,
        data_source_type=settings.bedrock_data_source_type, s3=s3, bucket=bucket,
        pending=pending_ingests(settings), start_jobs=settings.bedrock_ingestion_job == "start",
    )
