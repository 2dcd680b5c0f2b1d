"""Shared HTTP layer and Graph client: Retry-After forms, bounded retries, one refresh, size limits."""

from __future__ import annotations

import email.utils
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from adapters.http import HttpClient
from adapters.msgraph.client import GraphClient
from adapters.msgraph.tokens import StaticToken
from bot.errors import BackendTimeout
from ingest.http import FileTooLarge, HttpStatusError
from tests.ingest.conftest import start


async def serve(handler):
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = await start(app)
    return server, str(server.make_url("")).rstrip("/")


async def test_retry_after_seconds_really_waited(http_session) -> None:
    calls = []

    async def handler(request: web.Request) -> web.Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return web.json_response(
                {"error": {"code": "TooManyRequests"}}, status=429, headers={"Retry-After": "1"}
            )
        return web.json_response({"ok": True})

    server, base = await serve(handler)
    try:
        assert await HttpClient(http_session).get_json(f"{base}/x") == {"ok": True}
        assert calls[1] - calls[0] >= 0.95
    finally:
        await server.close()


async def test_retry_after_as_http_date(http_session, sleeps) -> None:
    calls = []

    async def handler(request: web.Request) -> web.Response:
        calls.append(1)
        if len(calls) == 1:
            when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
            return web.json_response({}, status=503, headers={"Retry-After": when})
        return web.json_response({"ok": True})

    server, base = await serve(handler)
    try:
        assert await HttpClient(http_session, sleep=sleeps).get_json(f"{base}/x") == {"ok": True}
        assert len(sleeps.waits) == 1 and 28 <= sleeps.waits[0] <= 30
    finally:
        await server.close()


async def test_connection_errors_are_bounded(http_session, sleeps) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    client = HttpClient(http_session, max_attempts=3, sleep=sleeps)
    with pytest.raises(BackendTimeout, match="after 3 attempts"):
        await client.get_json(f"http://127.0.0.1:{port}/x?secret=abc")
    assert len(sleeps.waits) == 2


async def test_401_refreshes_once_then_reports(http_session) -> None:
    forced = []

    async def auth(force: bool):
        forced.append(force)
        return {"Authorization": "Bearer t"}

    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"error": "nope"}, status=401)

    server, base = await serve(handler)
    try:
        with pytest.raises(HttpStatusError) as err:
            await HttpClient(http_session, auth=auth).get_json(f"{base}/x?token=SECRET")
        assert err.value.status == 401 and forced == [False, True]
        assert "SECRET" not in str(err.value)  # query strings never reach messages
    finally:
        await server.close()


async def test_download_size_limit(http_session) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000)

    server, base = await serve(handler)
    try:
        client = HttpClient(http_session)
        assert len(await client.get_bytes(f"{base}/f", max_bytes=5000)) == 5000
        with pytest.raises(FileTooLarge):
            await client.get_bytes(f"{base}/f", max_bytes=4999)
    finally:
        await server.close()


async def test_graph_client_paging_and_national_cloud_urls(http_session) -> None:
    async def handler(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer tok"
        page = int(request.query.get("page", "1"))
        body: dict[str, Any] = {"value": [{"n": page * 10 + i} for i in range(2)]}
        if page < 3:
            body["@odata.nextLink"] = f"{request.scheme}://{request.host}{request.path}?page={page + 1}"
        return web.json_response(body)

    server, base = await serve(handler)
    try:
        graph = GraphClient(base, StaticToken("tok"), http_session)
        assert graph.url("teams/1/channels") == f"{base}/v1.0/teams/1/channels"
        assert GraphClient("https://graph.microsoft.us/beta", StaticToken("t"), http_session).url("me") == (
            "https://graph.microsoft.us/beta/me"
        )
        assert [i["n"] async for i in graph.items("chats/1/messages")] == [10, 11, 20, 21, 30, 31]
    finally:
        await server.close()
