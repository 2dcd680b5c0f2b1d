"""A local Microsoft Graph (+ Entra token endpoint) answering with the documented shapes.

Shapes follow Microsoft's Graph reference (https://learn.microsoft.com/graph/api/driveitem-delta,
.../site-get, .../drive-list, .../driveitem-list-permissions): site, drives list, driveItem delta pages
with ``@odata.nextLink`` / ``@odata.deltaLink`` and ``deleted`` facets, and the fields a real tenant
returns (parentReference.path, webUrl, cTag, lastModifiedBy, permissions). Every payload is built here;
nothing is read from outside ``tests/``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SITE_ID = "contoso.sharepoint.com,2C712604-1370-44E7-A1F5-426573FDA80A,2D2244C3-251A-49EA-93A8-39E1C3A060FE"
DRIVE_ID = "b!-RIj2DuyvEyV1T4NlOaMHk8XkS_I8MdFlUCq1BlcjgmhRfAj3-Z8RY2VpuvV_tpd"


@dataclass
class Item:
    id: str
    name: str
    folder: str  # '' or '/A/B'
    content: bytes = b""
    is_folder: bool = False
    deleted: bool = False
    seq: int = 0
    groups: list[str] = field(default_factory=list)


class FakeGraph:
    def __init__(self, page_size: int = 2) -> None:
        self.page_size = page_size
        self.items: dict[str, Item] = {}
        self.seq = 0
        self._ids = itertools.count(1)
        self.valid_tokens: set[str] = set()
        self.issued = 0
        self.throttle_next = 0  # answer the next N Graph requests with 429
        self.retry_after = "1"
        self.requests: list[str] = []
        self.token_forms: list[dict[str, str]] = []
        self.base = ""

    # --- state changes (tests) --------------------------------------------------------------
    def put(self, path: str, content: bytes, groups: list[str] | None = None) -> Item:
        folder, _, name = path.rpartition("/")
        folder = f"/{folder}" if folder else ""
        live = [i for i in self.items.values() if not i.deleted]
        existing = next((i for i in live if i.name == name and i.folder == folder), None)
        self.seq += 1
        if existing:
            existing.content, existing.seq = content, self.seq
            if groups is not None:
                existing.groups = groups
            return existing
        item = Item(
            id=f"01ITEM{next(self._ids):04d}",
            name=name,
            folder=folder,
            content=content,
            seq=self.seq,
            groups=groups or [],
        )
        self.items[item.id] = item
        return item

    def delete(self, path: str) -> None:
        folder, _, name = path.rpartition("/")
        folder = f"/{folder}" if folder else ""
        item = next(i for i in self.items.values() if i.name == name and i.folder == folder and not i.deleted)
        self.seq += 1
        item.deleted, item.seq = True, self.seq

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def issue_token(self) -> str:
        self.issued += 1
        token = f"graph-token-{self.issued}"
        self.valid_tokens.add(token)
        return token

    # --- HTTP -------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/v1.0/sites/{ref:.+}/drives", self.drives)
        app.router.add_get("/v1.0/sites/{ref:.+}", self.site)
        app.router.add_get("/v1.0/drives/{drive}/root/delta", self.delta)
        app.router.add_get("/v1.0/drives/{drive}/items/{item}/content", self.content)
        app.router.add_get("/v1.0/drives/{drive}/items/{item}/permissions", self.permissions)
        app.router.add_get("/download/{item}", self.download)
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self.openid)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.token)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith("/v1.0/"):
            return await handler(request)
        self.requests.append(request.path_qs)
        if self.throttle_next > 0:
            self.throttle_next -= 1
            return web.json_response(
                {"error": {"code": "TooManyRequests", "message": "Please retry after"}},
                status=429,
                headers={"Retry-After": self.retry_after},
            )
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
            return web.json_response(
                {
                    "error": {
                        "code": "InvalidAuthenticationToken",
                        "message": "Access token has expired or is not yet valid.",
                    }
                },
                status=401,
            )
        return await handler(request)

    def _url(self, request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    async def site(self, request: web.Request) -> web.Response:
        ref = request.match_info["ref"]
        if ref not in ("contoso.sharepoint.com:/sites/HR", SITE_ID):
            return web.json_response({"error": {"code": "itemNotFound", "message": "not found"}}, status=404)
        return web.json_response(
            {
                "id": SITE_ID,
                "displayName": "HR",
                "name": "HR",
                "createdDateTime": "2017-05-09T20:56:00Z",
                "lastModifiedDateTime": "2017-05-09T20:56:01Z",
                "webUrl": "https://contoso.sharepoint.com/sites/HR",
            }
        )

    async def drives(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#drives",
                "value": [
                    {
                        "id": DRIVE_ID,
                        "name": "Documents",
                        "driveType": "documentLibrary",
                        "webUrl": "https://contoso.sharepoint.com/sites/HR/Shared%20Documents",
                    },
                    {
                        "id": "b!other",
                        "name": "Site Assets",
                        "driveType": "documentLibrary",
                        "webUrl": "https://contoso.sharepoint.com/sites/HR/SiteAssets",
                    },
                ],
            }
        )

    async def delta(self, request: web.Request) -> web.Response:
        drive = request.match_info["drive"]
        assert "deltashowsharingchanges" in request.headers.get("Prefer", "")  # permission changes reported
        if drive != DRIVE_ID:
            return web.json_response(
                {
                    "value": [],
                    "@odata.deltaLink": f"{self._url(request)}/v1.0/drives/{drive}/root/delta?token=0",
                }
            )
        token = int(request.query.get("token", "0"))
        skip = int(request.query.get("skip", "0"))
        if token > self.seq:
            return web.json_response({"error": {"code": "resyncRequired", "message": "gone"}}, status=410)
        changed = sorted((i for i in self.items.values() if i.seq > token), key=lambda i: i.seq)
        if token == 0:
            changed = [i for i in changed if not i.deleted]
        page = changed[skip : skip + self.page_size]
        body: dict[str, Any] = {"value": [self._item_json(request, i) for i in page]}
        link = f"{self._url(request)}/v1.0/drives/{drive}/root/delta?token="
        if skip + self.page_size < len(changed):
            body["@odata.nextLink"] = f"{link}{token}&skip={skip + self.page_size}"
        else:
            body["@odata.deltaLink"] = f"{link}{self.seq}"
        return web.json_response(body)

    def _item_json(self, request: web.Request, item: Item) -> dict[str, Any]:
        if item.deleted:
            return {
                "id": item.id,
                "name": item.name,
                "deleted": {"state": "deleted"},
                "parentReference": {"driveId": DRIVE_ID},
            }
        data: dict[str, Any] = {
            "id": item.id,
            "name": item.name,
            "size": len(item.content),
            "webUrl": f"https://contoso.sharepoint.com/sites/HR/Shared%20Documents{item.folder}/{item.name}",
            "lastModifiedDateTime": "2024-03-01T10:00:00Z",
            "cTag": f"c:{item.id},{item.seq}",
            "eTag": f"{item.id},{item.seq}",
            "lastModifiedBy": {"user": {"displayName": "Megan Bowen", "email": "MeganB@contoso.com"}},
            "parentReference": {"driveId": DRIVE_ID, "path": f"/drives/{DRIVE_ID}/root:{item.folder}"},
        }
        data["folder" if item.is_folder else "file"] = (
            {"childCount": 0} if item.is_folder else {"mimeType": "text/plain"}
        )
        return data

    async def content(self, request: web.Request) -> web.Response:
        item = self.items.get(request.match_info["item"])
        if item is None or item.deleted:
            return web.json_response({"error": {"code": "itemNotFound", "message": "gone"}}, status=404)
        raise web.HTTPFound(f"/download/{item.id}")  # Graph answers 302 to a pre-authenticated URL

    async def download(self, request: web.Request) -> web.Response:
        return web.Response(body=self.items[request.match_info["item"]].content)

    async def permissions(self, request: web.Request) -> web.Response:
        item = self.items[request.match_info["item"]]
        return web.json_response(
            {
                "value": [
                    {
                        "id": f"p{n}",
                        "roles": ["read"],
                        "grantedToV2": {"siteGroup": {"displayName": g, "id": str(n)}},
                    }
                    for n, g in enumerate(item.groups)
                ]
            }
        )

    # --- Entra ID (msal) --------------------------------------------------------------------
    async def openid(self, request: web.Request) -> web.Response:
        base = f"{self._url(request)}/{request.match_info['tenant']}"
        return web.json_response(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "issuer": f"{base}/v2.0",
            }
        )

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.token_forms.append({k: str(v) for k, v in form.items()})
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("client_secret") != "s3cret"
            and "client_assertion" not in form
        ):
            return web.json_response(
                {"error": "invalid_client", "error_description": "AADSTS7000215: bad"}, status=401
            )
        token = self.issue_token()
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": token})
