"""One statement of secret references and credential shapes (``bot.secret_refs``), used everywhere.

The admin checks (``bot.admin.secrets``), each kind's settings model (``ingest/connectors``) and the
log redaction (``adapters.logs``) must agree: a reference one accepts the others accept, and every
credential the admin refuses to store is also kept out of the logs.
"""

from __future__ import annotations

import pytest

from adapters.logs import redact
from adapters.secrets import SecretResolver
from bot.admin.secrets import normalize_reference, secret_kind
from bot.errors import ConfigError, InputError
from ingest.registry import validate_settings

CONFLUENCE = {"base_url": "https://x.atlassian.net/wiki", "spaces": ["ENG"], "email": "a@b.c"}
REFERENCES = [
    ("env:CONF_TOKEN", True),
    ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:kbot/confluence-AbCdEf", True),
    ("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:kbot-x", True),
    ("arn:aws:secretsmanager:eu-west-1:123:secret:short-account", False),
    ("arn:aws:secretsmanager:", False),
    ("env:", False),
    ("ATATT3xFfGF0realtokenvalue1234567890", False),
]
CREDENTIALS = [
    "xoxb-1234567890-abcdefghij",
    "xapp-1-A0123456789-abcdef",
    "ATATT3xFfGF0T4nJ8mUq2vXyZ0123456789abc",
    "AKIAIOSFODNN7EXAMPLE",
    "ASIAIOSFODNN7EXAMPLE",
    "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrYm90In0.c2lnbmF0dXJl",
    "-----BEGIN RSA PRIVATE KEY-----",
    "Bearer abcdefghijklmnop1234",
]


@pytest.mark.parametrize(("ref", "valid"), REFERENCES)
def test_settings_models_and_admin_checks_accept_the_same_references(ref: str, valid: bool) -> None:
    def model_accepts() -> bool:
        try:
            validate_settings("confluence", {**CONFLUENCE, "token_ref": ref})
        except InputError:
            return False
        return True

    def admin_accepts() -> bool:
        try:
            return normalize_reference("token_ref", ref) == ref
        except InputError:
            return False

    assert model_accepts() is valid and admin_accepts() is valid


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_what_the_admin_refuses_to_store_never_reaches_a_log(credential: str) -> None:
    assert secret_kind(credential) is not None
    line = redact(f"calling the wiki with {credential} failed")
    assert credential not in line and "***" in line


@pytest.mark.parametrize(("ref", "valid"), REFERENCES)
async def test_the_resolver_only_looks_up_what_is_a_reference(ref: str, valid: bool, monkeypatch) -> None:
    class RecordingSecretsManager:
        def __init__(self) -> None:
            self.asked: list[str] = []

        def get_secret_value(self, SecretId: str) -> dict:  # noqa: N803 - the boto3 keyword
            self.asked.append(SecretId)
            return {"SecretString": "value"}

    monkeypatch.setenv("CONF_TOKEN", "value")
    client = RecordingSecretsManager()
    resolver = SecretResolver(client)
    if valid:
        assert await resolver(ref) == "value"
    else:
        with pytest.raises(ConfigError, match="env:VAR_NAME"):
            await resolver(ref)
        assert client.asked == []  # a malformed ARN never reaches Secrets Manager
