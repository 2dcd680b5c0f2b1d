"""SharePoint document libraries through Microsoft Graph ``delta``.

site URL → site id → document libraries (drives) → ``/drives/{id}/root/delta``. One batch is one
delta page of one drive; the checkpoint holds the page link being worked on, the drives still to
visit this pass, and each drive's ``@odata.deltaLink`` (the next pass asks only for changes).
Items with a ``deleted`` facet become deletions; files leaving the folder/extension filters too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlparse

from pydantic import Field, field_validator, model_validator

from bot.errors import ConfigError, ConnectorError, InputError
from bot.models import Source
from bot.secret_refs import check_secret_reference
from ingest.graph import DELTA_LINK, NEXT_LINK, GraphApi
from ingest.http import HttpStatusError
from ingest.interfaces import Connector, ConnectorBatch, ConnectorCheckpoint, DocumentFailure, RawDocument
from ingest.kinds import ConnectorContext, SourceKind, SourceSettings
from ingest.timeparse import parse_time as _parse_time

log = logging.getLogger(__name__)
# Deleted-and-moved-out items as `deleted`, and items whose sharing changed, in delta responses.
DELTA_PREFER = {"Prefer": "deltashowremovedasdeleted, deltatraversepermissiongaps, deltashowsharingchanges"}
EVERYONE_SCOPES = {"anonymous", "organization"}


class SharePointSettings(SourceSettings):
    site_url: str = Field(..., description="https://contoso.sharepoint.com/sites/HR")
    tenant_id: str
    client_id: str
    client_secret_ref: str | None = None
    certificate_ref: str | None = Field(None, description="PEM private key (+ certificate) reference")
    certificate_thumbprint: str | None = None
    libraries: list[str] = Field(default_factory=list, description="drive names; empty = every library")
    include_folders: list[str] = Field(default_factory=list, description="path prefixes inside a library")
    exclude_folders: list[str] = Field(default_factory=list)
    extensions: list[str] = Field(default_factory=list, description="e.g. ['.docx', '.pdf']; empty = all")
    map_permissions: bool = Field(True, description="read item permissions into ACL groups")

    _refs = field_validator("client_secret_ref", "certificate_ref")(check_secret_reference)

    @model_validator(mode="after")
    def _one_credential(self) -> SharePointSettings:
        if bool(self.client_secret_ref) == bool(self.certificate_ref):
            raise ValueError("give exactly one of client_secret_ref or certificate_ref")
        if self.certificate_ref and not self.certificate_thumbprint:
            raise ValueError("certificate_ref needs certificate_thumbprint")
        if not self.site_url.startswith(("https://", "http://")):
            raise ValueError("site_url must be an https:// URL")
        return self


class SharePointCheckpoint(ConnectorCheckpoint):
    delta: dict[str, str] = {}  # drive id -> its @odata.deltaLink (the next pass asks for changes only)
    queue: list[str] = []  # drive ids still to visit this pass (the first is being worked on)
    names: dict[str, str] = {}  # drive id -> library name
    link: str | None = None  # the delta page link being worked on in queue[0]


class SharePointConnector:
    checkpoint_model = SharePointCheckpoint

    def __init__(
        self,
        name: str,
        settings: SharePointSettings,
        graph: GraphApi,
        *,
        supports: Callable[[str], bool] | None = None,
        max_bytes: int = 50 * 1024 * 1024,
        default_groups: list[str] | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.graph = graph
        self.supports = supports or (lambda _name: True)
        self.max_bytes = max_bytes
        self.default_groups = default_groups or []

    async def load_from_checkpoint(
        self, checkpoint: SharePointCheckpoint | None
    ) -> ConnectorBatch[SharePointCheckpoint]:
        state = checkpoint.model_copy(deep=True) if checkpoint else SharePointCheckpoint()
        if not state.queue:
            drives = await self._drives()
            state.names = {d["id"]: d["name"] for d in drives}
            state.queue = [d["id"] for d in drives]
            state.link = None
            if not state.queue:
                return ConnectorBatch(checkpoint=SharePointCheckpoint(delta=state.delta))
        drive_id = state.queue[0]
        link = state.link or state.delta.get(drive_id) or f"drives/{drive_id}/root/delta"
        try:
            page = await self.graph.get(link, headers=DELTA_PREFER)
        except HttpStatusError as exc:
            if exc.status != 410:  # 410 Gone: the delta token expired, resync this drive from scratch
                raise
            log.warning("%s: delta token for drive %s expired, resyncing it", self.name, drive_id)
            state.delta.pop(drive_id, None)
            page = await self.graph.get(f"drives/{drive_id}/root/delta", headers=DELTA_PREFER)
        batch = await self._page_to_batch(drive_id, state.names.get(drive_id, ""), page)
        if page.get(NEXT_LINK):
            state.link = page[NEXT_LINK]
        else:
            if page.get(DELTA_LINK):
                state.delta[drive_id] = page[DELTA_LINK]
            state.queue = state.queue[1:]
            state.link = None
        batch.has_more = bool(state.queue)
        batch.checkpoint = state
        return batch

    async def _drives(self) -> list[dict[str, str]]:
        url = urlparse(self.settings.site_url)
        path = url.path.rstrip("/")
        site_ref = f"sites/{url.hostname}:{quote(path)}" if path else f"sites/{url.hostname}"
        site = await self.graph.get(site_ref)
        site_id = site.get("id")
        if not site_id:
            raise ConnectorError(f"{self.name}: Graph returned no site id for {self.settings.site_url}")
        wanted = {n.casefold() for n in self.settings.libraries}
        drives = [
            {"id": d["id"], "name": d.get("name", "")}
            async for d in self.graph.items(f"sites/{site_id}/drives")
            if not wanted or d.get("name", "").casefold() in wanted
        ]
        if wanted and not drives:
            raise ConnectorError(f"{self.name}: no library named {self.settings.libraries} on the site")
        return drives

    async def _page_to_batch(
        self, drive_id: str, drive_name: str, page: dict[str, Any]
    ) -> ConnectorBatch[SharePointCheckpoint]:
        batch: ConnectorBatch[SharePointCheckpoint] = ConnectorBatch()
        for item in page.get("value", []):
            doc_id = f"{drive_id}:{item['id']}"
            if "deleted" in item:
                batch.deletions.append(doc_id)
                continue
            if "file" not in item:
                continue  # folders, the root, notebooks: nothing to index themselves
            name = item.get("name", "")
            folder = _folder_path(item)
            if not self._wanted(folder, name):
                batch.deletions.append(doc_id)  # moved out of the included folders: forget it
                continue
            uri = item.get("webUrl") or f"{self.settings.site_url.rstrip('/')}/{drive_name}{folder}/{name}"
            if not self.supports(name):
                batch.failures.append(DocumentFailure(doc_id, uri, f"unsupported file type '{name}'"))
                continue
            size = int(item.get("size") or 0)
            if size > self.max_bytes:
                batch.failures.append(DocumentFailure(doc_id, uri, f"file too large ({size // 2**20} MB)"))
                continue
            try:
                content = await self.graph.download(
                    f"drives/{drive_id}/items/{item['id']}/content", max_bytes=self.max_bytes
                )
                groups = await self._acl_groups(drive_id, item["id"])
            except (HttpStatusError, InputError) as exc:
                batch.failures.append(DocumentFailure(doc_id, uri, str(exc)))
                continue
            batch.documents.append(RawDocument(
                id=doc_id, uri=uri, title=name, content=content, filename=name,
                author=((item.get("lastModifiedBy") or {}).get("user") or {}).get("displayName"),
                modified=_parse_time(item.get("lastModifiedDateTime")), acl_groups=groups,
                metadata={"library": drive_name, "path": f"{folder}/{name}", "item_id": item["id"]},
                version=item.get("cTag") or item.get("eTag"),
            ))
        return batch

    def _wanted(self, folder: str, name: str) -> bool:
        exts = {e.lower() if e.startswith(".") else f".{e.lower()}" for e in self.settings.extensions}
        if exts and not any(name.lower().endswith(e) for e in exts):
            return False
        if self.settings.include_folders and not any(
            _under(folder, f) for f in self.settings.include_folders
        ):
            return False
        return not any(_under(folder, f) for f in self.settings.exclude_folders)

    async def _acl_groups(self, drive_id: str, item_id: str) -> list[str]:
        if not self.settings.map_permissions:
            return list(self.default_groups)
        try:
            perms = [p async for p in self.graph.items(f"drives/{drive_id}/items/{item_id}/permissions")]
        except HttpStatusError as exc:
            if exc.status in (403, 404):  # the app may lack Sites.FullControl: fall back to the audience
                return list(self.default_groups)
            raise
        return permissions_to_groups(perms) or list(self.default_groups)


def permissions_to_groups(perms: list[dict[str, Any]]) -> list[str]:
    """Graph ``permission`` objects → ACL group names (group/site-group names, user emails).

    A sharing link scoped to the organization or anyone means everyone: no restriction (``[]``).
    """
    groups: set[str] = set()
    for perm in perms:
        if (perm.get("link") or {}).get("scope") in EVERYONE_SCOPES:
            return []
        identities = [perm.get("grantedToV2") or {}, *(perm.get("grantedToIdentitiesV2") or [])]
        for ident in identities:
            for kind in ("group", "siteGroup"):
                name = (ident.get(kind) or {}).get("displayName")
                if name:
                    groups.add(name)
            email = (ident.get("user") or {}).get("email")
            if email:
                groups.add(email.lower())
    return sorted(groups)


def _folder_path(item: dict[str, Any]) -> str:
    """'/drives/x/root:/A/B' → '/A/B' ('' at the library root)."""
    path = (item.get("parentReference") or {}).get("path") or ""
    return path.split("root:", 1)[1] if "root:" in path else ""


def _under(folder: str, prefix: str) -> bool:
    prefix = "/" + prefix.strip("/")
    return prefix == "/" or folder == prefix or folder.startswith(prefix + "/")


async def build(source: Source, settings: SharePointSettings, ctx: ConnectorContext) -> Connector:
    if ctx.graph is None:
        raise ConfigError("SharePoint sources need a Graph token provider (msal); none is configured")
    graph = await ctx.graph(settings, ctx.secrets)
    return SharePointConnector(
        source.name, settings, graph, supports=ctx.supports, max_bytes=ctx.max_bytes(settings),
        default_groups=list(source.audience),
    )


KIND = SourceKind("sharepoint", SharePointSettings, SharePointCheckpoint, lambda s: s.site_url, build)
