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


def _pack(text: str, target: int) -> list[str]:
    """Greedy sentence packing with a one-sentence overlap between consecutive chunks."""
    sentences = [s for s in split_sentences(text) if s]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for sent in sentences:
        while len(sent) > MAX_CHARS:  # a run-on "sentence" (tables, code): hard-split
            head, sent = sent[:target], sent[target:]
            if current:
                pieces.append("\n".join(current))
                current, size = [], 0
            pieces.append(head)
        if current and size + len(sent) > target:
            pieces.append("\n".join(current))
            current = [current[-1]] if len(current[-1]) < target // 3 else []
            size = sum(len(s) + 1 for s in current)
        current.append(sent)
        size += len(sent) + 1
    if current:
        pieces.append("\n".join(current))
    return pieces


def embedding_text(title: str, heading: str, text: str) -> str:
    """What gets embedded: the chunk with its document title and heading as context."""
    prefix = title if not heading or heading == title else f"{title} — {heading}"
    return f"{prefix}\n{text}" if prefix else text


def chunk_hash(title: str, heading: str, text: str) -> str:
    return content_hash(embedding_text(title, heading, text))
