"""SharePoint connector against a local Graph: full sync, delta, paging, throttling, token refresh."""

from __future__ import annotations

import ssl
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.msgraph.auth import MsalTokenProvider
from adapters.msgraph.client import GraphClient
from bot.errors import AccessDeniedError
from ingest.connectors.sharepoint import SharePointConnector, SharePointSettings, permissions_to_groups
from ingest.pipeline import IngestPipeline
from tests.ingest.conftest import start
from tests.ingest.fake_graph import DRIVE_ID, FakeGraph
from tests.ingest.fakes import MemoryCheckpoints, MemorySink, TextParser


class GraphTokens:
    """Caches a token like msal does; asks the fake tenant for a new one when forced."""

    def __init__(self, graph: FakeGraph) -> None:
        self.graph = graph
        self.current: str | None = None

    async def token(self, *, force_refresh: bool = False) -> str:
        if self.current is None or force_refresh:
            self.current = self.graph.issue_token()
        return self.current


def settings(**extra: object) -> SharePointSettings:
    return SharePointSettings.model_validate(
        {
            "site_url": "https://contoso.sharepoint.com/sites/HR",
            "tenant_id": "t",
            "client_id": "c",
            "client_secret_ref": "env:SP_SECRET",
            "libraries": ["Documents"],
            **extra,
        }
    )


def connector(graph, session, sleeps, parser, **extra) -> SharePointConnector:
    client = GraphClient(graph.base, GraphTokens(graph), session, sleep=sleeps)
    return SharePointConnector(
        "hr", settings(**extra), client, supports=parser.supports, default_groups=["staff"]
    )


def seed(graph: FakeGraph) -> None:
    graph.put("Policies/leave.txt", b"Annual leave is 25 days.", groups=["HR Members"])
    graph.put("Policies/travel.md", b"# Travel\nBook trains for trips under 4 hours.")
    graph.put("Handbook/welcome.txt", b"Welcome to Contoso.")
    graph.put("Handbook/benefits.txt", b"Dental and vision are covered.")
    graph.put("Handbook/photo.jpg", b"\xff\xd8binary")


async def test_full_then_incremental_sync(graph, http_session, sleeps) -> None:
    seed(graph)
    parser, sink, checkpoints = TextParser(), MemorySink(), MemoryCheckpoints()
    pipeline = IngestPipeline(parser, sink, checkpoints)

    first = await pipeline.sync(connector(graph, http_session, sleeps, parser), source="hr")

    assert first.parsed == 4 and first.deleted == 0
    assert [f.uri.rsplit("/", 1)[-1] for f in first.failures] == ["photo.jpg"]  # unsupported, reported
    assert first.batches == 3  # 5 changed items, 2 per delta page: nextLink paging
    docs = {d.title: d for (_, _), d in sink.docs.items()}
    assert docs["leave.txt"].acl_groups == ["HR Members"]  # item permissions → ACL groups
    assert docs["welcome.txt"].acl_groups == ["staff"]  # none granted: the source audience
    assert (
        docs["leave.txt"].uri
        == "https://contoso.sharepoint.com/sites/HR/Shared%20Documents/Policies/leave.txt"
    )
    assert docs["leave.txt"].id == f"{DRIVE_ID}:{graph.items[docs['leave.txt'].metadata['item_id']].id}"
    assert docs["leave.txt"].author == "Megan Bowen"
    saved = checkpoints.saved["hr"]
    assert saved is not None and saved["queue"] == []  # pass complete: only the deltaLink is kept
    assert saved["delta"][DRIVE_ID].endswith(f"/v1.0/drives/{DRIVE_ID}/root/delta?token={graph.seq}")

    graph.put("Policies/leave.txt", b"Annual leave is 30 days.", groups=["HR Members"])  # edit
    graph.put("Handbook/security.txt", b"Lock your screen.")  # addition
    graph.delete("Handbook/welcome.txt")  # deletion
    parser.parsed = 0
    second = await pipeline.sync(connector(graph, http_session, sleeps, parser), source="hr")

    assert (second.seen, second.parsed, second.deleted) == (2, 2, 1)
    assert parser.parsed == 2  # only the delta was downloaded and parsed
    texts = {d.title: d.text for d in sink.docs.values()}
    assert texts["leave.txt"] == "Annual leave is 30 days."
    assert "security.txt" in texts and "welcome.txt" not in texts

    third = await pipeline.sync(connector(graph, http_session, sleeps, parser), source="hr")
    assert (third.seen, third.parsed, third.deleted) == (0, 0, 0)


async def test_throttling_honours_retry_after(graph, http_session, sleeps) -> None:
    seed(graph)
    graph.throttle_next, graph.retry_after = 2, "7"
    report = await IngestPipeline(TextParser(), MemorySink()).sync(
        connector(graph, http_session, sleeps, TextParser()), source="hr"
    )
    assert report.parsed == 4
    assert sleeps.waits == [7.0, 7.0]  # waited exactly what the server asked, then went on


async def test_throttling_gives_up_after_bounded_attempts(graph, http_session, sleeps) -> None:
    from bot.errors import ThrottledError

    seed(graph)
    graph.throttle_next = 100
    with pytest.raises(ThrottledError):
        await IngestPipeline(TextParser(), MemorySink()).sync(
            connector(graph, http_session, sleeps, TextParser()), source="hr"
        )
    assert len(sleeps.waits) == 4  # 5 attempts


