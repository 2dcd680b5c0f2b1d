"""Typed settings, read from the environment (and an optional ``.env``). One place for every name.

Secrets are ``SecretStr`` so they never print; source credentials are *references*
(env var names or Secrets Manager ARNs), resolved at use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Bedrock default models: the one place to change them (the infra and its IAM policies follow).
# Current Anthropic models are invoked through a cross-region inference profile whose geography
# prefix matches the caller's region (docs/bedrock.md "Models").
BEDROCK_DEFAULT_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"
BEDROCK_DEFAULT_FAST_MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0"
_GEOGRAPHIES = (("us-gov-", "us-gov"), ("us-", "us"), ("eu-", "eu"), ("ap-", "apac"))


def inference_profile(model_id: str, region: str | None) -> str:
    """The cross-region inference profile id of ``model_id`` for callers in ``region``."""
    geography = next((geo for prefix, geo in _GEOGRAPHIES if (region or "us-").startswith(prefix)), "global")
    return f"{geography}.{model_id}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- core -------------------------------------------------------------------------------
    kbot_backend: Literal["embedded", "bedrock"] = "embedded"
    kbot_db: Path = Path(".kbot/kbot.db")
    # The one place the log level comes from (``kbot -v``: DEBUG). Servers run INFO: metric events.
    kbot_log_level: str = "WARNING"
    kbot_admins: str = ""  # comma-separated Slack user ids, Teams AAD object ids or emails
    kbot_top_k: int = 8
    kbot_min_evidence: float = Field(
        0.28, description="embedded answerer: reader confidence below which it says not found (bench/abstention.py)"
    )
    kbot_user_groups_file: Path | None = None  # JSON: {"user id or email": ["group", ...]}
    kbot_graph_groups: bool = False  # also use Entra ID group membership (Graph, MICROSOFT_APP_* creds)
    kbot_experts_channel: str | None = None
    kbot_teams_experts_channel: str | None = None  # Teams channel id (19:...@thread.tacv2) for "Ask an expert"
    kbot_verified_min_similarity: float = Field(0.6, description="verified answers shown first from this similarity")
    kbot_graph_url: str = "https://graph.microsoft.com"
    kbot_login_url: str = "https://login.microsoftonline.com"
    kbot_config_table: str | None = None  # DynamoDB table for config when on AWS
    kbot_work_queue_url: str | None = None  # SQS queue for "sync now" requests when on AWS
    kbot_max_file_mb: int = 50
    # Chat state shared by all `kbot serve` replicas (bot/state.py): this DynamoDB table (TTL on
    # `expires_at`), else KBOT_CONFIG_TABLE, else the SQLite file KBOT_DB.
    kbot_state_table: str | None = None
    kbot_claim_lease_seconds: float = 30.0  # a dead replica's unfinished Slack event is retried after this
    kbot_fair_use_questions: int = 20  # questions per user per window, across replicas; 0 = no limit
    kbot_fair_use_window_seconds: float = 60.0
    kbot_max_text_mb: int = 8  # text per file (bounds its chunks); more is refused, not truncated
    kbot_parse_timeout_s: float = 120.0  # per file, in the parse worker process
    kbot_parse_memory_mb: int = 1024  # address-space cap of the parse worker process
    kbot_http_header_timeout_s: float = 15.0  # `kbot serve`: request line + headers (and keep-alive idle)
    kbot_http_body_timeout_s: float = 30.0  # `kbot serve`: the whole request body
    kbot_http_max_connections: int = 512  # `kbot serve`: more get an immediate 503

    # --- Bedrock ----------------------------------------------------------------------------
    aws_region: str | None = None
    aws_profile: str | None = None
    bedrock_knowledge_base_id: str | None = None
    bedrock_model_id: str = ""  # default: BEDROCK_DEFAULT_MODEL through the region's inference profile
    bedrock_fast_model_id: str = ""  # default: BEDROCK_DEFAULT_FAST_MODEL, likewise
    bedrock_agent_id: str | None = None
    bedrock_agent_alias_id: str | None = None
    bedrock_guardrail_id: str | None = None
    bedrock_guardrail_version: str | None = None
    bedrock_answer_mode: Literal["converse", "retrieve_and_generate", "agent"] = "converse"
    bedrock_rerank_model_arn: str | None = None
    bedrock_data_source_id: str | None = None
    bedrock_data_source_bucket: str | None = None
    bedrock_data_source_type: Literal["S3", "CUSTOM"] = "S3"
    bedrock_max_attempts: int = 3  # total attempts per call (docs/bedrock.md "Timeouts and retries")
    bedrock_connect_timeout: float = 5.0
    bedrock_read_timeout: float = 20.0  # retrieval (Retrieve), retried by botocore
    # Generations: the wait for each response part (answers and summaries stream); never re-sent once
    # accepted, a timed-out generation may have run and been billed.
    bedrock_generation_read_timeout: float = 60.0
    # S3 data source: "start" runs the ingestion job after a sync (one at a time per data source);
    # "defer" only stages and marks the source pending (Step Functions runs one job after all syncs).
    bedrock_ingestion_job: Literal["start", "defer"] = "start"
    bedrock_max_tokens: int = 1024
    # Unset: Bedrock picks the search type. HYBRID only for stores that support it (not S3 Vectors).
    bedrock_search_type: Literal["HYBRID", "SEMANTIC"] | None = None

    # --- Slack ------------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    # --- Teams ------------------------------------------------------------------------------
    microsoft_app_id: str | None = None
    microsoft_app_password: SecretStr | None = None
    microsoft_app_tenant_id: str | None = None
    # Microsoft's default for new Azure Bots since 2025;
    # SingleTenant needs MICROSOFT_APP_TENANT_ID (checked at start-up: adapters/teams/bf_adapter.py).
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = "SingleTenant"
    kbot_teams_stream_interval: float = 1.5  # seconds between streaming updates in 1:1 chats (Teams: <= 1/s)
    # Unauthenticated local testing with the Bot Framework Emulator: off unless asked for, loopback only,
    # and its identities are never admins nor members of any group (docs/security.md).
    kbot_teams_emulator: bool = False
    # Hosts a reply may be POSTed to (the activity's serviceUrl). Teams' public, GCC, GCC High and DoD
    # connectors; add more (comma-separated) only for a sovereign cloud or a test connector.
    kbot_teams_service_hosts: str = (
        "smba.trafficmanager.net,smba.infra.gcc.teams.microsoft.com,"
        "smba.infra.gov.teams.microsoft.us,smba.infra.dod.teams.microsoft.us"
    )

    # --- server -----------------------------------------------------------------------------
    port: int = 3000

    @model_validator(mode="after")
    def _default_bedrock_models(self) -> Settings:
        region = self.aws_region or os.environ.get("AWS_DEFAULT_REGION")
        self.bedrock_model_id = self.bedrock_model_id or inference_profile(BEDROCK_DEFAULT_MODEL, region)
        self.bedrock_fast_model_id = self.bedrock_fast_model_id or inference_profile(
            BEDROCK_DEFAULT_FAST_MODEL, region
        )
        return self

    @property
    def teams_enabled(self) -> bool:
        """Teams is mounted only when it can authenticate callers, or for the explicit emulator mode."""
        return bool(self.microsoft_app_id) or self.kbot_teams_emulator

    def teams_service_hosts(self) -> set[str]:
        return {h.strip().lower() for h in self.kbot_teams_service_hosts.split(",") if h.strip()}

    def admin_ids(self) -> set[str]:
        return {a.strip().lower() for a in self.kbot_admins.split(",") if a.strip()}


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
