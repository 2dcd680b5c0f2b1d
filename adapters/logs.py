"""Logging setup: human-readable on a terminal, JSON lines otherwise; secrets redacted."""

from __future__ import annotations

import json
import logging
import re
import sys

from bot.secret_refs import TOKEN_PATTERNS

# Credentials by shape (the same patterns the admin checks refuse to store), and any value given
# to a key that names a secret.
_SECRET_PATTERNS = [
    *(pattern for pattern, _kind in TOKEN_PATTERNS),
    re.compile(r"(?i)(authorization|password|secret|token|api[_-]?key)([\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)"),
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]{8,}"),
]


def redact(text: str) -> str:
    for pat in _SECRET_PATTERNS:
        if pat.groups == 3:
            text = pat.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
        else:
            text = pat.sub("***", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        red = redact(msg)
        if red != msg:
            record.msg, record.args = red, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key.startswith("kb_"):
                data[key[3:]] = value
        if record.exc_info:
            data["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(data, default=str)


def setup_logging(level_name: str = "WARNING", *, debug: bool = False) -> None:
    """``level_name``: ``Settings.kbot_log_level`` (an unknown name means WARNING)."""
    level = logging.DEBUG if debug else logging.getLevelNamesMapping().get(level_name.upper(), logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    if sys.stderr.isatty():
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("unstructured", "urllib3", "botocore", "asyncio", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
