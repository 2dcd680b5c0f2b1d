"""One 'world' per connector kind for the contract suite: a source that can be seeded and changed.

Each world holds ``n`` documents named ``doc-<i>`` and offers edit / add / remove, plus a factory
for a fresh connector (the worker builds a new one every run).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from adapters.http import SessionHttpClients
from adapters.msgraph.client import GraphClient
from ingest.connectors.confluence import ConfluenceConnector, ConfluenceSettings
from ingest.connectors.folder import FolderConnector
from ingest.connectors.mediawiki import MediaWikiConnector, MediaWikiSettings
from ingest.connectors.sharepoint import SharePointConnector, SharePointSettings
from ingest.interfaces import Connector
from tests.ingest.conftest import start
from tests.ingest.fake_confluence import EMAIL, TOKEN, FakeConfluence
from tests.ingest.fake_graph import FakeGraph
from tests.ingest.fake_mediawiki import FakeMediaWiki
from tests.ingest.fakes import TextParser


def body(i: int, version: int = 1) -> str:
    return f"Document {i} version {version}. It explains topic {i} in a sentence or two."


class World:
    kind = ""
    production = False  # benchmarks: production page sizes and reconciliation period

    async def open(self, session: aiohttp.ClientSession, sleep: Any) -> None:
        self.session, self.sleep = session, sleep

    async def close(self) -> None:
        server = getattr(self, "server", None)
        if server is not None:
            await server.close()

    def seed(self, n: int) -> None:
        for i in range(n):
            self.add(i)

    def add(self, i: int, version: int = 1) -> None:
        raise NotImplementedError

    def edit(self, i: int) -> None:
        self.add(i, version=2)

    def remove(self, i: int) -> None:
        raise NotImplementedError

    def connector(self) -> Connector:
        raise NotImplementedError


class FolderWorld(World):
    kind = "folder"

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def add(self, i: int, version: int = 1) -> None:
        (self.root / f"doc-{i:03d}.txt").write_text(body(i, version))

    def remove(self, i: int) -> None:
        (self.root / f"doc-{i:03d}.txt").unlink()

    def connector(self) -> Connector:
        size = 25 if self.production else 3
        return FolderConnector("src", self.root, supports=TextParser().supports, batch_size=size)


class TokenFromFake:
    def __init__(self, graph: FakeGraph) -> None:
        self.graph = graph

    async def token(self, *, force_refresh: bool = False) -> str:
        return (
            next(iter(self.graph.valid_tokens))
            if self.graph.valid_tokens and not force_refresh
            else self.graph.issue_token()
        )


class SharePointWorld(World):
    kind = "sharepoint"

    async def open(self, session: aiohttp.ClientSession, sleep: Any) -> None:
        await super().open(session, sleep)
        self.fake = FakeGraph(page_size=200 if self.production else 3)
        self.server = await start(self.fake.app())
        self.fake.base = str(self.server.make_url("")).rstrip("/")

    def add(self, i: int, version: int = 1) -> None:
        self.fake.put(f"Docs/doc-{i:03d}.txt", body(i, version).encode())

    def remove(self, i: int) -> None:
        self.fake.delete(f"Docs/doc-{i:03d}.txt")

    def connector(self) -> Connector:
        settings = SharePointSettings.model_validate(
            dict(
                site_url="https://contoso.sharepoint.com/sites/HR",
                tenant_id="t",
                client_id="c",
                client_secret_ref="env:S",
                libraries=["Documents"],
            )
        )
        graph = GraphClient(self.fake.base, TokenFromFake(self.fake), self.session, sleep=self.sleep)
        return SharePointConnector("src", settings, graph, supports=TextParser().supports)


class ConfluenceWorld(World):
    kind = "confluence"

    async def open(self, session: aiohttp.ClientSession, sleep: Any) -> None:
        await super().open(session, sleep)
        self.fake = FakeConfluence(page_size=25 if self.production else 3)
        self.server = await start(self.fake.app())
        self.base = str(self.server.make_url("")).rstrip("/")
        self.when = datetime.now(UTC) - timedelta(days=30)

    def seed(self, n: int) -> None:
        super().seed(n)
        self.when = datetime.now(UTC)  # later additions and edits happen now

    def add(self, i: int, version: int = 1) -> None:
        when = self.when if version == 1 else datetime.now(UTC)
        self.fake.put("ENG", f"doc-{i:03d}", f"<p>{body(i, version)}</p>", when=when)

    def remove(self, i: int) -> None:
        del self.fake.pages[next(p.id for p in self.fake.pages.values() if p.title == f"doc-{i:03d}")]

    def connector(self) -> Connector:
        settings = ConfluenceSettings.model_validate(
            dict(
                base_url=f"{self.base}/wiki",
                spaces=["ENG"],
                email=EMAIL,
                token_ref="env:T",
                reconcile_hours=24 if self.production else 1e-9,  # tests: reconcile on every run
            )
        )
        limit = 25 if self.production else 3
        return ConfluenceConnector(
            "src", settings, SessionHttpClients(self.session, sleep=self.sleep), token=TOKEN, page_limit=limit
        )


class MediaWikiWorld(World):
    kind = "mediawiki"

    async def open(self, session: aiohttp.ClientSession, sleep: Any) -> None:
        await super().open(session, sleep)
        self.fake = FakeMediaWiki(page_size=50 if self.production else 3)
        self.server = await start(self.fake.app())
        self.fake.base = str(self.server.make_url("")).rstrip("/")

    def add(self, i: int, version: int = 1) -> None:
        self.fake.edit(f"doc-{i:03d}", f"<p>{body(i, version)}</p>")

    def remove(self, i: int) -> None:
        self.fake.delete(f"doc-{i:03d}")

    def connector(self) -> Connector:
        settings = MediaWikiSettings.model_validate(dict(api_url=f"{self.fake.base}/w/api.php"))
        size = 25 if self.production else 3
        return MediaWikiConnector("src", settings, SessionHttpClients(self.session, sleep=self.sleep), batch_size=size)


def make_world(kind: str, tmp_path: Path) -> World:
    return {
        "folder": lambda: FolderWorld(tmp_path / "folder"),
        "sharepoint": SharePointWorld,
        "confluence": ConfluenceWorld,
        "mediawiki": MediaWikiWorld,
    }[kind]()
