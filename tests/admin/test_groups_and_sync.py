"""Group resolvers, secret detection and the "Sync now" triggers."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from adapters.config_store.sqlite_config import SqliteConfigRepository
from bot.admin.groups import CombinedGroupResolver, FileGroupResolver, GraphGroupResolver
from bot.admin.secrets import secret_kind
from bot.admin.sync import BackgroundSync, QueuedSync, drain_sync_requests
from bot.errors import ConfigError, NotFoundError


async def test_file_groups_by_id_or_email_with_defaults_and_reload(tmp_path: Path) -> None:
    path = tmp_path / "groups.json"
    path.write_text(json.dumps({"U1": ["eng"], "Ann@Example.com": ["hr"], "*": ["staff"]}))
    resolver = FileGroupResolver(path)
    assert await resolver.groups_for("u1") == ["eng", "staff"]
    assert await resolver.groups_for("W9", "ann@example.com") == ["hr", "staff"]
    assert await resolver.groups_for("nobody") == ["staff"]
    path.write_text(json.dumps({"U1": ["eng", "exec"]}))
    os.utime(path, (1, 1))  # a different mtime, whatever the clock resolution
    assert await resolver.groups_for("U1") == ["eng", "exec"]
    assert await FileGroupResolver(None).groups_for("U1") == []


@pytest.mark.parametrize("content", ["{not json", '["a"]', '{"U1": "eng"}'])
async def test_bad_group_file_is_a_config_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "groups.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match="groups.json"):
        await FileGroupResolver(path).groups_for("U1")
    with pytest.raises(ConfigError, match="does not exist"):
        await FileGroupResolver(tmp_path / "missing.json").groups_for("U1")


async def test_graph_groups_are_cached_and_failures_narrow_access() -> None:
    calls: list[str] = []

    async def lookup(user: str) -> list[str]:
        calls.append(user)
        if user == "broken@example.com":
            raise TimeoutError("graph down")
        return ["Finance Team"]

    graph = GraphGroupResolver(lookup)
    assert await graph.groups_for("U1", "Bob@Example.com") == ["Finance Team"]
    assert await graph.groups_for("U1", "bob@example.com") == ["Finance Team"]
    assert calls == ["bob@example.com"]
    assert await graph.groups_for("U2", "broken@example.com") == []

    class Static:
        async def groups_for(self, user_id: str, email: str | None = None) -> list[str]:
            return ["staff"]

    combined = CombinedGroupResolver([Static(), graph])
    assert await combined.groups_for("U1", "bob@example.com") == ["Finance Team", "staff"]


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        ("xoxb-123456789012-abcdefABCDEF", True),
        ("ATATT3xFfGF0abcdefghijklmnop", True),
        ("AKIAIOSFODNN7EXAMPLE", True),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", True),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig", True),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE", True),
        ("k8Zq2Lw9Xr4Tb7Yp1Nc6Vd3Hs5Jf0Gm8Qe2Ra", True),
        ("72f988bf-86f1-41af-91ab-2d7cd011db47", False),
        (
            "contoso.sharepoint.com,2C712604-1370-44E7-A1F5-426573FDA80A,2D2244C3-251A-49EA-93A8-39E1C3A060FE",
            False,
        ),
        ("https://acme.atlassian.net/wiki/spaces/HR/pages/12345?focusedCommentId=98765", False),
        ("/srv/share/Human Resources/Policies and Procedures 2024", False),
        ("/tmp/pytest-of-root/pytest-123/test_sources_lifecycle0/docs", False),
        ("C:\\Shares\\Finance\\Quarterly-Reports-2024-Q3-Final-Version2", False),
        ("wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12", True),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:kbot/wiki-AbCdEf", False),
        ("Engineering handbook", False),
        ("b!-RIj2DuyvEyV1T4NlOaMHk8XkS_I8MdFlUCq1BlcjgmhRfAj3-Z8RY2VpuvV_tpd", False),
        ("29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw", False),
    ],
)
def test_secret_detection(value: str, secret: bool) -> None:
    assert (secret_kind(value) is not None) is secret


async def test_queued_sync_coalesces_and_the_worker_drains(tmp_path: Path) -> None:
    repo = SqliteConfigRepository(tmp_path / "kbot.db")
    trigger = QueuedSync(repo)
    assert "queued" in await trigger.sync_now("docs", "slack:U1")
    assert "already queued" in await trigger.sync_now("docs", "teams:T1")
    await trigger.sync_now("gone", "slack:U1")

    class Worker:
        def __init__(self) -> None:
            self.synced: list[str] = []

        async def run_once(self, names=None):
            if names == ["gone"]:
                raise NotFoundError("no source named 'gone'")
            self.synced += list(names or [])
            return []

    worker = Worker()
    assert await drain_sync_requests(repo, worker) == ["docs"]
    assert worker.synced == ["docs"] and await repo.pending_sync_requests() == []
    await repo.close()


async def test_background_sync_runs_once_per_source_at_a_time() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    runs: list[str] = []

    async def run_sync(name: str) -> None:
        runs.append(name)
        started.set()
        await release.wait()
        raise RuntimeError("boom: logged, not raised")

    trigger = BackgroundSync(run_sync)
    assert await trigger.sync_now("docs", "slack:U1") == "Sync of docs started."
    await asyncio.wait_for(started.wait(), 2)
    assert "already running" in await trigger.sync_now("docs", "slack:U1")
    release.set()
    await asyncio.wait_for(trigger.tasks["docs"], 2)
    assert runs == ["docs"]


async def test_graph_membership_reads_transitive_groups_across_pages() -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from adapters.config_store.graph_groups import GraphMembership
    from adapters.msgraph.tokens import StaticToken

    seen: list[tuple[str, str]] = []

    async def member_of(request: web.Request) -> web.Response:
        seen.append((request.path, request.headers.get("Authorization", "")))
        base = f"http://127.0.0.1:{request.url.port}"
        if request.query.get("$skiptoken"):
            return web.json_response(
                {"value": [{"@odata.type": "#microsoft.graph.group", "id": "g-2", "displayName": "HR Team"}]}
            )
        return web.json_response(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
                "@odata.nextLink": f"{base}{request.path}?$skiptoken=abc",
                "value": [{"@odata.type": "#microsoft.graph.group", "id": "g-1", "displayName": "Engineering"}],
            }
        )

    app = web.Application()
    app.router.add_get("/v1.0/users/{user}/transitiveMemberOf/microsoft.graph.group", member_of)
    async with TestServer(app, host="127.0.0.1") as server:
        membership = GraphMembership(str(server.make_url("")), StaticToken("t0ken"))
        resolver = GraphGroupResolver(membership)
        assert await resolver.groups_for("U1", "ann@example.com") == ["Engineering", "HR Team", "g-1", "g-2"]
        await membership.close()
    assert seen[0] == ("/v1.0/users/ann@example.com/transitiveMemberOf/microsoft.graph.group", "Bearer t0ken")
