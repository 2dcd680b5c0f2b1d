"""Incoming Slack text -> the plain text the core sees. ONE decoder for every entry point (events,
slash commands, shortcuts, modals), so a question reaches retrieval and the model exactly once decoded.

Slack sends user text with ``&``, ``<`` and ``>`` escaped as ``&amp;``, ``&lt;``, ``&gt;`` and with
mentions, channels and links in angle brackets (``<@U123>``, ``<#C123|general>``, ``<https://x|label>``,
``<!here>``): https://docs.slack.dev/messaging/formatting-message-text#escaping . Outgoing text is escaped
once, at rendering (``adapters.slack.mrkdwn.escape``), never before.
"""

from __future__ import annotations

import re

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_SUBTEAM = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto|tel):[^|>]+)(?:\|([^>]*))?>")
_LEADING_MENTIONS = re.compile(r"^(?:\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>)+\s*")


def decode_slack_text(text: str, *, bot_user_id: str | None = None) -> str:
    """``<@UBOT> R&amp;D budget for <#C1|general>? see <https://x|the wiki>`` ->
    ``R&D budget for #general? see the wiki (https://x)``.

    Leading mentions (addressing the bot) and the bot's own mentions are dropped; other people become
    ``@name``. Entities are decoded last, so an escaped ``&lt;@U1&gt;`` the user typed stays literal text.
    """
    text = _LEADING_MENTIONS.sub("", text)
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>\s*", "", text)
    text = _USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SUBTEAM.sub(lambda m: m.group(2) or "@" + m.group(1), text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _LINK.sub(_link, text)
    # only the three control characters are escaped by Slack; &amp; last so "&amp;lt;" stays "&lt;"
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def _link(match: re.Match[str]) -> str:
    url, label = match.group(1), match.group(2)
    if not label or label == url or url.endswith(label):
        return url.removeprefix("mailto:")
    return f"{label} ({url})"
