"""A local MediaWiki ``api.php`` (formatversion=2) with the shapes a real 1.39 wiki returns.

The shapes were recorded from a real MediaWiki 1.39 (``tests/ingest/data/mediawiki_recorded.json``;
``test_mediawiki_connector`` checks the fake still matches them). Supports siteinfo, allpages
generator with ``continue``, ``prop=info`` by page ids, ``list=recentchanges`` (new/edit/log),
``action=parse`` and bot-password login with a session cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

BOT_USER, BOT_PASSWORD = "Admin@kbot", "bot-password-123"


@dataclass
class WikiPage:
    pageid: int
    ns: int
    title: str
    html: str
    revid: int
    touched: str


class FakeMediaWiki:
    def __init__(self, *, private: bool = False, page_size: int = 2) -> None:
        self.private = private  # $wgGroupPermissions['*']['read'] = false
        self.page_size = page_size
        self.pages: dict[int, WikiPage] = {}
        self.changes: list[dict[str, Any]] = []
        self.clock = datetime(2026, 1, 1, tzinfo=UTC)
        self._ids = 0
        self._rev = 0
        self._rcid = 0
        self.sessions: set[str] = set()
        self.parses = 0
        self.base = ""

    def _tick(self) -> str:
        self.clock += timedelta(seconds=5)
        return self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _rc(self, **fields: Any) -> None:
        self._rcid += 1
        self.changes.append(
            {"ns": 0, "old_revid": 0, "rcid": self._rcid, "timestamp": self._tick(), **fields}
        )

    def edit(self, title: str, html: str, ns: int = 0) -> WikiPage:
        self._rev += 1
        page = next((p for p in self.pages.values() if p.title == title), None)
        if page is None:
            self._ids += 1
            page = WikiPage(self._ids, ns, title, html, self._rev, "")
            self.pages[page.pageid] = page
            kind = "new"
        else:
            page.html, page.revid, kind = html, self._rev, "edit"
        page.touched = self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")
        self._rc(type=kind, ns=ns, title=title, pageid=page.pageid, revid=page.revid)
        return page

    def delete(self, title: str) -> None:
        page = next(p for p in self.pages.values() if p.title == title)
        del self.pages[page.pageid]
        self._rc(
            type="log",
            title=title,
            pageid=page.pageid,
            revid=0,
            logid=self._rcid,
            logtype="delete",
            logaction="delete",
            logparams={},
        )

    def move(self, title: str, new_title: str, ns: int = 0) -> None:
        page = next(p for p in self.pages.values() if p.title == title)
        page.title, page.ns = new_title, ns
        self._rc(
            type="log",
            title=title,
            pageid=page.pageid,
            revid=page.revid,
            logid=self._rcid,
            logtype="move",
            logaction="move",
            logparams={"target_ns": ns, "target_title": new_title, "suppressredirect": True},
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/w/api.php", self.api)
        return app

    async def api(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        action = params.get("action")
        if action == "login":
            return self._login(params)
        if action == "query" and params.get("meta") == "tokens":
            resp = web.json_response(
                {"batchcomplete": True, "query": {"tokens": {"logintoken": "abc123+\\"}}}
            )
            resp.set_cookie("kbotwiki_session", "pre-login")
            return resp
        if (
            self.private
            and request.cookies.get("kbotwiki_session") not in self.sessions
            and params.get("meta") != "siteinfo"
        ):
            return web.json_response(
                {"error": {"code": "readapidenied", "info": "You need read permission to use this module."}}
            )
        if action == "parse":
            page = self.pages.get(int(params["pageid"]))
            if page is None:
                return web.json_response(
                    {
                        "error": {
                            "code": "nosuchpageid",
                            "info": f"There is no page with ID {params['pageid']}.",
                        }
                    }
                )
            self.parses += 1
            return web.json_response(
                {
                    "parse": {
                        "title": page.title,
                        "pageid": page.pageid,
                        "revid": page.revid,
                        "text": f'<div class="mw-parser-output">{page.html}\n</div>',
                        "displaytitle": page.title,
                    }
                }
            )
        if params.get("meta") == "siteinfo":
            return web.json_response(
                {
                    "batchcomplete": True,
                    "query": {
                        "general": {
                            "mainpage": "Main Page",
                            "base": f"{self.base}/w/index.php/Main_Page",
                            "sitename": "KbotWiki",
                            "generator": "MediaWiki 1.39.17",
                            "articlepath": "/w/index.php/$1",
                            "scriptpath": "/w",
                            "server": self.base,
                            "time": self._tick(),
                        }
                    },
                }
            )  # time passes between calls
        if params.get("generator") == "allpages":
            return self._allpages(params)
        if params.get("pageids"):
            return self._info(params["pageids"].split("|"))
        if params.get("list") == "recentchanges":
            return self._recentchanges(params)
        return web.json_response({"error": {"code": "badvalue", "info": "unsupported in the fake"}})

    def _login(self, params: dict[str, str]) -> web.Response:
        if params.get("lgname") == BOT_USER and params.get("lgpassword") == BOT_PASSWORD:
            self.sessions.add("logged-in")
            resp = web.json_response({"login": {"result": "Success", "lguserid": 1, "lgusername": "Admin"}})
            resp.set_cookie("kbotwiki_session", "logged-in")
            return resp
        return web.json_response({"login": {"result": "Failed", "reason": "Incorrect username or password."}})

    def _info_json(self, page: WikiPage) -> dict[str, Any]:
        return {
            "pageid": page.pageid,
            "ns": page.ns,
            "title": page.title,
            "contentmodel": "wikitext",
            "pagelanguage": "en",
            "pagelanguagehtmlcode": "en",
            "pagelanguagedir": "ltr",
            "touched": page.touched,
            "lastrevid": page.revid,
            "length": len(page.html),
        }

    def _allpages(self, params: dict[str, str]) -> web.Response:
        ns = int(params.get("gapnamespace", "0"))
        pages = sorted((p for p in self.pages.values() if p.ns == ns), key=lambda p: p.title)
        start = params.get("gapcontinue", "")
        pages = [p for p in pages if p.title.replace(" ", "_") >= start]
        limit = min(int(params.get("gaplimit", "10")), self.page_size)
        body: dict[str, Any] = {"batchcomplete": True}
        if pages[:limit]:
            body["query"] = {"pages": [self._info_json(p) for p in pages[:limit]]}
        if len(pages) > limit:
            body["continue"] = {
                "gapcontinue": pages[limit].title.replace(" ", "_"),
                "continue": "gapcontinue||",
            }
        return web.json_response(body)

    def _info(self, ids: list[str]) -> web.Response:
        out = []
        for pid in ids:
            page = self.pages.get(int(pid))
            out.append(self._info_json(page) if page else {"pageid": int(pid), "missing": True})
        return web.json_response({"batchcomplete": True, "query": {"pages": out}})

    def _recentchanges(self, params: dict[str, str]) -> web.Response:
        namespaces = {int(n) for n in params.get("rcnamespace", "0").split("|")}
        start = params.get("rcstart", "")
        changes = [c for c in self.changes if c["timestamp"] >= start and c["ns"] in namespaces]
        after = int(params["rccontinue"].split("|")[1]) if "rccontinue" in params else 0
        changes = [c for c in changes if c["rcid"] >= after]
        limit = min(int(params.get("rclimit", "10")), self.page_size)
        body: dict[str, Any] = {"batchcomplete": True, "query": {"recentchanges": changes[:limit]}}
        if len(changes) > limit:
            nxt = changes[limit]
            body["continue"] = {
                "rccontinue": f"{nxt['timestamp'].replace('-', '').replace(':', '')}|{nxt['rcid']}",
                "continue": "-||",
            }
        return web.json_response(body)
