"""Builders for hostile and awkward files, shared by the security tests and bench/ingest_hostile.py."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def bullet_deck(path: Path, slides: list[tuple[str, list[str]]]) -> Path:
    """A .pptx whose slides have a title and short bullets (what unstructured calls titles)."""
    from pptx import Presentation

    prs = Presentation()
    for title, bullets in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for bullet in bullets[1:]:
            body.add_paragraph().text = bullet
    prs.save(str(path))
    return path


def zip_bomb_docx(path: Path, expanded_mb: int = 200) -> Path:
    """A .docx (a zip) whose document.xml expands to ``expanded_mb`` MB of XML."""
    minimal = io.BytesIO()
    from docx import Document

    Document().save(minimal)
    minimal.seek(0)
    with zipfile.ZipFile(minimal) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, src.read(item))
        para = b"<w:p><w:r><w:t>" + b"A" * 1000 + b"</w:t></w:r></w:p>"
        with out.open("word/document.xml", "w", force_zip64=True) as doc:
            doc.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            )
            for _ in range(expanded_mb * 1024):
                doc.write(para)
            doc.write(b"</w:body></w:document>")
    return path
