"""Tell secret *references* from raw secrets pasted into source settings.

A reference is ``env:NAME`` (an environment variable) or a Secrets Manager ARN (the rules and the
token patterns are :mod:`bot.secret_refs`). Settings fields ending in ``_ref`` must hold one; no
other field may hold something that looks like a credential (known token prefixes, private keys,
JWTs, long high-entropy strings).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.errors import InputError
from bot.secret_refs import TOKEN_PATTERNS, is_secret_reference

_BARE_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# Long identifiers that are not secrets: URLs, references, SharePoint drive ids (b!...), Teams
# conversation/user ids (19:, 28:, 29:, a:).
_ID_PREFIXES = ("http://", "https://", "arn:", "env:", "b!", "19:", "28:", "29:", "a:")
# Identifiers that are long but not secret: GUIDs, hex ids, SharePoint site ids.
_HARMLESS = re.compile(r"^[0-9A-Fa-f,.\-{}]+$|^[a-z0-9.-]+\.[a-z]{2,}(,[0-9a-fA-F-]+)*$")
_SECRET_QUERY_KEYS = re.compile(
    r"(?i)^(token|access_token|refresh_token|id_token|api_?key|key|password|passwd|pwd|secret|client_secret"
    r"|sig|signature|auth|authorization|code|session|sessionid)$"
)
_USER_FIELD_NAMES = re.compile(r"(?i)^(user|username|user_name|login|email|account)$")
_SECRET_FIELD_NAMES = re.compile(r"(?i)^(password|passwd|secret|client_secret|token|api_?key|access_key|private_key)$")


def normalize_reference(field: str, value: Any) -> str:
    """Return the canonical reference for a ``*_ref`` field, or raise :class:`InputError`."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"setting '{field}' must be a secret reference (env:NAME or a Secrets Manager ARN)")
    text = value.strip()
    if is_secret_reference(text):
        return text
    if _BARE_ENV_NAME.match(text):
        return f"env:{text}"
    raise InputError(
        f"setting '{field}' must be a secret reference, not the secret itself: put the secret in an "
        "environment variable or AWS Secrets Manager and pass env:NAME or the secret's ARN. "
        "Nothing was saved."
    )


def url_credential(value: str) -> str | None:
    """A URL carrying a credential: ``https://user:pass@host`` or ``?token=…``."""
    if "://" not in value:
        return None
    try:
        parts = urlsplit(value.strip())
        password = parts.password
    except ValueError:
        return None
    if password:
        return "a URL with a password in it"
    if any(_SECRET_QUERY_KEYS.match(k) and v for k, v in parse_qsl(parts.query, keep_blank_values=True)):
        return "a URL with a credential in its query string"
    return None


def secret_kind(value: str) -> str | None:
    """What kind of credential ``value`` looks like, or ``None``."""
    for pattern, kind in TOKEN_PATTERNS:
        if pattern.search(value):
            return kind
    in_url = url_credential(value)
    if in_url:
        return in_url
    if value.startswith(_ID_PREFIXES) or " " in value.strip():
        return None
    path_like = value.startswith(("/", "~", "./", "\\")) or re.match(r"^[A-Za-z]:\\", value) is not None
    for piece in re.split(r"[\s,;/\\]+" if path_like else r"[\s,;]+", value):
        if len(piece) >= 32 and not _HARMLESS.match(piece) and _looks_random(piece):
            return "a long random string (an API key?)"
    return None


def _looks_random(piece: str) -> bool:
    """Mixed-case letters and digits with high entropy and a long unbroken run: generated keys,
    not hyphenated names, words or hex ids."""
    if not all(re.search(p, piece) for p in (r"[a-z]", r"[A-Z]", r"[0-9]")):
        return False
    if max(len(run) for run in re.split(r"[-_.]", piece)) < 16:
        return False
    counts = Counter(piece)
    entropy = -sum(c / len(piece) * math.log2(c / len(piece)) for c in counts.values())
    return entropy >= 4.0


def walk_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, string) for every string inside nested dicts/lists."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{i}]")


def check_settings_for_secrets(settings: dict[str, Any]) -> dict[str, Any]:
    """Validate references and reject raw secrets; returns settings with references normalised."""
    out = dict(settings)
    for key, value in settings.items():
        if key.endswith("_ref"):
            out[key] = normalize_reference(key, value)
        elif _SECRET_FIELD_NAMES.match(key):
            raise InputError(
                f"setting '{key}' would store a raw secret; pass '{key}_ref' with env:NAME or a "
                "Secrets Manager ARN instead. Nothing was saved."
            )
    for key, value in out.items():
        if _USER_FIELD_NAMES.match(key) and isinstance(value, str) and ":" in value:
            raise InputError(
                f"setting '{key}' looks like a user name with a password after ':'; give the user name "
                "only and the password as a *_ref setting (env:NAME or a Secrets Manager ARN). Nothing was saved."
            )
    for path, text in walk_strings({k: v for k, v in out.items() if not k.endswith("_ref")}):
        kind = secret_kind(text)
        if kind:
            raise InputError(
                f"setting '{path}' looks like {kind}. Secrets are never stored in kbot's configuration: "
                "put it in an environment variable or AWS Secrets Manager and pass a *_ref setting "
                "(env:NAME or the secret's ARN). Nothing was saved."
            )
    return out
