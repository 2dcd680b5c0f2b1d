"""Section-aware chunking: a chunk never spans two headings, and stays under the model's window."""

from __future__ import annotations

from bot.models import Chunk, Document, Section, content_hash
from bot.text import split_sentences

TARGET_CHARS = 1000  # ≈ 200-250 word pieces: inside MiniLM's 256-token window with the title prefix
MAX_CHARS = 1400


def chunk_document(doc: Document, *, target: int = TARGET_CHARS) -> list[Chunk]:
    sections = doc.sections or [Section(heading="", text=doc.text)]
    chunks: list[Chunk] = []
    for section in sections:
        for piece in _pack(section.text, target):
            ordinal = len(chunks)
            chunks.append(
                Chunk(
                    id=f"{doc.source}:{doc.id}#{ordinal}",
                    doc_id=doc.id,
                    source=doc.source,
                    ordinal=ordinal,
                    heading=section.heading,
                    text=piece,
                )
            )
    return chunks


def _units(text: str, target: int) -> list[str]:
    """The section's lines (one parsed element each: paragraph, list item, table row); an element
    longer than a chunk is split into sentences. Keeping elements whole lets the answer reader see
    where a list item or a table row starts and ends."""
    units: list[str] = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        units.extend(split_sentences(line) if len(line) > target else [line])
    return units


def _pack(text: str, target: int) -> list[str]:
    """Greedy packing of whole lines with a one-line overlap; a lead-in ending in ":" moves to the
    next chunk with the list it introduces."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for unit in _units(text, target):
        while len(unit) > MAX_CHARS:  # a run-on "sentence" (code, a long row): hard-split
            head, unit = unit[:target], unit[target:]
            if current:
                pieces.append("\n".join(current))
                current, size = [], 0
            pieces.append(head)
        lead_in_alone = len(current) == 1 and current[0].endswith(":") and size + len(unit) <= MAX_CHARS
        if current and size + len(unit) > target and not lead_in_alone:
            carry = [current.pop()] if len(current) > 1 and current[-1].endswith(":") else []
            pieces.append("\n".join(current))
            if not carry and len(current[-1]) < target // 3:
                carry = [current[-1]]
            current = carry
            size = sum(len(s) + 1 for s in current)
        current.append(unit)
        size += len(unit) + 1
    if current:
        pieces.append("\n".join(current))
    return pieces


def embedding_text(title: str, heading: str, text: str) -> str:
    """What gets embedded: the chunk with its document title and heading as context."""
    prefix = title if not heading or heading == title else f"{title} — {heading}"
    return f"{prefix}\n{text}" if prefix else text


def chunk_hash(title: str, heading: str, text: str) -> str:
    return content_hash(embedding_text(title, heading, text))
