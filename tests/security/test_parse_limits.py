"""Issue 19 items 4, 7 and 13 (parsing): zip bombs, per-file time/memory/text caps in a worker
process, failures remembered by content hash, clean error texts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from adapters.parsing.sandbox import ParseLimits
from adapters.parsing.unstructured_parser import UnstructuredParser
from adapters.store.sqlite_store import SqliteStore
from bot.errors import InputError
from ingest.connectors.folder import FolderConnector
from ingest.local_sink import LocalStoreSink
from ingest.pipeline import IngestPipeline
from tests.fakes import HashEmbedder
from tests.ingest.fakes import TextParser
from tests.security.hostile_files import zip_bomb_docx


async def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = zip_bomb_docx(tmp_path / "bomb.docx", expanded_mb=120)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(InputError, match=r"expands to 12\d MB"):
        await UnstructuredParser().parse(bomb.read_bytes(), "bomb.docx")
    assert time.monotonic() - started < 5


async def test_too_much_text_is_refused_before_parsing() -> None:
    parser = UnstructuredParser(max_text_bytes=1024 * 1024)
    with pytest.raises(InputError, match="too much text"):
        await parser.parse(b"word " * 300_000, "huge.txt")


async def test_html_with_a_huge_text_node_is_not_called_image_only() -> None:
    parser = UnstructuredParser(max_text_bytes=1024 * 1024)
    html = b"<html><body><p>" + b"x" * (2 * 1024 * 1024) + b"</p></body></html>"
    with pytest.raises(InputError, match="too much text"):
        await parser.parse(html, "big.html")


async def test_invalid_utf8_is_not_decoded_as_a_code_page() -> None:
    data = "Caf\u00e9 hours: 8 to 5.\n\nThe caf\u00e9 is on floor 2.\n".encode() + b"\xff\xfe broken"
    parsed = await UnstructuredParser().parse(data, "cafe.txt")
    assert "Caf\u00e9 hours" in parsed.text and "Caf\u0137" not in parsed.text


@pytest.mark.parametrize(("made_as", "named"), [("docx", "broken.docx"), ("docx", "slides.pptx")])
async def test_errors_name_the_file_not_a_bytesio(made_as: str, named: str) -> None:
    import io

    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    data = buffer.getvalue()
    if named.endswith(".docx"):
        data = data[: len(data) // 2]  # truncated: python-docx names its input in the error
    with pytest.raises(InputError) as info:
        await UnstructuredParser().parse(data, named)
    assert "BytesIO" not in str(info.value) and named in str(info.value)


def _slow(data: bytes, filename: str):
    time.sleep(60)


def _hog(data: bytes, filename: str):
    return bytearray(2 * 1024 * 1024 * 1024)


async def test_parse_time_is_capped_in_a_worker_process() -> None:
    sandbox = ParseLimits(timeout_s=1.0, memory_mb=1024).sandbox()
    try:
        started = time.monotonic()
        with pytest.raises(InputError, match="took longer than 1 s"):
            await sandbox.run(_slow, b"x", "slow.txt")
        assert time.monotonic() - started < 10
        with pytest.raises(InputError, match="more than 1024 MB"):
            await sandbox.run(_hog, b"x", "hog.txt")
        parsed = await sandbox.run(_parse_ok, b"hello", "ok.txt")
        assert parsed == "hello ok.txt", "the worker restarts after a kill"
    finally:
        sandbox.close()


def _parse_ok(data: bytes, filename: str) -> str:
    return f"{data.decode()} {filename}"


async def test_the_real_parser_parses_in_the_sandbox() -> None:
    parser = UnstructuredParser(limits=ParseLimits(timeout_s=60, memory_mb=1024))
    try:
        parsed = await parser.parse(b"Helpdesk\n\nCall 555-0199 for help with your laptop.\n", "help.txt")
        assert "555-0199" in parsed.text
    finally:
        parser.close()


class CountingParser(TextParser):
    async def parse(self, data: bytes, filename: str):
        if data.startswith(b"CORRUPT"):
            self.parsed += 1
        return await super().parse(data, filename)


async def test_failed_files_are_not_parsed_again_until_they_change(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "bad.md").write_bytes(b"CORRUPT data")
    (kb / "good.md").write_text("# Good\n\nfine.\n")
    store = SqliteStore(tmp_path / "kb.db")
    parser = CountingParser()
    pipeline = IngestPipeline(parser, LocalStoreSink(store, HashEmbedder()))
    try:
        first = await pipeline.sync(FolderConnector("kb", kb), source="kb")
        assert [f.doc_id for f in first.failures] == ["bad.md"] and parser.parsed == 2
        second = await pipeline.sync(FolderConnector("kb", kb), source="kb")
        assert [f.doc_id for f in second.failures] == ["bad.md"], "still reported"
        assert "not parsed again" in second.failures[0].reason
        assert parser.parsed == 2, "an unchanged failed file is not re-parsed"
        (kb / "bad.md").write_text("# Fixed\n\nnow fine.\n")
        third = await pipeline.sync(FolderConnector("kb", kb), source="kb")
        assert not third.failures and set(await store.known("kb")) == {"bad.md", "good.md"}
    finally:
        await store.close()


async def test_html_text_node_over_lxml_limit_gets_a_true_reason() -> None:
    parser = UnstructuredParser(max_text_bytes=32 * 1024 * 1024)
    html = b"<html><body><h1>Log</h1><p>" + b"word " * (11 * 1024 * 1024 // 5) + b"</p></body></html>"
    with pytest.raises(InputError) as info:
        await parser.parse(html, "log.html")
    assert "image-only" not in str(info.value) and "10 MB" in str(info.value)


async def test_raising_a_limit_retries_a_remembered_failure(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "long.txt").write_text("The cafeteria opens at eight. " * 50_000)  # 1.5 MB
    store = SqliteStore(tmp_path / "kb.db")
    try:
        strict = IngestPipeline(UnstructuredParser(max_text_bytes=1024 * 1024), LocalStoreSink(store, HashEmbedder()))
        first = await strict.sync(FolderConnector("kb", kb), source="kb")
        assert "too much text" in first.failures[0].reason
        again = await strict.sync(FolderConnector("kb", kb), source="kb")
        assert "not parsed again" in again.failures[0].reason
        roomy = IngestPipeline(
            UnstructuredParser(max_text_bytes=4 * 1024 * 1024), LocalStoreSink(store, HashEmbedder())
        )
        third = await roomy.sync(FolderConnector("kb", kb), source="kb")
        assert not third.failures and third.parsed == 1
    finally:
        await store.close()
