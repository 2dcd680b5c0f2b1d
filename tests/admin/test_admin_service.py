"""AdminService: rights checked server-side, denials and mutations audited, bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.admin.models import Actor
from bot.admin.ports import ConfigRepository
from bot.admin.service import AdminService
from bot.errors import InputError, NotFoundError, PermissionDenied
from bot.models import Source, SourceStatus
from tests.admin.conftest import ADMIN, CLI, USER

CONFLUENCE = {
    "base_url": "https://acme.atlassian.net/wiki",
    "spaces": ["HR"],
    "email": "bot@acme.com",
    "token_ref": "env:CONFLUENCE_TOKEN",
}


class RecordingSync:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def sync_now(self, source: str, requested_by: str) -> str:
        self.calls.append((source, requested_by))
        return f"sync of {source} started"


class FakeDocuments:
    def __init__(self, docs: dict[str, list[str]]) -> None:
        self.docs = docs

    async def known(self, source: str) -> dict[str, str]:
        return {d: "h" for d in self.docs.get(source, [])}

    async def delete(self, source: str, doc_ids) -> None:
        self.docs[source] = [d for d in self.docs.get(source, []) if d not in set(doc_ids)]

    async def delete_source(self, name: str) -> int:
        ids = list(await self.known(name))
        await self.delete(name, ids)
        return len(ids)


async def test_admin_adds_source_and_it_is_audited(service: AdminService, repo: ConfigRepository) -> None:
    source = await service.add_source(
        ADMIN, kind="confluence", name="hr-wiki", settings=CONFLUENCE, audience=["hr", "staff"], schedule="6h"
    )
    assert source.settings["interval_minutes"] == 360 and source.audience == ["hr", "staff"]
    assert await repo.get_source("hr-wiki") == source
    [entry] = await repo.list_audit()
    assert (entry.actor, entry.action, entry.target, entry.outcome) == (
        "slack:UADMIN1",
        "sources.add",
        "hr-wiki",
        "ok",
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.add_source(USER, kind="folder", name="x", settings={"path": "/tmp"}),
        lambda s: s.list_sources(USER),
        lambda s: s.remove_source(USER, "docs"),
        lambda s: s.set_enabled(USER, "docs", False),
        lambda s: s.sync_now(USER, "docs"),
        lambda s: s.add_admin(USER, "uuser1"),
        lambda s: s.health(USER),
        lambda s: s.set_channel(USER, "slack", "C1", visibility="ephemeral"),
    ],
)
async def test_non_admin_is_denied_audited_and_nothing_changes(call, service, repo) -> None:
    await repo.save_source(Source("docs", "folder", {"path": "/srv"}))
    with pytest.raises(PermissionDenied):
        await call(service)
    [entry] = await repo.list_audit()
    assert entry.outcome == "denied" and entry.actor == "slack:UUSER1"
    assert [(s.name, s.enabled) for s in await repo.list_sources()] == [("docs", True)]
    assert await repo.list_admins() == []


async def test_admin_by_email_and_added_admins(service: AdminService) -> None:
    boss = Actor("29:teams-id", "teams", email="Boss@Example.com")
    assert not await service.is_admin(boss)
    await service.add_admin(CLI, "boss@example.com")
    assert await service.is_admin(boss)
    assert await service.is_admin(CLI)
    users = [a.user for a in await service.list_admins(ADMIN)]
    assert users == ["uadmin1", "boss@example.com"]
    with pytest.raises(InputError, match="KBOT_ADMINS"):
        await service.remove_admin(ADMIN, "uadmin1")
    await service.remove_admin(ADMIN, "boss@example.com")
    assert not await service.is_admin(boss)


@pytest.mark.parametrize(
    ("kind", "settings", "message"),
    [
        ("gopher", {"path": "/x"}, "unknown source kind 'gopher'; known kinds: confluence, folder"),
        ("folder", {}, "missing setting 'path'"),
        ("confluence", {**CONFLUENCE, "base_url": "not a url"}, "'base_url' is not a valid http(s) URL"),
        (
            "confluence",
            {**CONFLUENCE, "base_url": "ftp://acme/wiki"},
            "'base_url' is not a valid http(s) URL",
        ),
        ("confluence", {**CONFLUENCE, "token_ref": "ATATT3xFfGF0T4nXgq1Y2hJk"}, "must be a secret reference"),
        ("confluence", {**CONFLUENCE, "token_ref": "hunter2hunter2"}, "must be a secret reference"),
        ("folder", {"path": "/x", "token": "abc"}, "pass 'token_ref'"),
        (
            "mediawiki",
            {"api_url": "https://w.example/api.php", "username": "xoxb-1234567890-abcdefghij"},
            "looks like a Slack token",
        ),
        (
            "folder",
            {"path": "Zm9vYmFyYmF6cXV4cXV1eA9kLmNvbS8xMjM0NTY3ODkwYWJjZGVm+/Xy"},
            "looks like a long random string",
        ),
        ("confluence", {**CONFLUENCE, "spaces": []}, "spaces"),
        ("folder", {"path": "/x", "surprise": 1}, "unknown setting 'surprise'"),
    ],
)
async def test_invalid_input_is_explained_and_changes_nothing(kind, settings, message, service, repo):
    with pytest.raises(InputError) as err:
        await service.add_source(ADMIN, kind=kind, name="bad", settings=settings)
    assert message in str(err.value)
    assert "Zm9vYmFy" not in str(err.value) and "xoxb-" not in str(err.value) and "ATATT" not in str(err.value)
    assert await repo.list_sources() == []
    [entry] = await repo.list_audit()
    assert entry.outcome == "invalid" and "xoxb-" not in entry.detail


async def test_bad_name_schedule_and_duplicate(service: AdminService, repo) -> None:
    with pytest.raises(InputError, match="invalid source name"):
        await service.add_source(ADMIN, kind="folder", name="Bad Name!", settings={"path": "/x"})
    with pytest.raises(InputError, match="invalid schedule"):
        await service.add_source(ADMIN, kind="folder", name="docs", settings={"path": "/x"}, schedule="often")
    await service.add_source(ADMIN, kind="folder", name="docs", settings={"path": "/x"})
    with pytest.raises(InputError, match="already exists"):
        await service.add_source(ADMIN, kind="folder", name="docs", settings={"path": "/y"})
    assert (await repo.get_source("docs")).settings["path"] == "/x"


async def test_bare_env_name_becomes_a_reference(service: AdminService) -> None:
    source = await service.add_source(
        ADMIN, kind="confluence", name="wiki", settings={**CONFLUENCE, "token_ref": "CONFLUENCE_TOKEN"}
    )
    assert source.settings["token_ref"] == "env:CONFLUENCE_TOKEN"
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kbot/confluence-AbCdEf"
    source = await service.add_source(ADMIN, kind="confluence", name="wiki2", settings={**CONFLUENCE, "token_ref": arn})
    assert source.settings["token_ref"] == arn


async def test_sharepoint_site_ids_and_guids_are_not_mistaken_for_secrets(service: AdminService) -> None:
    settings = {
        "site_url": "https://contoso.sharepoint.com/sites/HR",
        "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "client_id": "2C712604-1370-44E7-A1F5-426573FDA80A",
        "client_secret_ref": "env:SP_SECRET",
        "libraries": ["Documents"],
    }
    source = await service.add_source(ADMIN, kind="sharepoint", name="hr", settings=settings)
    assert source.settings["tenant_id"] == settings["tenant_id"]


async def test_enable_disable_remove_and_sync(repo) -> None:
    sync, docs = RecordingSync(), FakeDocuments({"docs": ["a", "b"], "other": ["c"]})
    service = AdminService(repo, bootstrap_admins={"uadmin1"}, kinds={}, documents=docs, sync=sync)
    await repo.save_source(Source("docs", "folder", {"path": "/srv"}))
    await service.set_enabled(ADMIN, "docs", False)
    with pytest.raises(InputError, match="disabled"):
        await service.sync_now(ADMIN, "docs")
    await service.set_enabled(ADMIN, "docs", True)
    assert await service.sync_now(ADMIN, "docs") == "sync of docs started"
    assert sync.calls == [("docs", "slack:UADMIN1")]
    with pytest.raises(NotFoundError):
        await service.sync_now(ADMIN, "nope")
    assert await service.remove_source(ADMIN, "docs") == 2
    assert docs.docs == {"docs": [], "other": ["c"]}
    assert await repo.list_sources() == []
    actions = [(e.action, e.outcome) for e in reversed(await repo.list_audit())]
    assert actions == [
        ("sources.disable", "ok"),
        ("sources.sync", "invalid"),
        ("sources.enable", "ok"),
        ("sources.sync", "ok"),
        ("sources.sync", "invalid"),
        ("sources.remove", "ok"),
    ]


async def test_remove_keeps_source_disabled_when_document_deletion_fails(repo) -> None:
    class BrokenDocuments(FakeDocuments):
        async def delete(self, source, doc_ids):
            from bot.errors import StoreLocked

            raise StoreLocked("busy")

    service = AdminService(repo, bootstrap_admins=set(), kinds={}, documents=BrokenDocuments({"docs": ["a"]}))
    await repo.save_source(Source("docs", "folder", {"path": "/srv"}))
    with pytest.raises(Exception, match="busy"):
        await service.remove_source(CLI, "docs")
    assert (await repo.get_source("docs")).enabled is False  # never cited again, retry possible


async def test_health_and_channels(service: AdminService, repo) -> None:
    await repo.save_source(Source("docs", "folder", {"path": "/srv"}))
    await repo.save_source(Source("wiki", "mediawiki", {}, enabled=False))
    await repo.save_status(SourceStatus("docs", documents=7, failures=1, last_error="x.pdf broken"))
    rows = await service.health(ADMIN)
    assert [(r.name, r.documents, r.state) for r in rows] == [("docs", 7, "failing"), ("wiki", 0, "disabled")]
    with pytest.raises(InputError, match="unknown source"):
        await service.set_channel(ADMIN, "slack", "C1", sources=["nope"])
    with pytest.raises(InputError, match="visibility"):
        await service.set_channel(ADMIN, "slack", "C1", visibility="public")
    await service.set_channel(ADMIN, "slack", "C1", sources=["docs"], visibility="ephemeral")
    assert (await repo.get_channel("slack", "C1")).sources == ["docs"]


@pytest.mark.parametrize("field", ["name", "kind", "schedule"])
async def test_secrets_pasted_into_other_fields_are_never_echoed(service: AdminService, repo, field: str) -> None:
    token = "xoxb-1234567890-abcdefghijklmnop"
    args: dict[str, Any] = {"kind": "folder", "name": "docs", "settings": {"path": "/x"}, "schedule": None}
    args[field] = token
    with pytest.raises(InputError) as err:
        await service.add_source(ADMIN, **args)
    assert "xoxb" not in str(err.value) and "looks like a secret" in str(err.value)
    assert all("xoxb" not in e.detail and "xoxb" not in e.target for e in await repo.list_audit())
