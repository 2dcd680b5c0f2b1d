"""Confluence connector against a local Cloud / Data Center: full, incremental (CQL), reconcile."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.http import SessionHttpClients
from ingest.connectors.confluence import ConfluenceConnector, ConfluenceSettings
from ingest.pipeline import IngestPipeline
from tests.ingest.conftest import start
from tests.ingest.fake_confluence import EMAIL, PAT, TOKEN, FakeConfluence
from tests.ingest.fakes import MemoryCheckpoints, MemorySink, TextParser

OLD = datetime.now(UTC) - timedelta(days=10)


@pytest.fixture
async def wiki() -> AsyncIterator[FakeConfluence]:
    fake = FakeConfluence()
    server = await start(fake.app())
    fake.base = str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]
    yield fake
    await server.close()


def cloud(wiki, session, sleeps, **extra) -> ConfluenceConnector:
    settings = ConfluenceSettings.model_validate(
        {
            "base_url": f"{wiki.base}/wiki",
            "spaces": ["ENG", "HR"],
            "email": EMAIL,
            "token_ref": "env:CONF_TOKEN",
            **extra,
        }
    )
    return ConfluenceConnector(
        "conf", settings, SessionHttpClients(session, sleep=sleeps), token=TOKEN, default_groups=["staff"]
    )


def seed(wiki: FakeConfluence) -> None:
    wiki.put(
        "ENG",
        "Deploy guide",
        "<h1>Deploy</h1><p>Run <code>make deploy</code>.</p><h2>Rollback</h2><p>Use the previous tag.</p>",
        when=OLD,
        labels=["runbook"],
    )
    wiki.put("ENG", "On-call", "<p>Pager rotates weekly.</p>", when=OLD)
    wiki.put("ENG", "Postmortems", "<ul><li><p>2024-01 outage</p></li></ul>", when=OLD)
    salaries = wiki.put(
        "HR", "Salaries", "<p>Bands are reviewed yearly.</p>", when=OLD, restricted_to=["hr-team"]
    )
    wiki.put("HR", "Salary bands 2024", "<p>Band C tops at 90k.</p>", when=OLD, parent=salaries)  # inherits
    wiki.put("HR", "Board pay", "<p>Secret.</p>", when=OLD, parent=salaries, restricted_to=["board"])


async def test_full_incremental_and_reconcile(wiki, http_session, sleeps) -> None:
    seed(wiki)
    sink, checkpoints = MemorySink(), MemoryCheckpoints()
    pipeline = IngestPipeline(TextParser(), sink, checkpoints)

    first = await pipeline.sync(cloud(wiki, http_session, sleeps), source="conf")
    assert first.parsed == 5 and not first.failures
    assert first.batches >= 3  # ENG has 3 pages at 2 per response: cursor paging
    docs = {d.title: d for d in sink.docs.values()}
    deploy = docs["Deploy guide"]
    assert deploy.text.startswith("# Deploy\nRun make deploy.\n## Rollback")
    assert [s.heading for s in deploy.sections] == ["Deploy", "Rollback"]  # headings kept as sections
    assert deploy.uri.endswith("/wiki/spaces/ENG/pages/1001/Deploy+guide")
    assert deploy.metadata["labels"] == ["runbook"]
    assert docs["Salaries"].acl_groups == ["hr-team"]  # read restriction honoured
    assert docs["Salary bands 2024"].acl_groups == ["hr-team"]  # inherited from its parent page
    assert "Board pay" not in docs  # hr-team AND board: no group may read it, so it is not indexed
    assert docs["On-call"].acl_groups == ["staff"]

    wiki.put("ENG", "On-call", "<p>Pager rotates every two weeks.</p>")  # edit, now
    wiki.put("HR", "Benefits", "<p>Gym budget.</p>")  # addition
    del wiki.pages[next(p.id for p in wiki.pages.values() if p.title == "Postmortems")]  # deletion
    wiki.requests.clear()
    second = await pipeline.sync(cloud(wiki, http_session, sleeps), source="conf")
    assert any("lastmodified" in r for r in wiki.requests)  # CQL, not a full listing
    assert (second.seen, second.parsed, second.deleted) == (2, 2, 0)  # deletes wait for reconciliation
    assert docs["On-call"].text != sink.docs[("conf", docs["On-call"].id)].text

    state = await checkpoints.load_checkpoint("conf")
    assert state is not None
    state["reconciled"] = (datetime.now(UTC) - timedelta(days=2)).isoformat()  # reconciliation due
    await checkpoints.save_checkpoint("conf", state)
    third = await pipeline.sync(cloud(wiki, http_session, sleeps), source="conf")
    assert third.deleted == 1 and third.parsed == 0
    assert sorted(d.title for d in sink.docs.values()) == [
        "Benefits",
        "Deploy guide",
        "On-call",
        "Salaries",
        "Salary bands 2024",
    ]


async def test_restricted_pages_can_be_skipped(wiki, http_session, sleeps) -> None:
    seed(wiki)
    sink = MemorySink()
    await IngestPipeline(TextParser(), sink).sync(
        cloud(wiki, http_session, sleeps, restricted="skip"), source="conf"
    )
    assert not {"Salaries", "Salary bands 2024", "Board pay"} & {d.title for d in sink.docs.values()}


async def test_throttled_then_served(wiki, http_session, sleeps) -> None:
    seed(wiki)
    wiki.throttle_next = 1
    report = await IngestPipeline(TextParser(), MemorySink()).sync(
        cloud(wiki, http_session, sleeps), source="conf"
    )
    assert report.parsed == 5 and sleeps.waits == [3.0]


async def test_data_center_with_personal_access_token(wiki, http_session, sleeps) -> None:
    seed(wiki)
    settings = ConfluenceSettings.model_validate(
        {
            "base_url": f"{wiki.base}/dc",
            "deployment": "datacenter",
            "spaces": ["ENG"],
            "token_ref": "env:PAT",
        }
    )
    sink = MemorySink()
    conn = ConfluenceConnector("dc", settings, SessionHttpClients(http_session, sleep=sleeps), token=PAT)
    report = await IngestPipeline(TextParser(), sink).sync(conn, source="dc")
    assert report.parsed == 3
    deploy = next(d for d in sink.docs.values() if d.title == "Deploy guide")
    assert deploy.uri == f"{wiki.base}/dc/display/ENG/Deploy+guide" and deploy.author == "Dee Center"
    bad = ConfluenceConnector("dc", settings, SessionHttpClients(http_session, sleep=sleeps), token="wrong")
    with pytest.raises(Exception, match="HTTP 401"):
        await IngestPipeline(TextParser(), MemorySink()).sync(bad, source="dc")
