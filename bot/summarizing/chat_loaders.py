"""Slack ``conversations.replies`` JSON and Teams activities -> :class:`Conversation`."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from bot.errors import InputError
from bot.models import Conversation, Message

_SKIPPED_SUBTYPES = {
    "channel_join",
    "channel_leave",
    "message_deleted",
    "tombstone",
    "group_join",
    "channel_topic",
    "channel_purpose",
    "pinned_item",
    "reminder_add",
}
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]+))?>")
_CHANNEL_MENTION = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_SPECIAL_MENTION = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_TAG = re.compile(r"<[^>]+>")
_AT_TAG = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|h\d)[^>]*>", re.IGNORECASE)


def slack_text(text: str, directory: Mapping[str, str] | None = None) -> str:
    """Render Slack mrkdwn: ``<@U1>`` -> ``@Name``, ``<url|label>`` -> ``label``, entities decoded."""

    def user(match: re.Match[str]) -> str:
        uid, label = match.group(1), match.group(2)
        return "@" + ((directory or {}).get(uid) or label or uid)

    text = _USER_MENTION.sub(user, text)
    text = _CHANNEL_MENTION.sub(lambda m: "#" + m.group(1), text)
    text = _SPECIAL_MENTION.sub(lambda m: "@" + m.group(1), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return html.unescape(text)


def _slack_permalink(base: str | None, ts: str, thread_ts: str | None) -> str | None:
    if not base:
        return None
    link = f"{base.rstrip('/')}/p{ts.replace('.', '')}"
    return f"{link}?thread_ts={thread_ts}" if thread_ts and thread_ts != ts else link


def _slack_author(msg: Mapping[str, Any], directory: Mapping[str, str]) -> tuple[str, bool]:
    is_bot = bool(msg.get("bot_id")) or msg.get("subtype") == "bot_message"
    profile = msg.get("user_profile") or {}
    bot_profile = msg.get("bot_profile") or {}
    uid = msg.get("user") or ""
    name = (
        directory.get(uid)
        or profile.get("display_name")
        or profile.get("real_name")
        or msg.get("username")
        or bot_profile.get("name")
        or uid
        or "unknown"
    )
    return str(name), is_bot


def from_slack(
    payload: Any, directory: Mapping[str, str] | None = None, permalink_base: str | None = None
) -> Conversation:
    """``payload`` is the ``conversations.replies`` response (or its ``messages`` list).

    ``permalink_base`` is ``https://<workspace>.slack.com/archives/<channel>``; messages that already
    carry a ``permalink`` keep it.
    """
    directory = directory or {}
    raw = payload.get("messages") if isinstance(payload, Mapping) else payload
    if not isinstance(raw, list):
        raise InputError("not a Slack thread: expected a 'messages' list (conversations.replies JSON)")
    by_ts: dict[str, Message] = {}  # an edit (message_changed) replaces the message with the same ts
    for number, item in enumerate(raw):
        if not isinstance(item, Mapping):
            continue
        if item.get("subtype") == "message_deleted":
            by_ts.pop(str(item.get("deleted_ts") or ""), None)
            continue
        msg = item.get("message") if item.get("subtype") == "message_changed" else item
        if not isinstance(msg, Mapping) or msg.get("subtype") in _SKIPPED_SUBTYPES:
            continue
        ts = str(msg.get("ts") or (item.get("previous_message") or {}).get("ts") or item.get("ts") or "")
        by_ts[ts or f"#{number}"] = _slack_message(msg, ts, directory, permalink_base)
    return Conversation(kind="chat", messages=list(by_ts.values()))


def _slack_message(
    msg: Mapping[str, Any], ts: str, directory: Mapping[str, str], permalink_base: str | None
) -> Message:
    text = slack_text(str(msg.get("text") or ""), directory)
    files = [f.get("title") or f.get("name") or "file" for f in msg.get("files") or [] if isinstance(f, Mapping)]
    if files and not text.strip():
        text = " ".join(f"[file: {name}]" for name in files)
    author, is_bot = _slack_author(msg, directory)
    link = msg.get("permalink") or (_slack_permalink(permalink_base, ts, msg.get("thread_ts")) if ts else None)
    return Message(author=author, text=text, ts=ts or None, link=link, is_bot=is_bot)


def teams_text(content: str) -> str:
    """Teams/Graph HTML -> text; ``<at>Name</at>`` -> ``@Name``."""
    content = _AT_TAG.sub(lambda m: "@" + _TAG.sub("", m.group(1)).strip(), content)
    content = _BLOCK_TAG.sub("\n", content)
    return html.unescape(_TAG.sub("", content)).strip()


def _teams_link(activity: Mapping[str, Any]) -> str | None:
    if activity.get("webUrl"):
        return str(activity["webUrl"])
    data = activity.get("channelData") or {}
    channel = (data.get("channel") or {}).get("id")
    msg_id = activity.get("id")
    if not channel or not msg_id:
        return None
    conversation = str((activity.get("conversation") or {}).get("id") or "")
    parent = conversation.split(";messageid=")[1] if ";messageid=" in conversation else msg_id
    params = [f"parentMessageId={quote(str(parent))}"]
    if (data.get("tenant") or {}).get("id"):
        params.append(f"tenantId={quote(str(data['tenant']['id']))}")
    if (data.get("team") or {}).get("aadGroupId"):
        params.append(f"groupId={quote(str(data['team']['aadGroupId']))}")
    return f"https://teams.microsoft.com/l/message/{quote(str(channel))}/{quote(str(msg_id))}?{'&'.join(params)}"


def _teams_time(value: Any) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC).isoformat()
    except ValueError:
        return str(value)


def from_teams(payload: Any) -> Conversation:
    """Bot Framework activities (``type: message``) or Graph ``chatMessage`` objects (``value`` list)."""
    if isinstance(payload, Mapping):
        raw = payload.get("activities") or payload.get("value") or payload.get("messages")
    else:
        raw = payload
    if not isinstance(raw, list):
        raise InputError("not a Teams thread: expected a list of activities or chat messages")
    messages: list[Message] = []
    for act in raw:
        if not isinstance(act, Mapping) or act.get("type", "message") != "message":
            continue
        if act.get("messageType", "message") != "message" or act.get("deletedDateTime"):
            continue
        sender = act.get("from") or {}
        if "user" in sender or "application" in sender:  # Graph chatMessage
            who = sender.get("user") or sender.get("application") or {}
            author, is_bot = who.get("displayName") or "unknown", sender.get("user") is None
            text = teams_text(str((act.get("body") or {}).get("content") or ""))
            ts = _teams_time(act.get("createdDateTime"))
        else:
            author, is_bot = sender.get("name") or sender.get("id") or "unknown", sender.get("role") == "bot"
            text = teams_text(str(act.get("text") or ""))
            ts = _teams_time(act.get("timestamp") or act.get("localTimestamp"))
        messages.append(Message(author=str(author), text=text, ts=ts, link=_teams_link(act), is_bot=is_bot))
    return Conversation(kind="chat", messages=messages)
