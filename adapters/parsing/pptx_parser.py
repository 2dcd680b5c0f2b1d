"""PowerPoint decks with python-pptx directly: each slide is a section under its title.

unstructured classifies every paragraph of a deck with NLP heuristics (a 10k-bullet deck took a
minute) only for us to need "slide title" vs "everything else", which the file states itself.
Every text frame, table row and the speaker notes are kept, in reading order.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any

from bot.errors import InputError
from bot.models import Section
from bot.ports import ParsedFile


def parse_pptx(data: bytes, filename: str) -> ParsedFile:
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        deck = Presentation(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(f"{filename}: cannot parse (not a valid .pptx file: {exc})") from exc
    sections: list[Section] = []
    for number, slide in enumerate(deck.slides, 1):
        title_shape = slide.shapes.title
        heading = _one_line(title_shape.text_frame.text) if title_shape is not None else ""
        skip = title_shape.shape_id if title_shape is not None else None
        lines = [line for shape in _in_reading_order(slide.shapes) if shape.shape_id != skip for line in _text(shape)]
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            lines += [t for t in (p.strip() for p in slide.notes_slide.notes_text_frame.text.splitlines()) if t]
        if lines:
            sections.append(Section(heading=heading, text="\n".join(lines), page=number))
        elif heading:
            sections.append(Section(heading="", text=heading, page=number))
    title = next((s.heading for s in sections if s.heading), "")
    text = "\n\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text for s in sections)
    stem = PurePath(filename).stem.replace("-", " ").replace("_", " ").strip().capitalize()
    return ParsedFile(title=title or stem, text=text, sections=sections)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _in_reading_order(shapes: Iterable[Any]) -> Iterator[Any]:
    """Top to bottom, left to right; group shapes opened."""
    for shape in sorted(shapes, key=lambda s: (s.top or 0, s.left or 0)):
        if getattr(shape, "shapes", None) is not None:  # a group
            yield from _in_reading_order(shape.shapes)
        else:
            yield shape


def _text(shape: Any) -> Iterator[str]:
    if getattr(shape, "has_table", False):
        for row in shape.table.rows:
            cells = [_one_line(cell.text) for cell in row.cells]
            if any(cells):
                yield " | ".join(cells)
    elif getattr(shape, "has_text_frame", False):
        for paragraph in shape.text_frame.paragraphs:
            line = _one_line(paragraph.text)
            if line:
                yield line
