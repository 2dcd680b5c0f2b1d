"""Resolve secret references from source settings: ``env:NAME`` or a Secrets Manager ARN.

Values are cached for the life of the process and never logged. A Secrets Manager secret that
holds JSON with a single key, or a ``value`` key, yields that value; otherwise the raw string.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.errors import ConfigError
from bot.secret_refs import SECRET_REF_HELP, env_secret, is_secret_reference


class SecretResolver:
    """:class:`bot.secret_refs.SecretResolver` for ``env:NAME`` and Secrets Manager ARNs."""

    def __init__(self, client: Any = None, *, region: str | None = None, profile: str | None = None) -> None:
        self._client = client
        self._region = region
        self._profile = profile
        self._cache: dict[str, str] = {}

    def _secretsmanager(self) -> Any:
        if self._client is None:
            import boto3

            session = boto3.session.Session(profile_name=self._profile, region_name=self._region)
            self._client = session.client("secretsmanager")
        return self._client

    async def __call__(self, ref: str) -> str:
        if ref in self._cache:
            return self._cache[ref]
        if not is_secret_reference(ref):
            raise ConfigError(f"a secret reference must be {SECRET_REF_HELP.removeprefix('a secret reference: ')}")
        if ref.startswith("env:"):
            value = await env_secret(ref)
        else:
            value = await asyncio.to_thread(self._fetch, ref)
        self._cache[ref] = value
        return value

    def _fetch(self, arn: str) -> str:
        name = arn.split(":secret:", 1)[-1]
        try:
            resp = self._secretsmanager().get_secret_value(SecretId=arn)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise ConfigError(f"cannot read secret {name} from Secrets Manager ({code})") from None
        except BotoCoreError as exc:
            raise ConfigError(f"cannot reach Secrets Manager for {name}: {type(exc).__name__}") from None
        text = resp.get("SecretString")
        if text is None:
            raise ConfigError(f"secret {name} has no string value")
        try:
            data = json.loads(text)
        except ValueError:
            return str(text)
        if isinstance(data, dict):
            if "value" in data:
                return str(data["value"])
            if len(data) == 1:
                return str(next(iter(data.values())))
        return str(text)
