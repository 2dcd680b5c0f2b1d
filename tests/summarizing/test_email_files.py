"""`.eml` / `.msg` parsing with unstructured, and bad email files."""

from __future__ import annotations

import pytest

from adapters.parsing.email_parser import parse_email_file
from bot.errors import InputError, UnsupportedFileType


async def test_eml_reply_is_stripped_of_quote_greeting_and_signature(data_dir) -> None:  # type: ignore[no-untyped-def]
    conv = await parse_email_file((data_dir / "budget_reply.eml").read_bytes(), "budget_reply.eml")
    assert conv.kind == "email" and conv.title == "Re: Q3 cloud budget"
    [message] = conv.messages
    assert message.author == "Dana Whitfield" and message.subject == "Re: Q3 cloud budget"
    assert message.text.startswith("We agreed to move the analytics cluster")
    for gone in ("Hi all", "Thanks", "Operations Lead", "biggest line item", "wrote:"):
        assert gone not in message.text


async def test_eml_summary_end_to_end(summarizer, data_dir) -> None:  # type: ignore[no-untyped-def]
    conv = await parse_email_file((data_dir / "budget_reply.eml").read_bytes(), "budget_reply.eml")
    summary = await summarizer.summarize(conv)
    assert summary.tldr.startswith("We agreed to move the analytics cluster to reserved instances")
    assert {(a.owner, a.due) for a in summary.action_items} == {
        ("Raj", "Friday"),
        ("Dana Whitfield", "next week"),
    }
    assert [q.text for q in summary.open_questions] == [
        "Does anyone know whether the reserved instances can be cancelled early?"
    ]
    assert summary.decisions and summary.decisions[0].author == "Dana Whitfield"


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"this is not an email at all, just words", "notes.eml", "no RFC 822 headers"),
        (b"\x00\x01\x02binary\xff" * 50, "blob.eml", "binary content"),
        (b"", "empty.eml", "file is empty"),
        (b"From: a@b.c\nSubject: hi\n\n", "headers_only.eml", "no readable text body|no text to summarize"),
        (b"PK\x03\x04 zip not msg", "mail.msg", "not an Outlook .msg"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "broken.msg", "cannot parse the email"),
    ],
)
async def test_bad_email_files_are_input_errors(data: bytes, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        await parse_email_file(data, name)


async def test_other_extensions_are_rejected() -> None:
    with pytest.raises(UnsupportedFileType):
        await parse_email_file(b"From: x", "mail.txt")
