"""Typed deployment parameters: the one module that says what an environment may vary.

Values come from the ``kbot`` object in ``cdk.json`` context, overridable per deploy with
``cdk deploy -c kbot='{"region": "eu-central-1", ...}'`` or individual ``-c key=value`` entries.
Validation happens here, at synth time, so a typo fails before CloudFormation sees it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from bot.settings import BEDROCK_DEFAULT_FAST_MODEL, BEDROCK_DEFAULT_MODEL, inference_profile

_VALID_RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653}
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_ACCOUNT = re.compile(r"^\d{12}$")
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,20}$")


class InfraConfigError(ValueError):
    """A deployment parameter is missing or invalid."""


@dataclass(frozen=True)
class DeployConfig:
    account: str
    region: str = "us-east-1"
    name: str = "kbot"  # prefix of every resource name
    availability_zones: tuple[str, ...] = ()  # explicit, so synth never needs an AZ lookup
    nat_gateways: int = 1

    # --- knowledge -------------------------------------------------------------------------
    embedding_model_id: str = "amazon.titan-embed-text-v2:0"
    embedding_dimensions: int = 1024
    # The app's own defaults (bot/settings.py), through the deployment region's inference profile;
    # the IAM policies are generated from these ids (infra/stacks/common.py bedrock_model_arns).
    model_id: str = ""
    fast_model_id: str = ""
    enable_custom_data_source: bool = False
    data_source_type: Literal["S3", "CUSTOM"] = "S3"  # which data source the worker writes to
    enable_agent: bool = False
    retain_data: bool = True  # keep bucket, vectors and table on `cdk destroy`

    # --- bot -------------------------------------------------------------------------------
    certificate_arn: str | None = None  # ACM cert for HTTPS; Slack and Teams require HTTPS
    ingress_cidr: str = "0.0.0.0/0"
    web_cpu: int = 1024
    web_memory_mib: int = 2048
    web_min_tasks: int = 1
    web_max_tasks: int = 4
    web_requests_per_target: int = 120  # ALB requests per task per minute before scaling out
    admins: str = ""
    experts_channel: str | None = None
    teams_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = "SingleTenant"

    # --- ingest ----------------------------------------------------------------------------
    worker_cpu: int = 1024
    worker_memory_mib: int = 4096
    ingest_schedule: str = "rate(1 hour)"
    ingest_max_concurrency: int = 2
    sources_partition: str = "SOURCE"  # single-table pk value under which sources live

    # --- observability ---------------------------------------------------------------------
    log_retention_days: int = 30
    alarm_email: str | None = None
    latency_alarm_seconds: float = 20.0
    ingest_lag_alarm_hours: float = 6.0

    extra_tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not _ACCOUNT.match(self.account):
            problems.append(f"account must be a 12-digit AWS account id, got {self.account!r}")
        if not _REGION.match(self.region):
            problems.append(f"region {self.region!r} is not an AWS region name")
        if not _NAME.match(self.name):
            problems.append("name must be 2-21 chars of lowercase letters, digits and '-'")
        if len(f"{self.name}-documents-{self.account}-{self.region}") > 63:
            problems.append("name is too long for the documents bucket name (63 characters at most)")
        if not self.model_id:
            object.__setattr__(self, "model_id", inference_profile(BEDROCK_DEFAULT_MODEL, self.region))
        if not self.fast_model_id:
            object.__setattr__(self, "fast_model_id", inference_profile(BEDROCK_DEFAULT_FAST_MODEL, self.region))
        if not self.availability_zones:
            object.__setattr__(self, "availability_zones", (f"{self.region}a", f"{self.region}b"))
        elif any(not az.startswith(self.region) for az in self.availability_zones):
            problems.append(f"availability_zones must be in {self.region}")
        if self.data_source_type == "CUSTOM" and not self.enable_custom_data_source:
            problems.append("data_source_type CUSTOM needs enable_custom_data_source: true")
        if self.log_retention_days not in _VALID_RETENTION_DAYS:
            problems.append(f"log_retention_days must be one of {sorted(_VALID_RETENTION_DAYS)}")
        if not (1 <= self.web_min_tasks <= self.web_max_tasks):
            problems.append("need 1 <= web_min_tasks <= web_max_tasks")
        if self.web_requests_per_target < 1:
            problems.append("web_requests_per_target must be at least 1")
        if not re.match(r"^(rate|cron)\(.+\)$", self.ingest_schedule):
            problems.append("ingest_schedule must be an EventBridge rate(...) or cron(...) expression")
        if self.certificate_arn and not self.certificate_arn.startswith("arn:aws"):
            problems.append("certificate_arn must be an ACM certificate ARN")
        if problems:
            raise InfraConfigError("invalid kbot deploy config: " + "; ".join(problems))

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> DeployConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InfraConfigError(f"unknown kbot deploy config keys: {', '.join(unknown)}")
        if "account" not in values or not values["account"]:
            raise InfraConfigError("kbot deploy config needs 'account' (or CDK_DEFAULT_ACCOUNT)")
        cleaned = dict(values)
        if "availability_zones" in cleaned:
            cleaned["availability_zones"] = tuple(cleaned["availability_zones"])
        return cls(**cleaned)

    @classmethod
    def from_context(cls, context: Any, default_account: str | None, default_region: str | None) -> DeployConfig:
        """Build from CDK context: the ``kbot`` object (dict or JSON string), then the env defaults."""
        raw = context or {}
        values: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else dict(raw)
        if default_account:
            values.setdefault("account", default_account)
        if default_region:
            values.setdefault("region", default_region)
        return cls.from_mapping(values)
