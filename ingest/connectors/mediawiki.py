"""MediaWiki through ``api.php`` (formatversion=2): all pages of the configured namespaces, then
``recentchanges`` since the checkpoint.

* **full** pass: ``generator=allpages`` per namespace (non-redirects), ``continue`` paging.
* **incremental**: ``list=recentchanges`` (edits, new pages, log entries) from the server time the
  last pass started; changed page ids are looked up (``prop=info``) and re-rendered; pages now
  missing, redirected or outside the namespaces are deleted. A delete or move in the log, or
  ``reconcile_hours`` elapsed, triggers a **reconcile** pass: ids only, reported as ``present_ids``.

Document id = page id (stable across moves); text = the rendered page (``action=parse``) turned
into text with headings kept. Bot-password login (``action=login``) when a username is set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any, Literal
from urllib.parse import quote

from pydantic import Field, field_validator, model_validator

from bot.errors import AccessDeniedError, ConnectorError
from bot.models import Source
from bot.secret_refs import check_secret_reference
from ingest.connectors.confluence_storage import storage_to_text as html_to_text
from ingest.http import HttpClients, HttpResponse, HttpStatusError
from ingest.interfaces import Connector, ConnectorBatch, ConnectorCheckpoint, DocumentFailure, RawDocument
from ingest.kinds import ConnectorContext, SourceKind, SourceSettings
from ingest.timeparse import parse_time as _parse_time

BATCH = 25
RC_LOG_TYPES_RECONCILE = {"delete", "move", "merge", "import"}


class MediaWikiSettings(SourceSettings):
    api_url: str = Field(..., description="https://wiki.example.com/w/api.php")
    namespaces: list[int] = Field(default_factory=lambda: [0])
    username: str | None = Field(None, description="bot password user, 'User@BotName'")
    password_ref: str | None = None
    reconcile_hours: float = Field(24, gt=0)

    _refs = field_validator("password_ref")(check_secret_reference)

    @model_validator(mode="after")
    def _login_pair(self) -> MediaWikiSettings:
        if bool(self.username) != bool(self.password_ref):
            raise ValueError("username and password_ref go together")
        return self


class MediaWikiCheckpoint(ConnectorCheckpoint):
    """Between passes only ``since``/``reconciled`` are kept; during a pass, where it stands."""

    since: str | None = None  # wiki server time the last finished pass started
    reconciled: str | None = None  # ISO time of the last full id listing
    phase: Literal["full", "incremental", "reconcile"] | None = None
    started: str | None = None  # wiki server time this pass started
    ns: int = 0  # index into settings.namespaces
    cont: dict[str, Any] | None = None  # api.php ``continue`` parameters
    ids: list[str] = []  # page ids listed so far (full and reconcile passes)
    dirty: bool = False  # a delete/move was seen: reconcile after this incremental pass


class MediaWikiConnector:
    checkpoint_model = MediaWikiCheckpoint

    def __init__(
        self,
        name: str,
        settings: MediaWikiSettings,
        http: HttpClients,
        *,
        password: str | None = None,
        default_groups: list[str] | None = None,
        batch_size: int = BATCH,
    ) -> None:
        self.name = name
        self.settings = settings
        self.api = settings.api_url
        self.password = password
        self.default_groups = default_groups or []
        self.batch_size = batch_size
        self.http = http()
        self._cookies: dict[str, str] = {}
        self._logged_in = False
        self._site: dict[str, Any] | None = None

    # --- API plumbing ---------------------------------------------------------------------------
    async def _call(self, params: dict[str, str], *, post: bool = False) -> dict[str, Any]:
        query = {"format": "json", "formatversion": "2", **params}
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self._cookies.items())} if self._cookies else {}
        if post:
            resp = await self.http.request("POST", self.api, data=query, headers=headers)
        else:
            resp = await self.http.request("GET", self.api, params=query, headers=headers)
        self._keep_cookies(resp)
        data = resp.json()
        if not isinstance(data, dict):
            raise ConnectorError(f"{self.name}: unexpected api.php response")
        if "error" in data:
            err = data["error"]
            code = err.get("code", "") if isinstance(err, dict) else str(err)
            info = err.get("info", "") if isinstance(err, dict) else ""
            if code in ("readapidenied", "permissiondenied"):
                raise AccessDeniedError(f"{self.name}: the wiki refused access ({code}): {info}")
            raise ConnectorError(f"{self.name}: api.php error {code}: {info}")
        return data

    def _keep_cookies(self, resp: HttpResponse) -> None:
        for raw in resp.header_values("Set-Cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for key, morsel in jar.items():
                self._cookies[key] = morsel.value

    async def _login(self) -> None:
        if self._logged_in or not self.settings.username:
            return
        token = (await self._call({"action": "query", "meta": "tokens", "type": "login"}))["query"]["tokens"]
        result = await self._call({
            "action": "login", "lgname": self.settings.username, "lgpassword": self.password or "",
            "lgtoken": token["logintoken"],
        }, post=True)
        status = (result.get("login") or {}).get("result")
        if status != "Success":
            raise AccessDeniedError(f"{self.name}: wiki login as {self.settings.username} failed ({status})")
        self._logged_in = True

    async def _siteinfo(self) -> dict[str, Any]:
        if self._site is None:
            data = await self._call({"action": "query", "meta": "siteinfo", "siprop": "general"})
            self._site = data["query"]["general"]
        return self._site

    async def _server_time(self) -> str:
        data = await self._call({"action": "query", "meta": "siteinfo", "siprop": "general"})
        self._site = data["query"]["general"]
        return str(self._site.get("time") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    # --- passes ---------------------------------------------------------------------------------
    async def load_from_checkpoint(
        self, checkpoint: MediaWikiCheckpoint | None
    ) -> ConnectorBatch[MediaWikiCheckpoint]:
        await self._login()
        state = checkpoint.model_copy(deep=True) if checkpoint else MediaWikiCheckpoint()
        if not state.phase:
            state.started, state.cont = await self._server_time(), None
            if not state.since:
                state.phase, state.ns, state.ids = "full", 0, []
            else:
                state.phase, state.dirty = "incremental", False
        phase = state.phase
        if phase == "incremental":
            batch = await self._changes_batch(state)
        else:
            batch = await self._listing_batch(state, with_text=phase == "full")
        if batch.has_more:
            batch.checkpoint = state
            return batch
        if phase == "incremental" and (state.dirty or self._reconcile_due(state)):
            state.phase, state.ns, state.cont, state.ids = "reconcile", 0, None, []
            batch.has_more, batch.checkpoint = True, state
            return batch
        if phase != "incremental":
            batch.present_ids = list(state.ids)
            state.reconciled = datetime.now(UTC).isoformat()
        batch.checkpoint = MediaWikiCheckpoint(since=state.started, reconciled=state.reconciled)
        return batch

    def _reconcile_due(self, state: MediaWikiCheckpoint) -> bool:
        last = state.reconciled
        period = timedelta(hours=self.settings.reconcile_hours)
        return not last or datetime.now(UTC) - datetime.fromisoformat(last) >= period

    async def _listing_batch(
        self, state: MediaWikiCheckpoint, *, with_text: bool
    ) -> ConnectorBatch[MediaWikiCheckpoint]:
        batch: ConnectorBatch[MediaWikiCheckpoint] = ConnectorBatch(has_more=True)
        params = {
            "action": "query", "generator": "allpages", "gapfilterredir": "nonredirects",
            "gapnamespace": str(self.settings.namespaces[state.ns]), "prop": "info",
            "gaplimit": str(self.batch_size if with_text else 500), **(state.cont or {}),
        }
        data = await self._call(params)
        pages = (data.get("query") or {}).get("pages", [])
        state.ids.extend(str(p["pageid"]) for p in pages if "missing" not in p)
        if with_text:
            for page in pages:
                await self._add_page(batch, page)
        if "continue" in data:
            state.cont = data["continue"]
        else:
            state.ns, state.cont = state.ns + 1, None
            batch.has_more = state.ns < len(self.settings.namespaces)
        return batch

    async def _changes_batch(self, state: MediaWikiCheckpoint) -> ConnectorBatch[MediaWikiCheckpoint]:
        batch: ConnectorBatch[MediaWikiCheckpoint] = ConnectorBatch()
        params = {
            "action": "query", "list": "recentchanges", "rcdir": "newer", "rcstart": state.since or "",
            "rcnamespace": "|".join(str(n) for n in self.settings.namespaces), "rctype": "edit|new|log",
            "rcprop": "title|ids|timestamp|loginfo", "rclimit": str(self.batch_size),
            **(state.cont or {}),
        }
        data = await self._call(params)
        page_ids: list[str] = []
        for change in (data.get("query") or {}).get("recentchanges", []):
            if change.get("type") == "log" and change.get("logtype") in RC_LOG_TYPES_RECONCILE:
                state.dirty = True  # deletions/moves: confirm by listing ids at the end
            pid = str(change.get("pageid") or "")
            if pid and pid != "0" and pid not in page_ids:
                page_ids.append(pid)
        if page_ids:
            info = await self._call({"action": "query", "pageids": "|".join(page_ids), "prop": "info"})
            for page in (info.get("query") or {}).get("pages", []):
                if "missing" in page or "invalid" in page or page.get("redirect") \
                        or page.get("ns") not in self.settings.namespaces:
                    if page.get("pageid"):
                        batch.deletions.append(str(page["pageid"]))
                    continue
                await self._add_page(batch, page)
        state.cont = data.get("continue")
        batch.has_more = "continue" in data
        return batch

    async def _add_page(self, batch: ConnectorBatch[MediaWikiCheckpoint], page: dict[str, Any]) -> None:
        page_id = str(page["pageid"])
        uri = await self._page_url(page["title"])
        try:
            parsed = await self._call({
                "action": "parse", "pageid": page_id, "prop": "text|revid|displaytitle",
                "disableeditsection": "1", "disabletoc": "1",
            })
        except (ConnectorError, HttpStatusError) as exc:
            batch.failures.append(DocumentFailure(page_id, uri, str(exc)))
            return
        html = (parsed.get("parse") or {}).get("text", "")
        batch.documents.append(RawDocument(
            id=page_id, uri=uri, title=page["title"], text=html_to_text(html),
            modified=_parse_time(page.get("touched")), acl_groups=list(self.default_groups),
            metadata={"namespace": page.get("ns"), "revision": page.get("lastrevid")},
            version=str(page.get("lastrevid")) if page.get("lastrevid") else None,
        ))

    async def _page_url(self, title: str) -> str:
        site = await self._siteinfo()
        path = site.get("articlepath", "/index.php/$1").replace("$1", quote(title.replace(" ", "_")))
        return f"{site.get('server', '')}{path}"


async def build(source: Source, settings: MediaWikiSettings, ctx: ConnectorContext) -> Connector:
    password = await ctx.secrets(settings.password_ref) if settings.password_ref else None
    return MediaWikiConnector(source.name, settings, ctx.http, password=password, default_groups=list(source.audience))


KIND = SourceKind("mediawiki", MediaWikiSettings, MediaWikiCheckpoint, lambda s: s.api_url, build)
