"""Validate admin input for a new or changed source: kind, name, settings, audience, schedule.

Messages never echo setting values (they may be secrets pasted by mistake).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from bot.admin.secrets import check_settings_for_secrets, secret_kind
from bot.errors import InputError
from bot.models import Source

SourceKinds = Mapping[str, type[BaseModel]]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_GROUP = re.compile(r"^[\w .@:/+-]{1,128}$")
_INTERVAL = re.compile(r"^\d{1,4}[mhd]$")
_URL_KEY = re.compile(r"(^|_)(url|endpoint)$")


def shown(value: str) -> str:
    """``value`` for an error message: cut short, and never a pasted credential."""
    return "(a value that looks like a secret)" if secret_kind(value) else value[:40]


def validate_name(name: str) -> str:
    name = (name or "").strip()
    if secret_kind(name):
        raise InputError("the source name looks like a secret; pick a plain name such as hr-wiki")
    if not _NAME.match(name):
        raise InputError(
            f"invalid source name '{shown(name)}': use 1-63 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return name


def validate_kind(kind: str, kinds: SourceKinds) -> type[BaseModel]:
    if kind not in kinds:
        known = ", ".join(sorted(kinds)) or "(none registered)"
        raise InputError(f"unknown source kind '{shown(kind)}'; known kinds: {known}")
    return kinds[kind]


def schedule_minutes(schedule: str) -> int:
    """``15m``, ``6h`` or ``1d`` -> minutes between syncs."""
    text = schedule.strip().lower()
    if not _INTERVAL.match(text) or int(text[:-1]) == 0:
        raise InputError(f"invalid schedule '{shown(text)}': use an interval like 15m, 6h or 1d")
    return int(text[:-1]) * {"m": 1, "h": 60, "d": 1440}[text[-1]]


def validate_audience(audience: list[str] | None) -> list[str]:
    groups = [g.strip() for g in audience or [] if g and g.strip()]
    for group in groups:
        if secret_kind(group):
            raise InputError(
                "an audience group looks like a secret (a token?); the audience lists group names. "
                "Nothing was saved."
            )
        if not _GROUP.match(group):
            raise InputError(f"invalid audience group '{shown(group)}'")
    return sorted(set(groups))


def check_url(field: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"setting '{field}' is not a valid http(s) URL. Nothing was saved.")


def validate_settings(kind: str, model: type[BaseModel], settings: Mapping[str, Any]) -> dict[str, Any]:
    raw = check_settings_for_secrets(dict(settings))
    for key, value in raw.items():
        if _URL_KEY.search(key) and isinstance(value, str):
            check_url(key, value)
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"invalid settings for a {kind} source: {_describe(exc)}. Nothing was saved.") from None
    clean: dict[str, Any] = parsed.model_dump(mode="json", exclude_none=True)
    for key, value in clean.items():
        if _URL_KEY.search(key) and isinstance(value, str):
            check_url(key, value)
    return clean


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if not where:
            problems.append(msg)
        elif err["type"] == "missing":
            problems.append(f"missing setting '{where}'")
        elif err["type"] == "extra_forbidden":
            problems.append(f"unknown setting '{where}'")
        elif "url" in err["type"]:
            problems.append(f"setting '{where}' is not a valid URL")
        else:
            problems.append(f"setting '{where}': {msg}")
    return "; ".join(problems)


def build_source(
    *,
    kind: str,
    name: str,
    settings: Mapping[str, Any],
    kinds: SourceKinds,
    audience: list[str] | None = None,
    schedule: str | None = None,
    enabled: bool = True,
) -> Source:
    """A validated :class:`Source` ready to save, or :class:`InputError`."""
    name = validate_name(name)
    model = validate_kind(kind, kinds)
    merged = dict(settings)
    if schedule:
        if "interval_minutes" not in model.model_fields:
            raise InputError(f"{kind} sources have no sync schedule")
        merged["interval_minutes"] = schedule_minutes(schedule)
    clean = validate_settings(kind, model, merged)
    return Source(name=name, kind=kind, settings=clean, enabled=enabled, audience=validate_audience(audience))


def parse_settings_pairs(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` strings (CLI ``--set``, chat forms) -> dict. JSON lists/objects are parsed."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError(f"bad setting '{shown(pair)}': expected key=value")
        key, value = (p.strip() for p in pair.split("=", 1))
        if not key:
            raise InputError("bad setting: empty key before '='")
        if value[:1] in "[{":
            try:
                out[key] = json.loads(value)
                continue
            except json.JSONDecodeError:
                raise InputError(f"setting '{key}' is not valid JSON") from None
        out[key] = value
    return out
