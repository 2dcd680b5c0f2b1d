"""Adaptive Cards (plain dicts) for the Teams admin commands."""

from __future__ import annotations

from typing import Any

from bot.admin.commands import USAGE, AdminReply
from bot.admin.models import SourceHealth
from bot.text import format_lag as _lag

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SYNC_VERB = "kbot_admin_sync"
ADD_VERB = "kbot_admin_add"
OPEN_ADD_VERB = "kbot_admin_open_add"


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }
    if actions:
        out["actions"] = actions
    return out


def card_activity(content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "content": content}]}


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}




def health_card(rows: list[SourceHealth], note: str = "") -> dict[str, Any]:
    body: list[dict[str, Any]] = [_text("kbot sources", size="Large", weight="Bolder")]
    if note:
        body.append(_text(note, color="Accent"))
    if not rows:
        body.append(_text("No sources configured yet."))
    for h in rows:
        last = h.last_success.isoformat(timespec="minutes") if h.last_success else "never"
        container: dict[str, Any] = {
            "type": "Container",
            "separator": True,
            "items": [
                _text(f"**{h.name}** ({h.kind}): {h.state}" + (" · sync queued" if h.pending_sync else "")),
                {
                    "type": "FactSet",
                    "facts": [
                        {"title": "Documents", "value": str(h.documents)},
                        {"title": "Failures", "value": str(h.failures)},
                        {"title": "Last sync", "value": last},
                        {"title": "Lag", "value": _lag(h.lag_seconds)},
                    ],
                },
            ],
        }
        if h.last_error:
            container["items"].append(_text(f"Last error: {h.last_error[:300]}", color="Attention"))
        if h.enabled:
            container["items"].append(
                {
                    "type": "ActionSet",
                    "actions": [
                        {
                            "type": "Action.Execute",
                            "title": "Sync now",
                            "verb": SYNC_VERB,
                            "data": {"source": h.name},
                        }
                    ],
                }
            )
        body.append(container)
    return card(body, [{"type": "Action.Execute", "title": "Add source", "verb": OPEN_ADD_VERB, "data": {}}])


def reply_card(reply: AdminReply) -> dict[str, Any]:
    if reply.health is not None:
        return health_card(reply.health)
    if reply.sources is not None:
        lines = [
            f"- **{s.name}** ({s.kind}) {'enabled' if s.enabled else 'disabled'}"
            + (f", audience: {', '.join(s.audience)}" if s.audience else "")
            for s in reply.sources
        ]
        return card(
            [_text("Sources", weight="Bolder"), _text("\n".join(lines) or "No sources configured yet.")]
        )
    if reply.admins is not None:
        lines = [
            f"- {a.user} ({'KBOT_ADMINS' if a.added_by == 'KBOT_ADMINS' else 'added by ' + a.added_by})"
            for a in reply.admins
        ]
        return card([_text("kbot admins", weight="Bolder"), _text("\n".join(lines) or "No admins.")])
    return card([_text(USAGE if reply.usage else reply.text)])


def add_source_card(
    kinds: dict[str, list[tuple[str, bool]]], values: dict[str, str] | None = None, error: str | None = None
) -> dict[str, Any]:
    values = values or {}
    hint = "; ".join(
        f"{k}: " + ", ".join(f + ("*" if req else "") for f, req in fields) for k, fields in kinds.items()
    )
    body: list[dict[str, Any]] = [_text("Add a source", size="Large", weight="Bolder")]
    if error:
        body.append(_text(error, color="Attention"))
    body += [
        {
            "type": "Input.ChoiceSet",
            "id": "kind",
            "label": "Kind",
            "isRequired": True,
            "value": values.get("kind", ""),
            "choices": [{"title": k, "value": k} for k in kinds],
        },
        {
            "type": "Input.Text",
            "id": "name",
            "label": "Name",
            "placeholder": "hr-wiki",
            "isRequired": True,
            "value": values.get("name", ""),
        },
        {
            "type": "Input.Text",
            "id": "settings",
            "label": "Settings (key=value, one per line)",
            "isMultiline": True,
            "value": values.get("settings", ""),
        },
        _text(
            "Secrets only as references: token_ref=env:NAME or a Secrets Manager ARN. * = required. " + hint,
            size="Small",
            isSubtle=True,
        ),
        {
            "type": "Input.Text",
            "id": "audience",
            "label": "Audience groups (comma-separated)",
            "value": values.get("audience", ""),
        },
        {
            "type": "Input.Text",
            "id": "schedule",
            "label": "Sync every (15m, 6h, 1d)",
            "value": values.get("schedule", ""),
        },
    ]
    return card(body, [{"type": "Action.Execute", "title": "Add", "verb": ADD_VERB, "data": {}}])
