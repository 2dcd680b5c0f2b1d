"""The MediaWiki connector against a real MediaWiki 1.39 (php built-in server, SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.http import SessionHttpClients
from bot.errors import AccessDeniedError
from ingest.connectors.mediawiki import MediaWikiConnector, MediaWikiSettings
from ingest.pipeline import IngestPipeline
from tests.ingest.fakes import MemoryCheckpoints, MemorySink, TextParser
from tests.ingest.real_mediawiki import RealWiki, missing_reason

REASON = missing_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real MediaWiki unavailable: {REASON}")


@pytest.fixture
def real_wiki(tmp_path: Path) -> Iterator[RealWiki]:
    wiki = RealWiki(tmp_path / "wiki")
    wiki.folder.mkdir()
    wiki.install(private=True)
    wiki.start()
    try:
        yield wiki
    finally:
        wiki.stop()


async def test_real_wiki_full_incremental_login(real_wiki: RealWiki, http_session, sleeps) -> None:
    real_wiki.edit("Turbine Manual", "Intro line.\n== Maintenance ==\nOil the '''bearings''' monthly.\n")
    real_wiki.edit("Pump Guide", "Pumps move water.\n")
    user = real_wiki.bot_password("kbot", "kbotbotpassword0123456789abcdefg")
    settings = MediaWikiSettings.model_validate(
        dict(api_url=real_wiki.api_url, namespaces=[0], username=user, password_ref="env:MW")
    )

    anonymous = MediaWikiConnector(
        "wiki", MediaWikiSettings.model_validate(dict(api_url=real_wiki.api_url)), SessionHttpClients(http_session)
    )
    with pytest.raises(AccessDeniedError):  # the wiki is private: reading needs the bot login
        await IngestPipeline(TextParser(), MemorySink()).sync(anonymous, source="wiki")

    sink, checkpoints = MemorySink(), MemoryCheckpoints()
    pipeline = IngestPipeline(TextParser(), sink, checkpoints)

    def conn() -> MediaWikiConnector:
        return MediaWikiConnector(
            "wiki", settings, SessionHttpClients(http_session, sleep=sleeps),
            password="kbotbotpassword0123456789abcdefg",
        )

    first = await pipeline.sync(conn(), source="wiki")
    assert not first.failures
    docs = {d.title: d for d in sink.docs.values()}
    assert set(docs) == {"Main Page", "Turbine Manual", "Pump Guide"}
    turbine = docs["Turbine Manual"]
    assert "Oil the bearings monthly." in turbine.text and "## Maintenance" in turbine.text
    assert turbine.uri == f"{real_wiki.server}/index.php/Turbine_Manual"

    real_wiki.edit("Pump Guide", "Pumps move water uphill.\n")
    real_wiki.edit("Valve Notes", "Valves stop water.\n")
    real_wiki.delete("Main Page")
    real_wiki.move("Turbine Manual", "Turbine Handbook")
    second = await pipeline.sync(conn(), source="wiki")
    assert not second.failures
    texts = {d.title: d.text for d in sink.docs.values()}
    assert set(texts) == {"Turbine Handbook", "Pump Guide", "Valve Notes"}
    assert texts["Pump Guide"] == "Pumps move water uphill."
    assert second.deleted == 1

    third = await pipeline.sync(conn(), source="wiki")
    assert third.parsed == 0 and third.deleted == 0
