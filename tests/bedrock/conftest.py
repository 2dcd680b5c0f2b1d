"""Fixtures: a local Bedrock endpoint reached through the real AWS configuration chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.bedrock.fake_bedrock import FakeBedrock


def aws_env(url: str, tmp: Path) -> dict[str, str]:
    """Environment for a process talking to the fake endpoint with dummy credentials only."""
    return {
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url,
        "AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME": url,
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLETEST",
        "AWS_SECRET_ACCESS_KEY": "test-secret-key",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp / "aws-config-none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "aws-credentials-none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@pytest.fixture
async def fake_bedrock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[FakeBedrock]:
    server = FakeBedrock()
    await server.start()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in aws_env(server.url, tmp_path).items():
        monkeypatch.setenv(name, value)
    try:
        yield server
    finally:
        await server.stop()
    assert not server.errors, "fake Bedrock saw invalid or unscripted calls:\n" + "\n".join(server.errors)


@pytest.fixture
def bedrock_settings(fake_bedrock: FakeBedrock) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        kbot_backend="bedrock",
        bedrock_knowledge_base_id="KBTEST1234",
        aws_region="us-east-1",  # default models: us.* inference profiles
        bedrock_max_attempts=3,
        bedrock_connect_timeout=2,
        bedrock_read_timeout=10,
    )
