"""Bedrock clients built on the standard AWS configuration chain.

Region, profile, assumed roles (``role_arn`` profiles, web identity), credentials and
``AWS_ENDPOINT_URL_BEDROCK_RUNTIME`` / ``AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME`` overrides are all
resolved by botocore itself, so no endpoint or credential is passed explicitly here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from adapters.bedrock.calls import MAX_CONCURRENT_CALLS
from bot.errors import ConfigError
from bot.settings import Settings


@dataclass(slots=True)
class BedrockClients:
    runtime: Any  # bedrock-runtime: Converse / ConverseStream
    agent_runtime: Any  # bedrock-agent-runtime: Retrieve, RetrieveAndGenerate(Stream), InvokeAgent


def client_config(settings: Settings) -> Config:
    return Config(
        # total_max_attempts counts the first try (botocore's max_attempts would count retries only)
        retries={"mode": "adaptive", "total_max_attempts": max(1, settings.bedrock_max_attempts)},
        connect_timeout=settings.bedrock_connect_timeout,
        read_timeout=settings.bedrock_read_timeout,
        user_agent_extra="kbot",
        max_pool_connections=MAX_CONCURRENT_CALLS,
    )


def build_clients(settings: Settings) -> BedrockClients:
    try:
        session = boto3.session.Session(profile_name=settings.aws_profile, region_name=settings.aws_region)
        if not session.region_name:
            raise ConfigError(
                "No AWS region: set AWS_REGION (or a region in the AWS profile) for KBOT_BACKEND=bedrock"
            )
        config = client_config(settings)
        return BedrockClients(
            runtime=session.client("bedrock-runtime", config=config),
            agent_runtime=session.client("bedrock-agent-runtime", config=config),
        )
    except BotoCoreError as exc:  # unknown profile, bad config file ...
        raise ConfigError(f"AWS configuration for Bedrock is invalid: {exc}") from exc
