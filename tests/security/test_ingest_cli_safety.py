"""Issue 19 items 3 and 13 (CLI): `kbot ingest` never strips a configured source's audience;
warnings once; non-zero exit when every file failed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from adapters.cli.main import build_parser
from adapters.logs import setup_logging
from adapters.wiring import App, AppOverrides
from bot.errors import InputError
from bot.models import Source
from bot.settings import load_settings
from tests.fakes import HashEmbedder
from tests.ingest.fakes import TextParser


@pytest.fixture
def app(tmp_path: Path):
    return App(load_settings(kbot_db=tmp_path / "kbot.db"), AppOverrides(embedder=HashEmbedder(), parser=TextParser()))


async def kbot(app: App, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return await args.handler(args, app)


def acls(db: Path) -> dict[str, list[str]]:
    with sqlite3.connect(db) as conn:
        return {r[0]: json.loads(r[1]) for r in conn.execute("SELECT id, acl_groups FROM documents")}


@pytest.fixture
def hr(tmp_path: Path) -> Path:
    folder = tmp_path / "hr"
    (folder / "pay").mkdir(parents=True)
    (folder / "leave.md").write_text("# Leave\n\nParental leave is 20 weeks.\n")
    (folder / "pay" / "salaries.md").write_text("# Salaries\n\nBands are confidential.\n")
    return folder


async def configure_hr(app: App, hr: Path) -> None:
    await app.config.save_source(Source(name="hr", kind="folder", settings={"path": str(hr)}, audience=["hr"]))


async def test_ingest_of_a_configured_folder_keeps_its_audience(app: App, hr: Path, tmp_path: Path) -> None:
    await configure_hr(app, hr)
    assert await kbot(app, "ingest", str(hr)) == 0
    assert acls(tmp_path / "kbot.db") == {"leave.md": ["hr"], "pay/salaries.md": ["hr"]}


async def test_ingest_of_a_configured_folder_under_another_name_keeps_its_audience(
    app: App, hr: Path, tmp_path: Path
) -> None:
    await configure_hr(app, hr)
    assert await kbot(app, "ingest", str(hr / "pay"), "--source", "payroll") == 0
    assert acls(tmp_path / "kbot.db") == {"salaries.md": ["hr"]}


async def test_ingest_refuses_to_widen_a_configured_audience(app: App, hr: Path, tmp_path: Path) -> None:
    await configure_hr(app, hr)
    with pytest.raises(InputError, match="audience"):
        await kbot(app, "ingest", str(hr), "--acl", "everyone")
    assert await app.store.known("hr") == {}
    assert await kbot(app, "ingest", str(hr), "--acl", "hr") == 0, "the same audience is fine"


async def test_ingest_exits_non_zero_when_every_file_failed(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.md").write_bytes(b"CORRUPT a")
    (folder / "b.md").write_bytes(b"CORRUPT b")
    setup_logging()
    assert await kbot(app, "ingest", str(folder)) == 1
    err = capsys.readouterr().err
    assert err.count("a.md") == 1, f"each warning once: {err}"


async def test_summarize_deeply_nested_json_is_an_input_error(tmp_path: Path) -> None:
    nested = tmp_path / "thread.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    app = App(load_settings(kbot_db=tmp_path / "kbot.db"), AppOverrides(embedder=HashEmbedder()))
    with pytest.raises(InputError, match="nested"):
        await kbot(app, "summarize", str(nested))
    shallow_but_deep = tmp_path / "deep.json"
    shallow_but_deep.write_text('{"messages": ' + "[" * 5000 + "]" * 5000 + "}")
    with pytest.raises(InputError):
        await kbot(app, "summarize", str(shallow_but_deep))


async def test_ingest_of_a_folder_containing_a_configured_one_is_refused(app: App, hr: Path, tmp_path: Path) -> None:
    await configure_hr(app, hr)
    with pytest.raises(InputError, match="contains"):
        await kbot(app, "ingest", str(tmp_path), "--source", "everything")
    assert await app.store.known("everything") == {}
    assert await kbot(app, "ingest", str(tmp_path), "--source", "everything", "--acl", "hr") == 0
    stored = acls(tmp_path / "kbot.db")
    assert "hr/leave.md" in stored and all(groups == ["hr"] for groups in stored.values())
