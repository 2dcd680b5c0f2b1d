"""Checks on what an expert or admin submits: bad input gets a clear message and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from bot.errors import InputError

MAX_ANSWER_CHARS = 8000
MAX_QUESTION_CHARS = 1500
MAX_GROUPS = 50
# Markup that would act instead of being read when the answer is shown later: Slack broadcast and
# user-group mentions (<!channel>, <!here>, <!subteam^...>), HTML/script tags, javascript: links.
_INJECTION = re.compile(
    r"<!|<\s*/?\s*(script|iframe|img|style|object|embed|svg|form|input|link|meta)\b|javascript\s*:",
    re.IGNORECASE,
)
_GROUP = re.compile(r"^[^\s,<>]{1,200}$")


def clean_text(text: str | None, *, what: str, limit: int) -> str:
    value = (text or "").replace("\r\n", "\n").strip()
    if not value:
        raise InputError(f"the {what} is empty", user_message=f"The {what} is empty. Nothing was saved.")
    if len(value) > limit:
        raise InputError(
            f"the {what} is {len(value):,} characters (limit {limit:,})",
            user_message=f"The {what} is too long ({len(value):,} characters; the limit is {limit:,}). "
            "Nothing was saved.",
        )
    if _INJECTION.search(value):
        raise InputError(
            f"the {what} contains markup that is not allowed",
            user_message=f"The {what} contains markup that isn't allowed (broadcast mentions like "
            "<!channel>, HTML tags or javascript: links). Nothing was saved.",
        )
    return value


def clean_answer(text: str | None) -> str:
    return clean_text(text, what="answer", limit=MAX_ANSWER_CHARS)


def clean_question(text: str | None) -> str:
    return clean_text(text, what="question", limit=MAX_QUESTION_CHARS)


def clean_audience(groups: Iterable[str] | str | None) -> list[str]:
    """Groups from a list or a comma-separated string; empty = everyone."""
    raw = groups.split(",") if isinstance(groups, str) else list(groups or [])
    names = list(dict.fromkeys(g.strip() for g in raw if g and g.strip()))
    bad = [g for g in names if not _GROUP.match(g)]
    if bad or len(names) > MAX_GROUPS:
        raise InputError(
            f"bad audience group(s): {', '.join(bad[:3]) or 'too many'}",
            user_message="Audience groups must be a comma-separated list of group names. Nothing was saved.",
        )
    return names


def parse_review_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    value = value.strip()
    if not value or value.lower() in ("none", "never"):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"bad review date {value[:40]!r}",
            user_message="The review date must look like 2027-03-12. Nothing was saved.",
        ) from None
