"""The one statement of what a secret reference is and what a credential looks like.

A reference is ``env:NAME`` (an environment variable) or an AWS Secrets Manager secret ARN; source
settings keep references (fields ending in ``_ref``), never secrets. ``TOKEN_PATTERNS`` recognise
credentials by shape: the admin checks refuse to store them (:mod:`bot.admin.secrets`) and the log
formatter redacts them (:mod:`adapters.logs`). Resolving an ARN needs AWS, so that resolver lives in
:mod:`adapters.secrets`; :func:`env_secret` is the core's default.
"""

from __future__ import annotations

import os
import re
from typing import Protocol

from bot.errors import ConfigError

ENV_REF = re.compile(r"^env:[A-Za-z_][A-Za-z0-9_]*$")
ARN_REF = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$")
SECRET_REF_HELP = "a secret reference: 'env:VAR_NAME' or a Secrets Manager ARN 'arn:aws:secretsmanager:...'"

TOKEN_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"xox[abposre]-[A-Za-z0-9-]{8,}"), "a Slack token"),
    (re.compile(r"xapp-[A-Za-z0-9-]{8,}"), "a Slack app token"),
    (re.compile(r"ATATT[A-Za-z0-9_\-=]{16,}"), "an Atlassian API token"),
    (re.compile(r"(?:AKIA|ASIA)[0-9A-Z]{16}"), "an AWS access key"),
    (re.compile(r"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"), "a GitHub token"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), "a JWT"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]{16,}"), "a bearer token"),
]


def is_secret_reference(value: str) -> bool:
    return bool(ENV_REF.match(value) or ARN_REF.match(value))


def check_secret_reference(value: str | None) -> str | None:
    """A pydantic field validator for ``*_ref`` settings (``None`` passes: the field is optional)."""
    if value is None or is_secret_reference(value):
        return value
    raise ValueError(f"must be {SECRET_REF_HELP}, never the secret itself")


class SecretResolver(Protocol):
    async def __call__(self, ref: str) -> str:
        """The secret a reference names; ConfigError when it cannot be read."""
        ...


async def env_secret(ref: str) -> str:
    """Resolve ``env:NAME``; ARNs need the Secrets Manager resolver from ``adapters``."""
    if ref.startswith("env:"):
        value = os.environ.get(ref[4:])
        if not value:
            raise ConfigError(f"secret reference {ref}: environment variable is not set")
        return value
    raise ConfigError(f"secret reference {ref.split(':secret:')[0]}...: no Secrets Manager resolver set up")