async def test_expired_token_is_refreshed_once(graph, http_session, sleeps) -> None:
    seed(graph)
    parser, sink, checkpoints = TextParser(), MemorySink(), MemoryCheckpoints()
    pipeline = IngestPipeline(parser, sink, checkpoints)
    conn = connector(graph, http_session, sleeps, parser)
    await pipeline.sync(conn, source="hr")
    assert graph.issued == 1
    graph.expire_tokens()
    graph.put("Handbook/new.txt", b"New page.")
    report = await pipeline.sync(conn, source="hr")
    assert report.parsed == 1 and graph.issued == 2


async def test_folder_and_extension_filters(graph, http_session, sleeps) -> None:
    seed(graph)
    parser, sink = TextParser(), MemorySink()
    report = await IngestPipeline(parser, sink).sync(
        connector(graph, http_session, sleeps, parser, include_folders=["Policies"], extensions=[".txt"]),
        source="hr",
    )
    assert sorted(d.title for d in sink.docs.values()) == ["leave.txt"]
    assert report.failures == []


async def test_expired_delta_token_resyncs(graph, http_session, sleeps) -> None:
    seed(graph)
    checkpoints = MemoryCheckpoints()
    pipeline = IngestPipeline(TextParser(), MemorySink(), checkpoints)
    await pipeline.sync(connector(graph, http_session, sleeps, TextParser()), source="hr")
    state = await checkpoints.load_checkpoint("hr")
    assert state is not None
    state["delta"][DRIVE_ID] = state["delta"][DRIVE_ID].replace("token=", "token=99")  # server: 410 Gone
    await checkpoints.save_checkpoint("hr", state)
    report = await pipeline.sync(connector(graph, http_session, sleeps, TextParser()), source="hr")
    assert report.seen == 4 and report.unchanged == 4 and report.parsed == 0


def test_permissions_mapping() -> None:
    perms: list[dict[str, Any]] = [
        {"grantedToV2": {"group": {"displayName": "Finance"}}},
        {
            "grantedToIdentitiesV2": [
                {"user": {"email": "Ann@Contoso.com"}},
                {"siteGroup": {"displayName": "Owners"}},
            ]
        },
    ]
    assert permissions_to_groups(perms) == ["Finance", "Owners", "ann@contoso.com"]
    assert permissions_to_groups([*perms, {"link": {"scope": "organization"}}]) == []  # everyone


async def test_msal_client_credentials_against_local_authority(graph, self_signed) -> None:
    cert, key = self_signed
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    server = await start(graph.app(), ctx)
    try:
        http = requests.Session()
        http.verify = str(cert)
        http.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment overrides verify
        login_url = str(server.make_url("")).rstrip("/")
        provider = MsalTokenProvider(
            "contoso-tenant",
            "client-id",
            client_secret="s3cret",
            login_url=login_url,
            graph_url="https://graph.microsoft.us",
            http_client=http,
        )
        assert await provider.token() == "graph-token-1"
        assert await provider.token() == "graph-token-1"  # cached by msal
        assert await provider.token(force_refresh=True) == "graph-token-2"
        bad = MsalTokenProvider(
            "contoso-tenant", "client-id", client_secret="wrong", login_url=login_url, http_client=http
        )
        with pytest.raises(AccessDeniedError, match="invalid_client"):
            await bad.token()
        assert graph.token_forms[0]["scope"] == "https://graph.microsoft.us/.default"

        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = rsa_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        with_cert = MsalTokenProvider(
            "contoso-tenant",
            "client-id",
            private_key_pem=pem,
            thumbprint="A1" * 20,
            login_url=login_url,
            http_client=http,
        )
        assert await with_cert.token() == "graph-token-3"
        assertion = graph.token_forms[-1]["client_assertion"]
        header = jwt.get_unverified_header(assertion)
        assert header["alg"] == "RS256" and "x5t" in header  # SHA-1 thumbprint, as Entra ID expects
        claims = jwt.decode(
            assertion, rsa_key.public_key(), algorithms=["RS256"], options={"verify_aud": False}
        )
        assert claims["iss"] == claims["sub"] == "client-id"
    finally:
        await server.close()


async def test_permission_change_alone_reindexes_acl(graph, http_session, sleeps) -> None:
    seed(graph)
    sink, checkpoints = MemorySink(), MemoryCheckpoints()
    pipeline = IngestPipeline(TextParser(), sink, checkpoints)
    await pipeline.sync(connector(graph, http_session, sleeps, TextParser()), source="hr")
    graph.put(
        "Policies/leave.txt", b"Annual leave is 25 days.", groups=["HR Members", "Managers"]
    )  # sharing only
    report = await pipeline.sync(connector(graph, http_session, sleeps, TextParser()), source="hr")
    assert report.upserted == 1
    leave = next(d for d in sink.docs.values() if d.title == "leave.txt")
    assert leave.acl_groups == ["HR Members", "Managers"]


async def test_corrupt_and_oversize_files_are_reported_not_fatal(graph, http_session, sleeps) -> None:
    seed(graph)
    graph.put("Policies/broken.txt", b"CORRUPT \x00\x01")
    graph.put("Policies/huge.txt", b"x" * 5000)
    parser, sink = TextParser(), MemorySink()
    conn = connector(graph, http_session, sleeps, parser)
    conn.max_bytes = 4096
    report = await IngestPipeline(parser, sink).sync(conn, source="hr")
    reasons = {f.uri.rsplit("/", 1)[-1]: f.reason for f in report.failures}
    assert "corrupt" in reasons["broken.txt"] and "too large" in reasons["huge.txt"]
    assert report.parsed == 4 and len(sink.docs) == 4
