"""MediaWiki connector against a local api.php fake (shapes recorded from a real 1.39 wiki)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.http import SessionHttpClients
from bot.errors import AccessDeniedError
from ingest.connectors.mediawiki import MediaWikiConnector, MediaWikiSettings
from ingest.pipeline import IngestPipeline
from tests.ingest.conftest import start
from tests.ingest.fake_mediawiki import BOT_PASSWORD, BOT_USER, FakeMediaWiki
from tests.ingest.fakes import MemoryCheckpoints, MemorySink, TextParser

RECORDED = json.loads((Path(__file__).parent / "data" / "mediawiki_recorded.json").read_text())


@pytest.fixture
async def mw() -> AsyncIterator[FakeMediaWiki]:
    fake = FakeMediaWiki()
    server = await start(fake.app())
    fake.base = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


def connector(mw, session, sleeps, *, password: str | None = None, **extra) -> MediaWikiConnector:
    settings = MediaWikiSettings.model_validate(
        {"api_url": f"{mw.base}/w/api.php", "namespaces": [0, 4], **extra}
    )
    return MediaWikiConnector("wiki", settings, SessionHttpClients(session, sleep=sleeps), password=password)


def seed(mw: FakeMediaWiki) -> None:
    mw.edit("Main Page", "<p>Welcome to the wiki.</p>")
    mw.edit(
        "Turbines", '<p>Intro.</p><h2><span class="mw-headline" id="Care">Care</span></h2><p>Oil monthly.</p>'
    )
    mw.edit("Pumps", "<p>Pumps move water.</p>")
    mw.edit("About", "<p>Project page.</p>", ns=4)
    mw.edit("Talk here", "<p>Not indexed.</p>", ns=1)


async def test_full_then_recent_changes(mw, http_session, sleeps) -> None:
    seed(mw)
    sink, checkpoints = MemorySink(), MemoryCheckpoints()
    pipeline = IngestPipeline(TextParser(), sink, checkpoints)
    first = await pipeline.sync(connector(mw, http_session, sleeps), source="wiki")
    assert first.parsed == 4 and not first.failures and first.batches >= 3  # continue paging
    docs = {d.title: d for d in sink.docs.values()}
    assert "Talk here" not in docs  # namespace 1 not configured
    assert docs["Turbines"].text == "Intro.\n## Care\nOil monthly."
    assert docs["Turbines"].uri == f"{mw.base}/w/index.php/Turbines"
    assert [s.heading for s in docs["Turbines"].sections] == ["", "Care"]

    mw.edit("Pumps", "<p>Pumps move water uphill.</p>")  # edit
    mw.edit("Valves", "<p>Valves stop water.</p>")  # new page
    mw.delete("Main Page")  # deletion (log)
    mw.move("About", "About kbot", ns=4)  # move keeps the page id
    mw.parses = 0
    second = await pipeline.sync(connector(mw, http_session, sleeps), source="wiki")
    titles = sorted(d.title for d in sink.docs.values())
    assert titles == ["About kbot", "Pumps", "Turbines", "Valves"]
    assert second.deleted == 1 and mw.parses == 3  # only changed pages are rendered again
    assert next(d for d in sink.docs.values() if d.title == "Pumps").text == "Pumps move water uphill."

    third = await pipeline.sync(connector(mw, http_session, sleeps), source="wiki")
    assert (third.seen, third.deleted) == (0, 0)


async def test_move_out_of_namespaces_deletes(mw, http_session, sleeps) -> None:
    seed(mw)
    sink, checkpoints = MemorySink(), MemoryCheckpoints()
    pipeline = IngestPipeline(TextParser(), sink, checkpoints)
    await pipeline.sync(connector(mw, http_session, sleeps), source="wiki")
    mw.move("Pumps", "Pumps draft", ns=2)  # to the User namespace
    await pipeline.sync(connector(mw, http_session, sleeps), source="wiki")
    assert "Pumps" not in {d.title for d in sink.docs.values()}
    assert "Pumps draft" not in {d.title for d in sink.docs.values()}


async def test_bot_password_login_for_private_wiki(http_session, sleeps) -> None:
    mw = FakeMediaWiki(private=True)
    server = await start(mw.app())
    mw.base = str(server.make_url("")).rstrip("/")
    try:
        seed(mw)
        anonymous = connector(mw, http_session, sleeps)
        with pytest.raises(AccessDeniedError, match="readapidenied"):
            await IngestPipeline(TextParser(), MemorySink()).sync(anonymous, source="wiki")
        wrong = connector(mw, http_session, sleeps, password="nope", username=BOT_USER, password_ref="env:X")
        with pytest.raises(AccessDeniedError, match="login"):
            await IngestPipeline(TextParser(), MemorySink()).sync(wrong, source="wiki")
        bot = connector(
            mw, http_session, sleeps, password=BOT_PASSWORD, username=BOT_USER, password_ref="env:X"
        )
        report = await IngestPipeline(TextParser(), MemorySink()).sync(bot, source="wiki")
        assert report.parsed == 4
    finally:
        await server.close()


async def test_fake_answers_with_the_recorded_shapes(mw, http_session) -> None:
    """The fake's responses carry the same keys a real MediaWiki 1.39 returned."""
    seed(mw)
    mw.delete("Pumps")
    mw.page_size = 100
    api = f"{mw.base}/w/api.php"
    base = {"format": "json", "formatversion": "2"}

    async def get(**params: str) -> dict:
        async with http_session.get(api, params={**base, **params}) as resp:
            return await resp.json()

    fake = {
        "siteinfo": await get(action="query", meta="siteinfo", siprop="general"),
        "allpages": await get(
            action="query", generator="allpages", gapnamespace="0", prop="info", gaplimit="1"
        ),
        "info_missing": await get(action="query", pageids="3|1", prop="info"),
        "recentchanges": await get(
            action="query",
            list="recentchanges",
            rcstart="2000-01-01T00:00:00Z",
            rcnamespace="0",
            rclimit="50",
        ),
        "parse": await get(action="parse", pageid="2"),
    }

    def keys(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items() if k not in ("continue",)}
        if isinstance(value, list) and value:
            merged: dict = {}
            for item in value:
                merged.update(keys(item) if isinstance(item, dict) else {})
            return [merged]
        return type(value).__name__

    for name, response in fake.items():
        assert set(keys(response)) == set(keys(RECORDED[name])), name
    real_rc = {k for c in RECORDED["recentchanges"]["query"]["recentchanges"] for k in c}
    fake_rc = {k for c in fake["recentchanges"]["query"]["recentchanges"] for k in c}
    assert fake_rc == real_rc
    assert set(fake["parse"]["parse"]) == set(RECORDED["parse"]["parse"])
    assert fake["allpages"]["query"]["pages"][0].keys() == RECORDED["allpages"]["query"]["pages"][0].keys()
    assert [set(p) for p in fake["info_missing"]["query"]["pages"]] == [
        set(p) for p in RECORDED["info_missing"]["query"]["pages"]
    ]
    assert set(fake["siteinfo"]["query"]["general"]) == set(RECORDED["siteinfo"]["query"]["general"])
