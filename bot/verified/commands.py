"""``answers ...``: the verified-answer admin commands of ``/kbot-admin`` (Slack) and ``admin`` (Teams).

``answers`` | ``answers review`` | ``answers show ID`` | ``answers remove ID`` |
``answers edit ID audience=a,b`` / ``review=YYYY-MM-DD|never`` / ``answer=TEXT`` / ``question=TEXT`` |
``answers export`` | ``answers import`` followed by JSON Lines (one answer per line).
"""

from __future__ import annotations

from bot.admin.models import Actor
from bot.errors import InputError
from bot.verified.models import VerifiedAnswer
from bot.verified.service import VerifiedAnswers

USAGE = (
    "answers | answers review | answers show ID | answers remove ID | "
    "answers edit ID audience=a,b|review=YYYY-MM-DD|answer=TEXT|question=TEXT | answers export | "
    "answers import (then one JSON answer per line)"
)
MAX_REPLY_CHARS = 2800  # a Slack section holds 3000 characters


def _plain(text: str, limit: int = 120) -> str:
    """User text shown inside an admin reply: no markup of either platform acts."""
    flat = " ".join(text.split()).replace("<", "‹").replace(">", "›").replace("`", "'")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _line(a: VerifiedAnswer) -> str:
    audience = ", ".join(a.audience) or "everyone"
    review = " ⚠ needs review" if a.needs_review() else ""
    return f"• `{a.id}` {_plain(a.question, 90)} ({a.marker()}; {audience}){review}"


def _fit(lines: list[str], more: str) -> str:
    out: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in out) + len(line) > MAX_REPLY_CHARS:
            out.append(more)
            break
        out.append(line)
    return "\n".join(out)


async def run_answers_command(service: VerifiedAnswers, actor: Actor, text: str) -> str:
    """``text``: what follows ``answers``. Raises PermissionDenied / InputError / NotFoundError."""
    head, _, body = text.strip().partition("\n")
    words = head.split()
    verb, args = (words[0].lower(), words[1:]) if words else ("list", [])
    if verb in ("list", "review"):
        found = await service.list_answers(actor, needs_review=verb == "review")
        if not found:
            return "No verified answers need review." if verb == "review" else "No verified answers yet."
        title = "Verified answers that need review:" if verb == "review" else "Verified answers:"
        return _fit([title] + [_line(a) for a in found], "… (more: kbot answers list)")
    if verb == "show" and len(args) == 1:
        a = await service.show(actor, args[0])
        audience = ", ".join(a.audience) or "everyone"
        review = a.review_by.isoformat() if a.review_by else "none"
        return (
            f"`{a.id}` {a.marker()}\n*Question:* {_plain(a.question, 1500)}\n*Answer:* {_plain(a.answer, 2000)}\n"
            f"*Audience:* {audience}  *Review by:* {review}"
        )
    if verb == "remove" and len(args) == 1:
        await service.remove(actor, args[0])
        return f"Verified answer {args[0]} removed."
    if verb == "edit" and len(args) >= 2:
        return await _edit(service, actor, args[0], head.split(None, 2)[2])
    if verb == "export":
        lines = await service.export(actor)
        return _fit(
            [f"{len(lines)} verified answer(s), JSON Lines:"] + [_plain(x, 2800) for x in lines],
            "… (too long for chat: run kbot answers export)",
        )
    if verb == "import":
        count = await service.import_lines(actor, body.splitlines())
        return f"Imported {count} verified answer(s)."
    await service.admin.require_admin(actor, "answers.help")
    raise InputError(f"usage: {USAGE}")


async def _edit(service: VerifiedAnswers, actor: Actor, answer_id: str, assignment: str) -> str:
    key, sep, value = assignment.partition("=")
    key = key.strip().lower()
    if not sep or key not in ("audience", "review", "answer", "question"):
        await service.admin.require_admin(actor, "answers.edit")
        raise InputError("usage: answers edit ID audience=a,b | review=YYYY-MM-DD|never | answer=TEXT | question=TEXT")
    value = value.strip()
    if key == "audience":
        saved = await service.edit(actor, answer_id, audience=value)
    elif key == "review":
        saved = await service.edit(actor, answer_id, review_by=value)
    elif key == "answer":
        saved = await service.edit(actor, answer_id, answer=value)
    else:
        saved = await service.edit(actor, answer_id, question=value)
    return f"Verified answer {saved.id} updated ({key})."
