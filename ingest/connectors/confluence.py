"""Confluence Cloud and Data Center pages of configured spaces.

Passes, each made of batches (one API page each) and resumable from the checkpoint:

* **full** (first run): every page of every space. Cloud: ``/api/v2/spaces/{id}/pages`` with
  ``body-format=storage`` and cursor paging (``_links.next``); Data Center: ``/rest/api/content``
  with ``expand=body.storage,version`` and ``start``/``limit``.
* **incremental**: CQL ``space in (...) and type = page and lastmodified >= "<since>"`` through
  ``/rest/api/search``; each hit's body is then fetched.
* **reconcile** (every ``reconcile_hours``, after the incremental pass): list page ids only and
  report them as ``present_ids``; pages deleted, trashed or moved out of the spaces disappear.

Read restrictions (``/rest/api/content/{id}/restriction/byOperation/read``) become ACL groups, or
restricted pages are skipped (``restricted: skip``). Labels go into metadata.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urljoin, urlparse

from pydantic import Field, field_validator, model_validator

from bot.errors import ConnectorError
from bot.models import Source
from bot.secret_refs import check_secret_reference
from ingest.connectors.confluence_storage import storage_to_text
from ingest.http import HttpClients, HttpStatusError
from ingest.interfaces import Connector, ConnectorBatch, ConnectorCheckpoint, DocumentFailure, RawDocument
from ingest.kinds import ConnectorContext, SourceKind, SourceSettings
from ingest.timeparse import parse_time as _parse_time

PAGE_LIMIT = 25
CQL_OVERLAP = timedelta(days=1)  # CQL dates are in the API user's time zone: look back generously


class ConfluenceSettings(SourceSettings):
    base_url: str = Field(..., description="https://example.atlassian.net/wiki or https://confluence.corp")
    deployment: Literal["cloud", "datacenter"] = "cloud"
    spaces: list[str] = Field(..., min_length=1, description="space keys")
    email: str | None = Field(None, description="Cloud: the API token's account email")
    token_ref: str = Field(..., description="Cloud API token or Data Center personal access token")
    reconcile_hours: float = Field(24, gt=0, description="full id reconciliation (deletes, moves) period")
    restricted: Literal["skip", "acl"] = Field(
        "acl", description="pages with read restrictions: map restricted groups to ACLs, or skip them"
    )

    _refs = field_validator("token_ref")(check_secret_reference)

    @model_validator(mode="after")
    def _cloud_needs_email(self) -> ConfluenceSettings:
        if self.deployment == "cloud" and not self.email:
            raise ValueError("deployment 'cloud' needs email (API tokens use basic auth)")
        return self


class ConfluenceCheckpoint(ConnectorCheckpoint):
    """Between passes only ``since``/``reconciled`` are kept; during a pass, where it stands."""

    since: str | None = None  # ISO time the last finished pass started (incremental from there)
    reconciled: str | None = None  # ISO time of the last full id listing
    phase: Literal["full", "incremental", "reconcile"] | None = None
    started: str | None = None  # ISO time this pass started
    space: int = 0  # index into settings.spaces
    next: str | None = None  # the API's next-page link
    ids: list[str] = []  # page ids listed so far (full and reconcile passes)


class ConfluenceConnector:
    checkpoint_model = ConfluenceCheckpoint

    def __init__(
        self,
        name: str,
        settings: ConfluenceSettings,
        http: HttpClients,
        *,
        token: str,
        default_groups: list[str] | None = None,
        page_limit: int = PAGE_LIMIT,
    ) -> None:
        self.name = name
        self.settings = settings
        self.base = settings.base_url.rstrip("/")
        self.cloud = settings.deployment == "cloud"
        self.default_groups = default_groups or []
        self.page_limit = page_limit
        if self.cloud:
            basic = base64.b64encode(f"{settings.email}:{token}".encode()).decode()
            self._auth_header = f"Basic {basic}"
        else:
            self._auth_header = f"Bearer {token}"
        self.http = http(auth=self._auth)
        self._space_ids: dict[str, str] = {}
        self._readers_cache: dict[str, list[str]] = {}  # page id -> read restriction (one run)

    async def _auth(self, _force_refresh: bool) -> Mapping[str, str]:
        return {"Authorization": self._auth_header}

    def _url(self, path_or_link: str) -> str:
        """API paths are relative to base_url; ``_links.next`` values are site-absolute (``/wiki/...``)."""
        if path_or_link.startswith(("http://", "https://")):
            return path_or_link
        base_path = urlparse(self.base).path
        if base_path and path_or_link.startswith(base_path + "/"):
            return urljoin(self.base + "/", path_or_link)  # '/wiki/api/v2/...': origin + link
        return f"{self.base}/{path_or_link.lstrip('/')}"

    # --- passes ---------------------------------------------------------------------------------
    async def load_from_checkpoint(
        self, checkpoint: ConfluenceCheckpoint | None
    ) -> ConnectorBatch[ConfluenceCheckpoint]:
        state = checkpoint.model_copy(deep=True) if checkpoint else ConfluenceCheckpoint()
        now = datetime.now(UTC)
        if not state.phase:
            state.phase = "incremental" if state.since else "full"
            state.started, state.space, state.next = now.isoformat(), 0, None
            if state.phase == "full":
                state.ids = []
        phase = state.phase
        if phase == "full":
            batch = await self._listing_batch(state, with_bodies=True)
        elif phase == "incremental":
            batch = await self._incremental_batch(state)
        else:
            batch = await self._listing_batch(state, with_bodies=False)
        if batch.has_more:
            batch.checkpoint = state
            return batch
        # This phase is done: decide what comes next.
        if phase == "incremental" and self._reconcile_due(state, now):
            state.phase, state.space, state.next, state.ids = "reconcile", 0, None, []
            batch.has_more, batch.checkpoint = True, state
            return batch
        if phase in ("full", "reconcile"):
            batch.present_ids = list(state.ids)
            state.reconciled = state.started
        batch.checkpoint = ConfluenceCheckpoint(since=state.started, reconciled=state.reconciled)
        return batch

    def _reconcile_due(self, state: ConfluenceCheckpoint, now: datetime) -> bool:
        last = state.reconciled
        period = timedelta(hours=self.settings.reconcile_hours)
        return not last or now - datetime.fromisoformat(last) >= period

    async def _listing_batch(
        self, state: ConfluenceCheckpoint, *, with_bodies: bool
    ) -> ConnectorBatch[ConfluenceCheckpoint]:
        """One page of the page listing of the current space (bodies on a full pass, ids otherwise)."""
        batch: ConnectorBatch[ConfluenceCheckpoint] = ConnectorBatch(has_more=True)
        key = self.settings.spaces[state.space]
        if state.next:
            data = await self.http.get_json(self._url(state.next))
        elif self.cloud:
            params = {"limit": str(self.page_limit), **({"body-format": "storage"} if with_bodies else {})}
            space_id = await self._space_id(key)
            data = await self.http.get_json(self._url(f"api/v2/spaces/{space_id}/pages"), params)
        else:
            params = {"spaceKey": key, "type": "page", "limit": str(self.page_limit), "start": "0",
                      **({"expand": "body.storage,version"} if with_bodies else {})}
            data = await self.http.get_json(self._url("rest/api/content"), params)
        for page in data.get("results", []):
            if page.get("status", "current") != "current":
                continue
            state.ids.append(str(page["id"]))
            if with_bodies:
                await self._add_page(batch, page)
        next_link = (data.get("_links") or {}).get("next")
        if next_link:
            state.next = next_link
        else:
            state.space, state.next = state.space + 1, None
            batch.has_more = state.space < len(self.settings.spaces)
        return batch

    async def _incremental_batch(self, state: ConfluenceCheckpoint) -> ConnectorBatch[ConfluenceCheckpoint]:
        batch: ConnectorBatch[ConfluenceCheckpoint] = ConnectorBatch(has_more=True)
        if state.next:
            data = await self.http.get_json(self._url(state.next))
        else:
            since = datetime.fromisoformat(state.since or "") - CQL_OVERLAP
            spaces = ", ".join(f'"{k}"' for k in self.settings.spaces)
            cql = f'space in ({spaces}) and type = page and lastmodified >= "{since:%Y-%m-%d %H:%M}"'
            data = await self.http.get_json(
                self._url("rest/api/search"), {"cql": cql, "limit": str(self.page_limit), "start": "0"}
            )
        for hit in data.get("results", []):
            content = hit.get("content") or {}
            if content.get("type", "page") != "page" or not content.get("id"):
                continue
            try:
                page = await self._fetch_page(str(content["id"]))
            except HttpStatusError as exc:
                if exc.status == 404:  # deleted since the search ran
                    batch.deletions.append(str(content["id"]))
                else:
                    batch.failures.append(DocumentFailure(str(content["id"]), hit.get("url", ""), str(exc)))
                continue
            await self._add_page(batch, page)
        next_link = (data.get("_links") or {}).get("next")
        state.next = next_link or None
        batch.has_more = bool(next_link)
        return batch

    # --- pages ----------------------------------------------------------------------------------
    async def _space_id(self, key: str) -> str:
        if key not in self._space_ids:
            data = await self.http.get_json(self._url("api/v2/spaces"), {"keys": key})
            results = data.get("results") or []
            if not results:
                raise ConnectorError(f"{self.name}: Confluence space '{key}' not found or not visible")
            self._space_ids[key] = str(results[0]["id"])
        return self._space_ids[key]

    async def _fetch_page(self, page_id: str) -> dict[str, Any]:
        if self.cloud:
            return await self.http.get_json(self._url(f"api/v2/pages/{page_id}"), {"body-format": "storage"})
        return await self.http.get_json(
            self._url(f"rest/api/content/{page_id}"), {"expand": "body.storage,version"}
        )

    async def _add_page(self, batch: ConnectorBatch[ConfluenceCheckpoint], page: dict[str, Any]) -> None:
        page_id = str(page["id"])
        webui = (page.get("_links") or {}).get("webui") or f"/pages/viewpage.action?pageId={page_id}"
        uri = self.base + webui
        try:
            restricted, restricted_to = await self._effective_restriction(page_id)
            labels = await self._labels(page_id, page)
        except HttpStatusError as exc:
            batch.failures.append(DocumentFailure(page_id, uri, str(exc)))
            return
        if restricted and (self.settings.restricted == "skip" or not restricted_to):
            batch.deletions.append(page_id)  # honour the restriction: never index (or keep) it
            return
        storage = ((page.get("body") or {}).get("storage") or {}).get("value", "")
        version = page.get("version") or {}
        batch.documents.append(RawDocument(
            id=page_id, uri=uri, title=page.get("title", ""), text=storage_to_text(storage),
            author=((version.get("by") or {}).get("displayName")) or version.get("authorId"),
            modified=_parse_time(version.get("createdAt") or version.get("when")),
            acl_groups=restricted_to or list(self.default_groups),
            metadata={"labels": labels, "space_id": page.get("spaceId"), "confluence_id": page_id},
            version=str(version.get("number")) if version.get("number") is not None else None,
        ))

    async def _effective_restriction(self, page_id: str) -> tuple[bool, list[str]]:
        """View restrictions are inherited: a reader must pass the page's and every ancestor's.

        Returns (restricted, groups): the groups/users named at every restricted level (the
        intersection: never more readers than Confluence allows; empty = nobody by group).
        """
        levels = [set(r) for pid in [*await self._ancestors(page_id), page_id] if (r := await self._readers(pid))]
        if not levels:
            return False, []
        return True, sorted(set.intersection(*levels))

    async def _ancestors(self, page_id: str) -> list[str]:
        if self.cloud:
            data = await self.http.get_json(self._url(f"api/v2/pages/{page_id}/ancestors"), {"limit": "250"})
            return [str(a["id"]) for a in data.get("results", []) if a.get("id")]
        data = await self.http.get_json(self._url(f"rest/api/content/{page_id}"), {"expand": "ancestors"})
        return [str(a["id"]) for a in data.get("ancestors", []) if a.get("id")]

    async def _readers(self, page_id: str) -> list[str]:
        if page_id not in self._readers_cache:
            self._readers_cache[page_id] = await self._read_restrictions(page_id)
        return self._readers_cache[page_id]

    async def _read_restrictions(self, page_id: str) -> list[str]:
        data = await self.http.get_json(self._url(f"rest/api/content/{page_id}/restriction/byOperation/read"))
        restrictions = data.get("restrictions") or {}
        groups = [g.get("name") for g in (restrictions.get("group") or {}).get("results", [])]
        users = [u.get("email") or u.get("username") or u.get("accountId")
                 for u in (restrictions.get("user") or {}).get("results", [])]
        return sorted({str(x) for x in groups + users if x})

    async def _labels(self, page_id: str, page: dict[str, Any]) -> list[str]:
        inline = ((page.get("metadata") or {}).get("labels") or {}).get("results")
        if inline is None:
            path = f"api/v2/pages/{page_id}/labels" if self.cloud else f"rest/api/content/{page_id}/label"
            inline = (await self.http.get_json(self._url(path))).get("results", [])
        return [str(lbl.get("name")) for lbl in inline if lbl.get("name")]


async def build(source: Source, settings: ConfluenceSettings, ctx: ConnectorContext) -> Connector:
    token = await ctx.secrets(settings.token_ref)
    return ConfluenceConnector(source.name, settings, ctx.http, token=token, default_groups=list(source.audience))


KIND = SourceKind("confluence", ConfluenceSettings, ConfluenceCheckpoint, lambda s: s.base_url, build)
