"""Bedrock clients built on the standard AWS configuration chain, one configuration per call kind.

Region, profile, assumed roles (``role_arn`` profiles, web identity), credentials and
``AWS_ENDPOINT_URL_BEDROCK_RUNTIME`` / ``AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME`` overrides are all
resolved by botocore itself, so no endpoint or credential is passed explicitly here.

* **Retrieval** (``Retrieve``): botocore's standard retries, which include read timeouts: a search
  is cheap and safe to repeat.
* **Generations** (Converse/ConverseStream, RetrieveAndGenerate(Stream), InvokeAgent): no botocore
  retries, because botocore would re-send a request that timed out while the model was generating
  (paid again, and the user waits again). :mod:`.calls` retries only refusals that prove the request
  never ran (throttling, 503, connection failures).
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
    runtime: Any  # bedrock-runtime, generations: Converse / ConverseStream
    agent_runtime: Any  # bedrock-agent-runtime, generations: RetrieveAndGenerate(Stream), InvokeAgent
    retrieval: Any = None  # bedrock-agent-runtime with retries: Retrieve (defaults to agent_runtime)
    attempts: int = 1  # total attempts of a generation the service refused before running it

    def __post_init__(self) -> None:
        if self.retrieval is None:
            self.retrieval = self.agent_runtime


def client_config(settings: Settings) -> Config:
    """Retrieval: total_max_attempts counts the first try (botocore's max_attempts counts retries only)."""
    return Config(
        retries={"mode": "standard", "total_max_attempts": max(1, settings.bedrock_max_attempts)},
        connect_timeout=settings.bedrock_connect_timeout,
        read_timeout=settings.bedrock_read_timeout,
        user_agent_extra="kbot",
        max_pool_connections=MAX_CONCURRENT_CALLS,
    )


def generation_config(settings: Settings) -> Config:
    return Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        connect_timeout=settings.bedrock_connect_timeout,
        read_timeout=settings.bedrock_generation_read_timeout,
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
        generation = generation_config(settings)
        return BedrockClients(
            runtime=session.client("bedrock-runtime", config=generation),
            agent_runtime=session.client("bedrock-agent-runtime", config=generation),
            retrieval=session.client("bedrock-agent-runtime", config=client_config(settings)),
            attempts=max(1, settings.bedrock_max_attempts),
        )
    except BotoCoreError as exc:  # unknown profile, bad config file ...
        raise ConfigError(f"AWS configuration for Bedrock is invalid: {exc}") from exc
