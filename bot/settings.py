"""Typed settings, read from the environment (and an optional ``.env``). One place for every name.

Secrets are ``SecretStr`` so they never print; source credentials are *references*
(env var names or Secrets Manager ARNs), resolved at use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- core -------------------------------------------------------------------------------
    kbot_backend: Literal["embedded", "bedrock"] = "embedded"
    kbot_db: Path = Path(".kbot/kbot.db")
    kbot_log_level: str = "INFO"
    kbot_admins: str = ""  # comma-separated Slack user ids, Teams AAD object ids or emails
    kbot_top_k: int = 8
    kbot_min_evidence: float = Field(
        0.28, description="embedded answerer: reader confidence below which it says not found (bench/abstention.py)"
    )
    kbot_user_groups_file: Path | None = None  # JSON: {"user id or email": ["group", ...]}
    kbot_graph_groups: bool = False  # also use Entra ID group membership (Graph, MICROSOFT_APP_* creds)
    kbot_experts_channel: str | None = None
    kbot_graph_url: str = "https://graph.microsoft.com"
    kbot_login_url: str = "https://login.microsoftonline.com"
    kbot_config_table: str | None = None  # DynamoDB table for config when on AWS
    kbot_work_queue_url: str | None = None  # SQS queue for "sync now" requests when on AWS
    kbot_max_file_mb: int = 50

    # --- Bedrock ----------------------------------------------------------------------------
    aws_region: str | None = None
    aws_profile: str | None = None
    bedrock_knowledge_base_id: str | None = None
    bedrock_model_id: str = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    bedrock_fast_model_id: str = "anthropic.claude-3-haiku-20240307-v1:0"
    bedrock_agent_id: str | None = None
    bedrock_agent_alias_id: str | None = None
    bedrock_guardrail_id: str | None = None
    bedrock_guardrail_version: str | None = None
    bedrock_answer_mode: Literal["converse", "retrieve_and_generate", "agent"] = "converse"
    bedrock_rerank_model_arn: str | None = None
    bedrock_data_source_id: str | None = None
    bedrock_data_source_bucket: str | None = None
    bedrock_data_source_type: Literal["S3", "CUSTOM"] = "S3"
    bedrock_max_attempts: int = 4  # botocore adaptive retry: total attempts per call
    bedrock_connect_timeout: float = 5.0
    bedrock_read_timeout: float = 60.0
    bedrock_max_tokens: int = 1024
    bedrock_search_type: Literal["HYBRID", "SEMANTIC"] = "HYBRID"  # SEMANTIC for stores without hybrid

    # --- Slack ------------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    # --- Teams ------------------------------------------------------------------------------
    microsoft_app_id: str | None = None
    microsoft_app_password: SecretStr | None = None
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = "MultiTenant"
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
