"""Deployment parameters are typed and validated before CloudFormation sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import BEDROCK_DEFAULT_FAST_MODEL, BEDROCK_DEFAULT_MODEL, Settings
from infra.config import DeployConfig, InfraConfigError
from infra.stacks.common import bedrock_model_arns


def test_defaults_follow_the_app_settings() -> None:
    config = DeployConfig(account="123456789012")
    app = Settings(_env_file=None, aws_region="us-east-1")  # type: ignore[call-arg]
    assert config.model_id == app.bedrock_model_id == f"us.{BEDROCK_DEFAULT_MODEL}"
    assert config.fast_model_id == app.bedrock_fast_model_id == f"us.{BEDROCK_DEFAULT_FAST_MODEL}"
    assert config.availability_zones == ("us-east-1a", "us-east-1b")
    eu = DeployConfig(account="123456789012", region="eu-west-1")
    assert eu.model_id == f"eu.{BEDROCK_DEFAULT_MODEL}"  # the region's inference profile


def test_default_model_iam_covers_the_profile_and_its_model_in_every_region() -> None:
    config = DeployConfig(account="123456789012")
    assert bedrock_model_arns(config.model_id, config.region, config.account, "aws") == [
        f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{BEDROCK_DEFAULT_MODEL}",
        f"arn:aws:bedrock:*::foundation-model/{BEDROCK_DEFAULT_MODEL}",
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"account": "12345"}, "12-digit"),
        ({"account": "123456789012", "region": "mars-1"}, "not an AWS region"),
        ({"account": "123456789012", "data_source_type": "CUSTOM"}, "enable_custom_data_source"),
        ({"account": "123456789012", "log_retention_days": 31}, "log_retention_days"),
        ({"account": "123456789012", "ingest_schedule": "hourly"}, "rate(...)"),
        ({"account": "123456789012", "web_min_tasks": 3, "web_max_tasks": 2}, "web_min_tasks"),
        ({"account": "123456789012", "colour": "blue"}, "unknown kbot deploy config keys: colour"),
        ({"region": "us-east-1"}, "needs 'account'"),
    ],
)
def test_invalid_values_fail_with_a_clear_message(values: dict, message: str) -> None:
    with pytest.raises(InfraConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        DeployConfig.from_mapping(values)


def test_context_accepts_json_string_and_env_defaults() -> None:
    config = DeployConfig.from_context(json.dumps({"enable_agent": True}), "210987654321", "eu-central-1")
    assert (config.account, config.region, config.enable_agent) == ("210987654321", "eu-central-1", True)
    explicit = DeployConfig.from_context({"account": "123456789012", "region": "us-west-2"}, "210987654321", None)
    assert (explicit.account, explicit.region) == ("123456789012", "us-west-2")


def test_inference_profiles_need_the_profile_and_the_model_in_any_region() -> None:
    direct = bedrock_model_arns("anthropic.claude-3-haiku-20240307-v1:0", "us-east-1", "123456789012", "aws")
    assert direct == ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
    profile = bedrock_model_arns("us.anthropic.claude-3-5-haiku-20241022-v1:0", "us-east-1", "123456789012", "aws")
    assert profile == [
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
    ]


def test_cdk_entry_point_reports_bad_config_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDK_")}
    env.update(CDK_OUTDIR=str(tmp_path), CDK_CONTEXT_JSON=json.dumps({"kbot": {"region": "us-east-1"}}))
    proc = subprocess.run(
        [sys.executable, "-m", "infra.app"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "kbot infra: error: kbot deploy config needs 'account' (or CDK_DEFAULT_ACCOUNT)"
    )
    assert "Traceback" not in proc.stderr
