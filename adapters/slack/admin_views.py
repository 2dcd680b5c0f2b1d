"""Block Kit for the admin surfaces: App Home, source lists, the "add source" modal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.admin.models import SourceHealth
from bot.models import Source
from bot.text import format_lag as _lag

SYNC_ACTION = "kbot_admin_sync"
OPEN_ADD_ACTION = "kbot_admin_open_add"
ADD_CALLBACK = "kbot_admin_add_source"
NON_ADMIN_HELP = (
    "*kbot* answers questions from the company's knowledge sources, with citations.\n"
    "• Mention me in a channel or message me directly with a question.\n"
    "• `/ask <question>` answers privately; `/summarize` summarises a thread.\n"
    "Only kbot admins can configure sources. Ask one of them if something is missing."
)
USAGE = (
    "*`/kbot-admin` commands*\n"
    "`sources` list sources · `status` sync health · `add` add a source (form)\n"
    "`sync NAME` sync now · `enable NAME` · `disable NAME` · `remove NAME`\n"
    "`admins` list admins · `admins add @user|email`\n"
    "`channel [sources=a,b|all] [visibility=members|ephemeral]` settings of this channel\n"
    "`answers` verified answers · `answers review` · `answers show|remove ID` · "
    "`answers edit ID audience=a,b|review=DATE|answer=TEXT` · `answers export` · `answers import`"
)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    fallback = moment.isoformat(timespec="minutes")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"




_ICON = {
    "ok": ":large_green_circle:",
    "failing": ":red_circle:",
    "syncing": ":arrows_counterclockwise:",
    "disabled": ":white_circle:",
    "never synced": ":large_yellow_circle:",
}


def health_blocks(rows: list[SourceHealth]) -> list[dict[str, Any]]:
    if not rows:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": "No sources configured yet."}}]
    out: list[dict[str, Any]] = []
    for h in rows:
        state = h.state + (" · sync queued" if h.pending_sync else "")
        text = (
            f"{_ICON.get(h.state, '')} *{h.name}* ({h.kind}) — {state}\n"
            f"Documents: {h.documents} · Failures: {h.failures} · Last sync: {_when(h.last_success)}"
            f" · Lag: {_lag(h.lag_seconds)}"
        )
        if h.last_error:
            text += f"\nLast error: {h.last_error[:300]}"
        block: dict[str, Any] = {
            "type": "section",
            "block_id": f"source:{h.name}",
            "text": {"type": "mrkdwn", "text": text},
        }
        if h.enabled:
            block["accessory"] = {
                "type": "button",
                "action_id": SYNC_ACTION,
                "value": h.name,
                "text": {"type": "plain_text", "text": "Sync now"},
            }
        out.append(block)
    return out


def home_view(rows: list[SourceHealth] | None) -> dict[str, Any]:
    """``rows`` is None for non-admins (they get the help text only)."""
    if rows is None:
        return {
            "type": "home",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": NON_ADMIN_HELP}}],
        }
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "kbot sources"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": OPEN_ADD_ACTION,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Add source"},
                }
            ],
        },
        {"type": "divider"},
        *health_blocks(rows),
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Type `/kbot-admin` for more commands."}],
        },
    ]
    return {"type": "home", "blocks": blocks}


def sources_blocks(sources: list[Source]) -> list[dict[str, Any]]:
    if not sources:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": "No sources configured yet."}}]
    lines = [
        f"• *{s.name}* ({s.kind}) {'enabled' if s.enabled else 'disabled'}"
        + (f" · audience: {', '.join(s.audience)}" if s.audience else "")
        for s in sources
    ]
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:2900]}}]


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint[:2000]}
    return block


def add_source_modal(kinds: dict[str, list[tuple[str, bool]]]) -> dict[str, Any]:
    """``kinds``: kind -> (setting, required) pairs, shown as hints."""
    hint = " | ".join(
        f"{kind}: " + ", ".join(f"{f}{'*' if req else ''}" for f, req in fields)
        for kind, fields in kinds.items()
    )
    options = [{"text": {"type": "plain_text", "text": k}, "value": k} for k in kinds]
    return {
        "type": "modal",
        "callback_id": ADD_CALLBACK,
        "title": {"type": "plain_text", "text": "Add a source"},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _input("kind", "Kind", {"type": "static_select", "action_id": "value", "options": options}),
            _input(
                "name",
                "Name",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "placeholder": {"type": "plain_text", "text": "hr-wiki"},
                },
            ),
            _input(
                "settings",
                "Settings (key=value, one per line)",
                {"type": "plain_text_input", "action_id": "value", "multiline": True},
                hint="Secrets only as references: token_ref=env:NAME or a Secrets Manager ARN. "
                "* = required. " + hint,
            ),
            _input(
                "audience",
                "Audience groups (comma-separated)",
                {"type": "plain_text_input", "action_id": "value"},
                optional=True,
                hint="Who may read documents that carry no permissions of their own.",
            ),
            _input(
                "schedule",
                "Sync every",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "placeholder": {"type": "plain_text", "text": "6h"},
                },
                optional=True,
            ),
        ],
    }


def modal_values(view: dict[str, Any]) -> dict[str, str]:
    """Plain values of the add-source modal's inputs, keyed by block id: raw as typed, never decoded
    (see ``adapters.slack.verified._value`` for the Slack documentation)."""
    out: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = actions.get("value") or {}
        if element.get("type") == "static_select":
            out[block_id] = ((element.get("selected_option") or {}).get("value")) or ""
        else:
            out[block_id] = element.get("value") or ""
    return out
