"""Regenerate the binary documents (.docx, .pptx, .pdf) of the Northwind Labs sample knowledge base.

The text of every binary document lives in scripts/sample_kb_sources.py, so the outputs are reproducible:
    python scripts/build_sample_kb.py
Requires python-docx and python-pptx (both installed with unstructured[docx,pptx]). PDFs are written by the
tiny dependency-free writer below (Helvetica Type1, WinAnsi/cp1252, one text object per line, exact xref).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document as DocxDocument
from pptx import Presentation
from sample_kb_sources import DOCUMENTS

Block = tuple[str, "str | list[str]"]

KB_ROOT = Path(__file__).resolve().parents[1] / "sample_kb"
FIXED_TIME = dt.datetime(2026, 11, 1, 12, 0, 0)

# Helvetica glyph widths (1/1000 em) for ASCII 32..126, from the Adobe AFM metrics.
_HELVETICA_WIDTHS = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 612, 792, 72
# (font resource, size, leading, extra space before, bold-safety factor) per block kind
_STYLES = {"h1": ("F2", 18, 24, 6, 1.1), "h2": ("F2", 13, 18, 10, 1.1), "p": ("F1", 10.5, 14, 4, 1.0)}


def _text_width(text: str, size: float) -> float:
    """Width in points; non-ASCII WinAnsi letters are approximated by the width of 'n'."""
    return sum(_HELVETICA_WIDTHS[ord(ch) - 32] if ord(ch) < 127 else 556 for ch in text) * size / 1000


def _wrap(text: str, size: float, max_width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and _text_width(candidate, size) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + ([current] if current else [])


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _layout_pages(blocks: list[Block]) -> list[list[str]]:
    """Turn blocks into per-page lists of PDF text operators."""
    pages: list[list[str]] = [[]]
    y = PAGE_HEIGHT - MARGIN
    for kind, content in blocks:
        items = content if isinstance(content, list) else [content]
        font, size, leading, space_before, safety = _STYLES["p" if kind == "ul" else kind]
        y -= space_before
        for item in items:
            item.encode("cp1252")  # WinAnsiEncoding: fail loudly on characters the font cannot show
            prefix, indent = ("- ", 14) if kind == "ul" else ("", 0)
            width = (PAGE_WIDTH - 2 * MARGIN - indent) / safety
            for index, line in enumerate(_wrap(item, size, width)):
                if y - leading < MARGIN:
                    pages.append([])
                    y = PAGE_HEIGHT - MARGIN
                y -= leading
                shown = (prefix if index == 0 else "  ") + line if kind == "ul" else line
                x = MARGIN + (indent - 10 if kind == "ul" else 0)
                pages[-1].append(f"BT /{font} {size} Tf {x} {y} Td ({_escape(shown)}) Tj ET")
    return pages


def write_pdf(path: Path, title: str, blocks: list[Block]) -> None:
    pages = _layout_pages(blocks)
    first_page_id = 6
    page_ids = [first_page_id + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    created = FIXED_TIME.strftime("D:%Y%m%d%H%M%SZ")
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        5: f"<< /Title ({_escape(title)}) /Author (Northwind Labs) /CreationDate ({created}) >>".encode(),
    }
    for pid, operators in zip(page_ids, pages, strict=True):
        stream = "\n".join(operators).encode("cp1252")
        objects[pid] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {pid + 1} 0 R >>"
        ).encode()
        objects[pid + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    path.write_bytes(bytes(out))


def _save_zip_reproducibly(save: Callable[[io.BytesIO], None], path: Path) -> None:
    """Save an OOXML package with fixed entry timestamps so regenerating produces identical bytes."""
    buffer = io.BytesIO()
    save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry.filename))


def write_docx(path: Path, title: str, blocks: list[Block]) -> None:
    document = DocxDocument()
    document.core_properties.title = title
    document.core_properties.author = "Northwind Labs"
    document.core_properties.created = FIXED_TIME
    document.core_properties.modified = FIXED_TIME
    for kind, content in blocks:
        if kind == "h1":
            document.add_heading(str(content), level=1)
        elif kind == "h2":
            document.add_heading(str(content), level=2)
        elif kind == "p":
            document.add_paragraph(str(content))
        else:
            for item in content:
                document.add_paragraph(item, style="List Bullet")
    _save_zip_reproducibly(document.save, path)


def write_pptx(path: Path, title: str, blocks: list[Block]) -> None:
    """First paragraph after the h1 is the cover subtitle; each h2 starts a bullet slide."""
    deck = Presentation()
    deck.core_properties.title = title
    deck.core_properties.author = "Northwind Labs"
    deck.core_properties.created = FIXED_TIME
    deck.core_properties.modified = FIXED_TIME
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = title
    cover.placeholders[1].text = next(str(content) for kind, content in blocks if kind == "p")
    for index, (kind, content) in enumerate(blocks):
        if kind != "h2":
            continue
        bullets = blocks[index + 1][1]
        assert isinstance(bullets, list), f"slide {content!r} needs a bullet list"
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = str(content)
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for bullet in bullets[1:]:
            body.add_paragraph().text = bullet
    _save_zip_reproducibly(deck.save, path)


def parse_markup(markup: str) -> list[Block]:
    """Parse the tiny markup used below: '# ' h1, '## ' h2, '- ' bullet, blank line ends a paragraph."""
    blocks: list[Block] = []
    for chunk in markup.strip().split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines()]
        if lines[0].startswith("## "):
            blocks.append(("h2", " ".join(lines)[3:]))
        elif lines[0].startswith("# "):
            blocks.append(("h1", " ".join(lines)[2:]))
        elif lines[0].startswith("- "):
            blocks.append(("ul", _bullets(lines)))
        else:
            blocks.append(("p", " ".join(lines)))
    return blocks


def _bullets(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        if line.startswith("- "):
            items.append(line[2:])
        else:
            items[-1] += " " + line
    return items


WRITERS = {".docx": write_docx, ".pptx": write_pptx, ".pdf": write_pdf}


def main() -> None:
    for relative, markup in DOCUMENTS.items():
        blocks = parse_markup(markup)
        title = next(str(content) for kind, content in blocks if kind == "h1")
        target = KB_ROOT / relative
        WRITERS[target.suffix](target, title, blocks)
        print(f"wrote {relative} ({len(markup.split())} words)")


if __name__ == "__main__":
    main()
