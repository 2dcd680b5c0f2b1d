"""Reading inbound Bot Framework activities (plain dicts) the way the Teams adapter needs them."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

_AT = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def conversation(activity: Mapping[str, Any]) -> dict[str, Any]:
    return as_dict(activity.get("conversation"))


def conversation_id(activity: Mapping[str, Any]) -> str:
    return str(conversation(activity).get("id") or "")


def conversation_type(activity: Mapping[str, Any]) -> str:
    """``personal``, ``groupChat`` or ``channel`` (older payloads lack the field: infer from ``isGroup``)."""
    conv = conversation(activity)
    kind = conv.get("conversationType")
    if kind:
        return str(kind)
    conv_id = str(conv.get("id") or "")
    if as_dict(activity.get("channelData")).get("channel") or ";messageid=" in conv_id:
        return "channel"
    return "groupChat" if conv.get("isGroup") or conv_id.startswith("19:") else "personal"


def sender(activity: Mapping[str, Any]) -> dict[str, Any]:
    return as_dict(activity.get("from"))


def user_id(activity: Mapping[str, Any]) -> str:
    """The stable Entra ID object id when Teams sends it, else the channel account id."""
    who = sender(activity)
    return str(who.get("aadObjectId") or who.get("id") or "unknown")


def bot_id(activity: Mapping[str, Any]) -> str:
    return str(as_dict(activity.get("recipient")).get("id") or "")


def mentions(activity: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [e for e in activity.get("entities") or [] if isinstance(e, dict) and e.get("type") == "mention"]


def question_text(activity: Mapping[str, Any]) -> str:
    """The message text with the bot's own @mention removed and other mentions as ``@Name``."""
    text = str(activity.get("text") or "")
    me = bot_id(activity)
    my_name = str(as_dict(activity.get("recipient")).get("name") or "")
    for mention in mentions(activity):
        mentioned = as_dict(mention.get("mentioned"))
        if me and mentioned.get("id") == me:
            if mention.get("text"):
                text = text.replace(str(mention["text"]), " ")
            if mentioned.get("name"):
                text = re.sub(rf"<at[^>]*>\s*@?{re.escape(str(mentioned['name']))}\s*</at>", " ", text)
    if my_name:  # some clients omit the mention entity: drop a leading <at>BotName</at>
        text = re.sub(rf"^\s*<at[^>]*>\s*@?{re.escape(my_name)}\s*</at>", " ", text, flags=re.IGNORECASE)
    text = _AT.sub(lambda m: "@" + _TAG.sub("", m.group(1)).strip().lstrip("@"), text)
    text = html.unescape(_TAG.sub(" ", text)).replace("\xa0", " ")
    return (
        " ".join(text.split())
        if "\n" not in text
        else "\n".join(" ".join(ln.split()) for ln in text.strip().splitlines())
    )


def file_attachments(activity: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Files sent in a 1:1 chat (``file.download.info`` carries a short-lived pre-authenticated URL)."""
    out = []
    for att in activity.get("attachments") or []:
        if isinstance(att, dict) and att.get("contentType") == FILE_DOWNLOAD_INFO:
            content = as_dict(att.get("content"))
            if content.get("downloadUrl"):
                out.append(
                    {
                        "name": str(att.get("name") or "file"),
                        "url": str(content["downloadUrl"]),
                        "fileType": str(content.get("fileType") or ""),
                    }
                )
    return out


def entities_supported(activity: Mapping[str, Any]) -> bool:
    """Citation/AI-label entities render in Teams clients; other channels (Web Chat, emulator) get a card."""
    return activity.get("channelId") == "msteams"
