"""``.eml`` / ``.msg`` files -> :class:`bot.models.Conversation` with unstructured.

unstructured parses the MIME / Outlook structure (headers, text or HTML body, encodings); the core's
pure-Python helpers then strip quoted replies and signatures and split forwarded chains.
"""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import PurePath

from adapters.parsing.unstructured_parser import use_bundled_spacy_model
from bot.errors import InputError, UnsupportedFileType
from bot.models import Conversation, Message
from bot.summarizing.email_text import clean_body, looks_like_email, sender_name, split_pasted_email

log = logging.getLogger(__name__)
EMAIL_TYPES = (".eml", ".msg")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Outlook .msg is an OLE2 compound file


def _check_eml(data: bytes, filename: str) -> None:
    head = data[:8192]
    if b"\x00" in head:
        raise InputError(f"{filename}: not an email (binary content where RFC 822 text was expected)")
    text = head.decode("utf-8", errors="replace")
    if ":" not in text.split("\n\n", 1)[0] and ":" not in text.split("\r\n\r\n", 1)[0]:
        raise InputError(f"{filename}: not an email (no RFC 822 headers such as From: and Subject:)")


def _partition(data: bytes, ext: str) -> list:
    use_bundled_spacy_model()
    if ext == ".msg":
        from unstructured.partition.msg import partition_msg

        return partition_msg(file=io.BytesIO(data), process_attachments=False)
    from unstructured.partition.email import partition_email

    return partition_email(file=io.BytesIO(data), process_attachments=False)


def _conversation(elements: list, filename: str) -> Conversation:
    if not elements:
        raise InputError(f"{filename}: the email has no readable text body")
    meta = elements[0].metadata
    sender = sender_name((getattr(meta, "sent_from", None) or ["unknown"])[0])
    subject = getattr(meta, "subject", None)
    body = "\n".join(e.text for e in elements if getattr(e, "text", ""))
    if looks_like_email(body):  # a forwarded chain inside the message
        messages = split_pasted_email(f"From: {sender}\nSubject: {subject or ''}\n\n{body}")
    else:
        cleaned = clean_body(body)
        messages = (
            [Message(author=sender, text=cleaned, ts=getattr(meta, "last_modified", None), subject=subject)]
            if cleaned
            else []
        )
    if not messages:
        raise InputError(f"{filename}: the email has no text to summarize (only quotes or a signature)")
    return Conversation(kind="email", messages=messages, title=subject)


async def parse_email_file(data: bytes, filename: str) -> Conversation:
    """Parse ``.eml`` or ``.msg`` bytes; every failure is an :class:`InputError` naming the file."""
    ext = PurePath(filename).suffix.lower()
    if ext not in EMAIL_TYPES:
        raise UnsupportedFileType(f"{filename}: not an email file (expected .eml or .msg)")
    if not data.strip():
        raise InputError(f"{filename}: file is empty")
    if ext == ".msg" and not data.startswith(_OLE_MAGIC):
        raise InputError(f"{filename}: not an Outlook .msg file (not an OLE2 compound document)")
    if ext == ".eml":
        _check_eml(data, filename)
    try:
        elements = await asyncio.to_thread(_partition, data, ext)
    except Exception as exc:  # noqa: BLE001 - any parser crash is a bad-input message for this file
        log.debug("email parse failed for %s", filename, exc_info=True)
        raise InputError(f"{filename}: cannot parse the email ({type(exc).__name__}: {str(exc)[:160]})") from exc
    return _conversation(elements, filename)
