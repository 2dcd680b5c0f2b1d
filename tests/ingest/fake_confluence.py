"""A local Confluence (Cloud under ``/wiki``, Data Center under ``/dc``) with the documented shapes.

Shapes follow Atlassian's REST references (https://developer.atlassian.com/cloud/confluence/rest/v2/
and .../rest/v1/): v2 pages with ``body.storage`` and cursor ``_links.next``; v1 search (CQL) envelope;
v1 content with ``expand=body.storage,version``; labels; read restrictions. Every payload is built
here; nothing is read from outside ``tests/``. CQL ``lastmodified >= "yyyy-MM-dd HH:mm"`` is honoured.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

EMAIL, TOKEN, PAT = "bot@example.com", "cloud-api-token", "dc-personal-token"


@dataclass
class Page:
    id: str
    space: str
    title: str
    body: str
    modified: datetime
    version: int = 1
    labels: list[str] = field(default_factory=list)
    restricted_to: list[str] = field(default_factory=list)
    parent: str | None = None


class FakeConfluence:
    def __init__(self, page_size: int = 2) -> None:
        self.page_size = page_size
        self.pages: dict[str, Page] = {}
        self.spaces = {"ENG": "98301", "HR": "98302"}
        self.requests: list[str] = []
        self.throttle_next = 0
        self._next_id = 1000

    def put(
        self,
        space: str,
        title: str,
        body: str,
        *,
        when: datetime | None = None,
        labels: list[str] | None = None,
        restricted_to: list[str] | None = None,
        parent: Page | None = None,
    ) -> Page:
        when = when or datetime.now(UTC)
        for page in self.pages.values():
            if page.title == title and page.space == space:
                page.body, page.modified, page.version = body, when, page.version + 1
                return page
        self._next_id += 1
        page = Page(
            str(self._next_id),
            space,
            title,
            body,
            when,
            labels=labels or [],
            restricted_to=restricted_to or [],
            parent=parent.id if parent else None,
        )
        self.pages[page.id] = page
        return page

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        for prefix in ("/wiki", "/dc"):
            app.router.add_get(f"{prefix}/api/v2/spaces", self.spaces_v2)
            app.router.add_get(prefix + "/api/v2/spaces/{sid}/pages", self.space_pages_v2)
            app.router.add_get(prefix + "/api/v2/pages/{pid}", self.page_v2)
            app.router.add_get(prefix + "/api/v2/pages/{pid}/labels", self.labels_v2)
            app.router.add_get(prefix + "/api/v2/pages/{pid}/ancestors", self.ancestors_v2)
            app.router.add_get(f"{prefix}/rest/api/search", self.search_v1)
            app.router.add_get(f"{prefix}/rest/api/content", self.content_list_v1)
            app.router.add_get(prefix + "/rest/api/content/{pid}", self.content_v1)
            app.router.add_get(prefix + "/rest/api/content/{pid}/label", self.labels_v1)
            app.router.add_get(
                prefix + "/rest/api/content/{pid}/restriction/byOperation/read", self.restrictions
            )
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        if self.throttle_next > 0:
            self.throttle_next -= 1
            return web.json_response(
                {"message": "Rate limit exceeded"}, status=429, headers={"Retry-After": "3"}
            )
        auth = request.headers.get("Authorization", "")
        cloud_ok = auth == "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
        dc_ok = auth == f"Bearer {PAT}"
        if not (cloud_ok if request.path.startswith("/wiki") else dc_ok):
            return web.json_response({"statusCode": 401, "message": "Unauthorized"}, status=401)
        return await handler(request)

    def _not_found(self) -> web.Response:
        return web.json_response(
            {
                "statusCode": 404,
                "data": {
                    "authorized": True,
                    "valid": False,
                    "errors": [
                        {
                            "message": "The requested resource could not be found",
                            "exceptionName": "ResourceNotFoundException",
                        }
                    ],
                    "successful": False,
                },
            },
            status=404,
        )

    def _v2(self, page: Page, body: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": page.id,
            "title": page.title,
            "status": "current",
            "spaceId": self.spaces[page.space],
            "parentId": "654321",
            "authorId": "112233",
            "createdAt": "2023-08-01T12:00:00Z",
            "version": {
                "number": page.version,
                "message": "",
                "createdAt": page.modified.isoformat(),
                "authorId": "112233",
            },
            "_links": {
                "webui": f"/spaces/{page.space}/pages/{page.id}/{page.title.replace(' ', '+')}",
                "tinyui": "/x/AbCdEf",
                "self": f"https://example.atlassian.net/wiki/api/v2/pages/{page.id}",
            },
        }
        if body:
            data["body"] = {"storage": {"value": page.body, "representation": "storage"}}
        return data

    def _v1(self, page: Page) -> dict[str, Any]:
        return {
            "id": page.id,
            "type": "page",
            "status": "current",
            "title": page.title,
            "space": {"key": page.space, "name": page.space, "type": "global", "status": "current"},
            "version": {
                "by": {"type": "known", "displayName": "Dee Center"},
                "when": page.modified.isoformat(),
                "number": page.version,
                "minorEdit": False,
            },
            "body": {"storage": {"value": page.body, "representation": "storage", "embeddedContent": []}},
            "ancestors": [{"id": a.id, "type": "page", "title": a.title} for a in self._ancestors(page)],
            "_links": {
                "webui": f"/display/{page.space}/{page.title.replace(' ', '+')}",
                "self": f"https://confluence.example.com/rest/api/content/{page.id}",
            },
        }

    def _space_pages(self, key: str) -> list[Page]:
        return sorted((p for p in self.pages.values() if p.space == key), key=lambda p: int(p.id))

    async def spaces_v2(self, request: web.Request) -> web.Response:
        keys = request.query.get("keys", "").split(",")
        return web.json_response(
            {
                "results": [
                    {
                        "id": sid,
                        "key": key,
                        "name": key,
                        "type": "global",
                        "status": "current",
                        "_links": {"webui": f"/spaces/{key}"},
                    }
                    for key, sid in self.spaces.items()
                    if key in keys
                ],
                "_links": {},
            }
        )

    async def space_pages_v2(self, request: web.Request) -> web.Response:
        key = next(k for k, v in self.spaces.items() if v == request.match_info["sid"])
        start = int(request.query.get("cursor", "0"))
        limit = min(int(request.query.get("limit", "25")), self.page_size)
        pages = self._space_pages(key)
        chunk = pages[start : start + limit]
        body = request.query.get("body-format") == "storage"
        links: dict[str, str] = {"base": "https://example.atlassian.net/wiki"}
        if start + limit < len(pages):
            links["next"] = (
                f"/wiki/api/v2/spaces/{request.match_info['sid']}/pages?cursor={start + limit}"
                f"&limit={limit}" + ("&body-format=storage" if body else "")
            )
        return web.json_response({"results": [self._v2(p, body) for p in chunk], "_links": links})

    async def page_v2(self, request: web.Request) -> web.Response:
        page = self.pages.get(request.match_info["pid"])
        return self._not_found() if page is None else web.json_response(self._v2(page, True))

    def _ancestors(self, page: Page) -> list[Page]:
        chain: list[Page] = []
        while page.parent and page.parent in self.pages:
            page = self.pages[page.parent]
            chain.insert(0, page)
        return chain

    async def ancestors_v2(self, request: web.Request) -> web.Response:
        page = self.pages.get(request.match_info["pid"])
        if page is None:
            return self._not_found()
        return web.json_response(
            {"results": [{"id": a.id, "type": "page"} for a in self._ancestors(page)], "_links": {}}
        )

    async def labels_v2(self, request: web.Request) -> web.Response:
        page = self.pages.get(request.match_info["pid"])
        if page is None:
            return self._not_found()
        return web.json_response(
            {
                "results": [
                    {"id": str(n), "name": lbl, "prefix": "global"} for n, lbl in enumerate(page.labels)
                ],
                "_links": {},
            }
        )

    async def labels_v1(self, request: web.Request) -> web.Response:
        return await self.labels_v2(request)

    async def restrictions(self, request: web.Request) -> web.Response:
        page = self.pages.get(request.match_info["pid"])
        if page is None:
            return self._not_found()
        groups = [{"type": "group", "name": g} for g in page.restricted_to]
        return web.json_response(
            {
                "operation": "read",
                "restrictions": {
                    "user": {"results": [], "start": 0, "limit": 200, "size": 0},
                    "group": {"results": groups, "start": 0, "limit": 200, "size": len(groups)},
                },
                "_links": {},
            }
        )

    async def search_v1(self, request: web.Request) -> web.Response:
        cql = request.query["cql"]
        spaces = re.findall(r'"([A-Z]+)"', cql.split(")")[0])
        since_match = re.search(r'lastmodified >= "([0-9-]+ [0-9:]+)"', cql)
        since = (
            datetime.strptime(since_match.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
            if since_match
            else datetime.min.replace(tzinfo=UTC)
        )
        hits = [p for s in spaces for p in self._space_pages(s) if p.modified >= since]
        start, limit = (
            int(request.query.get("start", "0")),
            min(int(request.query.get("limit", "25")), self.page_size),
        )
        links: dict[str, str] = {"base": "https://example.atlassian.net/wiki", "context": "/wiki"}
        if start + limit < len(hits):
            links["next"] = f"/rest/api/search?cql={cql}&start={start + limit}&limit={limit}"
        return web.json_response(
            {
                "results": [
                    {
                        "content": {
                            "id": p.id,
                            "type": "page",
                            "status": "current",
                            "title": p.title,
                            "_links": {"webui": f"/spaces/{p.space}/pages/{p.id}"},
                        },
                        "title": p.title,
                        "url": f"/spaces/{p.space}/pages/{p.id}",
                        "lastModified": p.modified.isoformat(),
                        "entityType": "content",
                    }
                    for p in hits[start : start + limit]
                ],
                "start": start,
                "limit": limit,
                "size": len(hits[start : start + limit]),
                "totalSize": len(hits),
                "cqlQuery": cql,
                "_links": links,
            }
        )

    async def content_list_v1(self, request: web.Request) -> web.Response:
        pages = self._space_pages(request.query["spaceKey"])
        start, limit = (
            int(request.query.get("start", "0")),
            min(int(request.query.get("limit", "25")), self.page_size),
        )
        links: dict[str, str] = {"base": "https://confluence.example.com", "context": ""}
        if start + limit < len(pages):
            links["next"] = (
                f"/rest/api/content?spaceKey={request.query['spaceKey']}&type=page"
                f"&start={start + limit}&limit={limit}&expand={request.query.get('expand', '')}"
            )
        return web.json_response(
            {
                "results": [self._v1(p) for p in pages[start : start + limit]],
                "start": start,
                "limit": limit,
                "size": len(pages),
                "_links": links,
            }
        )

    async def content_v1(self, request: web.Request) -> web.Response:
        page = self.pages.get(request.match_info["pid"])
        return self._not_found() if page is None else web.json_response(self._v1(page))
