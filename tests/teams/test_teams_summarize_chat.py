"""``summarize`` in chat: a pasted email or an attached .eml file (Teams ``file.download.info``)."""

from __future__ import annotations

from typing import Any

from .conftest import TeamsRig

PASTED = """summarize
From: Maria Lopez <maria@example.com>
Sent: Monday, March 3, 2025 9:12 AM
To: Finance Team
Subject: Q1 budget freeze

Hi all,

The Q1 budget is frozen from March 10 until the board review on March 28.
Please submit any purchase orders above 5,000 EUR before Friday.
Tom will collect the exceptions and send them to the CFO.

Thanks,
Maria
"""

EML = b"""From: Maria Lopez <maria@example.com>
To: Finance Team <finance@example.com>
Subject: Q1 budget freeze
Date: Mon, 3 Mar 2025 09:12:00 +0100
Content-Type: text/plain; charset="utf-8"

Hi all,

The Q1 budget is frozen from March 10 until the board review on March 28.
Please submit any purchase orders above 5,000 EUR before Friday.
Tom will collect the exceptions and send them to the CFO.

Thanks,
Maria
"""


def _text(post: Any) -> str:
    return post.body["text"]


async def test_summarize_pasted_email(rig: TeamsRig) -> None:
    await rig.post(rig.activity("message_personal.json", text=PASTED))
    posts = await rig.connector.wait_posts(2)
    assert posts[0].body["type"] == "typing"
    summary = _text(posts[1])
    assert summary.startswith("**TL;DR:**")
    assert "budget" in summary.lower() and ("March 10" in summary or "Friday" in summary)
    assert rig.answerer.questions == []  # a summary, not a knowledge-base question
    ai = [e for e in posts[1].body["entities"] if e["type"] == "https://schema.org/Message"]
    assert ai and ai[0]["additionalType"] == ["AIGeneratedContent"]


async def test_summarize_with_nothing_pasted_explains(rig: TeamsRig) -> None:
    await rig.post(rig.activity("message_personal.json", text="summarize"))
    posts = await rig.connector.wait_posts(2)
    assert "Paste the email" in _text(posts[-1])


def _with_file(rig: TeamsRig, name: str, text: str = "") -> dict[str, Any]:
    activity = rig.activity("message_personal.json", text=text)
    activity["attachments"] = [
        {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "contentUrl": "https://contoso.sharepoint.com/personal/megan/Documents/" + name,
            "name": name,
            "content": {
                "downloadUrl": f"{rig.connector.url}/files/{name}",
                "uniqueId": "1150D938-8870-4044-9F2C",
                "fileType": name.rsplit(".", 1)[-1],
            },
        }
    ]
    return activity


async def test_summarize_attached_eml(rig: TeamsRig) -> None:
    rig.connector.files["budget.eml"] = EML
    await rig.post(_with_file(rig, "budget.eml", "summarize"))
    posts = await rig.connector.wait_posts(2, seconds=30)
    summary = _text(posts[-1])
    assert summary.startswith("**TL;DR:**") and "budget" in summary.lower()


async def test_attached_file_that_is_not_an_email(rig: TeamsRig) -> None:
    rig.connector.files["photo.eml"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00binary"
    await rig.post(_with_file(rig, "photo.eml", "summarize"))
    posts = await rig.connector.wait_posts(2, seconds=30)
    assert "not an email" in _text(posts[-1])


async def test_attached_file_gone(rig: TeamsRig) -> None:
    await rig.post(_with_file(rig, "expired.eml", "summarize"))
    posts = await rig.connector.wait_posts(2, seconds=30)
    assert "couldn't download expired.eml" in _text(posts[-1])
    assert posts[-1].body["type"] == "message"
