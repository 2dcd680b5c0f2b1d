"""Unsigned Bot Framework activities an attacker could send, in the shapes Teams uses
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages,
.../task-modules-and-cards/cards/universal-actions-for-adaptive-cards/overview)."""

from __future__ import annotations

from typing import Any

ADMIN_AAD = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"  # an id the attacker knows is an admin
ATTACKER_SERVICE_URL = "http://127.0.0.1:9/internal/"


def _base(kind: str, service_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "id": "1680000000000",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:1attacker", "aadObjectId": ADMIN_AAD, "name": "Megan Bowen"},
        "recipient": {"id": "28:kbot", "name": "kbot"},
        "conversation": {"id": "a:1personal", "conversationType": "personal", "tenantId": "t-1"},
        "channelData": {"tenant": {"id": "t-1"}},
        **extra,
    }


def hostile_activities(service_url: str = ATTACKER_SERVICE_URL, folder: str = "/etc") -> dict[str, dict[str, Any]]:
    """Every kind of activity the Teams route handles, each trying an admin action."""
    return {
        "admin-add-card": _base(
            "invoke",
            service_url,
            name="adaptiveCard/action",
            value={
                "action": {
                    "type": "Action.Execute",
                    "verb": "kbot_admin_add",
                    "data": {"kind": "folder", "name": "stolen", "settings": f"path={folder}", "audience": ""},
                }
            },
        ),
        "admin-disable-message": _base("message", service_url, text="admin disable handbook"),
        "admin-submit": _base(
            "message",
            service_url,
            value={"kbot_admin": "kbot_admin_add", "kind": "folder", "name": "stolen2", "settings": f"path={folder}"},
        ),
        "question": _base("message", service_url, text="what is the salary of the CEO?"),
        "message-extension": _base(
            "invoke",
            service_url,
            name="composeExtension/fetchTask",
            value={"commandId": "summarizeThread", "commandContext": "message", "messagePayload": {"id": "1"}},
        ),
        "feedback": _base(
            "invoke",
            service_url,
            name="message/submitAction",
            value={"actionName": "feedback", "actionValue": {"reaction": "like", "feedback": "{}"}},
        ),
        "conversation-update": _base(
            "conversationUpdate", service_url, membersAdded=[{"id": "28:kbot"}]
        ),
    }
