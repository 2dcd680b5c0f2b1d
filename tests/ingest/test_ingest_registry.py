"""Source kinds and settings schemas, the connector factory, secret references, checkpoint storage."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from adapters.http import SessionHttpClients
from adapters.msgraph.auth import graph_factory
from adapters.msgraph.client import GraphClient
from adapters.msgraph.tokens import StaticToken
from adapters.secrets import SecretResolver
from adapters.store.checkpoints import SqliteCheckpointStore
from bot.errors import ConfigError, InputError
from bot.models import Source, SourceStatus
from ingest.connectors.confluence import ConfluenceConnector
from ingest.connectors.mediawiki import MediaWikiConnector
from ingest.connectors.sharepoint import SharePointConnector
from ingest.kinds import ConnectorContext
from ingest.registry import SOURCE_KINDS, build_connector, validate_settings

SP = {"site_url": "https://contoso.sharepoint.com/sites/HR", "tenant_id": "t", "client_id": "c"}


def test_schemas_reject_bad_input_with_one_line() -> None:
    assert set(SOURCE_KINDS) == {"folder", "sharepoint", "confluence", "mediawiki"}
    with pytest.raises(InputError, match="never the secret itself"):
        validate_settings("sharepoint", {**SP, "client_secret_ref": "Zx8Q~realsecretvalue"})
    with pytest.raises(InputError, match="exactly one of"):
        validate_settings("sharepoint", SP)
    with pytest.raises(InputError, match="unknown source kind 'jira'"):
        validate_settings("jira", {})
    with pytest.raises(InputError, match="extra_forbidden|Extra inputs"):
        validate_settings("folder", {"path": "/x", "pasword": "oops"})
    ok = validate_settings(
        "confluence",
        {
            "base_url": "https://x.atlassian.net/wiki",
            "spaces": ["ENG"],
            "email": "a@b.c",
            "token_ref": "arn:aws:secretsmanager:us-east-1:123456789012:secret:conf-AbCdEf",
        },
    )
    assert ok.interval_minutes == 60
    assert "\n" not in str(pytest.raises(InputError, validate_settings, "mediawiki", {"api_url": 3}).value)


async def test_factory_builds_each_kind_with_resolved_secrets(monkeypatch, http_session, tmp_path) -> None:
    monkeypatch.setenv("CONF_TOKEN", "t0k")
    monkeypatch.setenv("SP_SECRET", "s3cret")
    monkeypatch.setenv("MW_PASS", "pw")
    seen = {}

    async def graph(credentials, secrets):
        seen["secret"] = await secrets(credentials.client_secret_ref)
        return GraphClient("https://graph.microsoft.us", StaticToken("x"), http_session)

    ctx = ConnectorContext(http=SessionHttpClients(http_session), graph=graph)
    sp = await build_connector(Source("sp", "sharepoint", {**SP, "client_secret_ref": "env:SP_SECRET"}), ctx)
    assert isinstance(sp, SharePointConnector) and seen["secret"] == "s3cret"
    assert isinstance(sp.graph, GraphClient) and sp.graph.base_url == "https://graph.microsoft.us/v1.0"
    # The production hook: msal credentials from the resolved secret, the national cloud's Graph root.
    real = graph_factory(http_session, login_url="https://login.microsoftonline.us", graph_url="https://graph.microsoft.us")
    sp = await build_connector(
        Source("sp", "sharepoint", {**SP, "client_secret_ref": "env:SP_SECRET"}),
        ConnectorContext(http=SessionHttpClients(http_session), graph=real),
    )
    assert isinstance(sp, SharePointConnector) and isinstance(sp.graph, GraphClient)
    assert sp.graph.base_url == "https://graph.microsoft.us/v1.0"
    conf = await build_connector(
        Source(
            "c",
            "confluence",
            {"base_url": "https://c/wiki", "spaces": ["A"], "email": "e@x", "token_ref": "env:CONF_TOKEN"},
        ),
        ctx,
    )
    assert isinstance(conf, ConfluenceConnector)
    mw = await build_connector(
        Source(
            "m",
            "mediawiki",
            {"api_url": "https://w/api.php", "username": "U@b", "password_ref": "env:MW_PASS"},
        ),
        ctx,
    )
    assert isinstance(mw, MediaWikiConnector) and mw.password == "pw"
    with pytest.raises(ConfigError, match="CONF_MISSING"):
        await build_connector(
            Source(
                "c",
                "confluence",
                {"base_url": "https://c", "spaces": ["A"], "email": "e@x", "token_ref": "env:CONF_MISSING"},
            ),
            ctx,
        )
    with pytest.raises(ConfigError, match="token provider"):
        await build_connector(
            Source("sp", "sharepoint", {**SP, "client_secret_ref": "env:SP_SECRET"}),
            ConnectorContext(SessionHttpClients(http_session)),
        )


def test_secrets_manager_references(monkeypatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    import asyncio

    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        plain = sm.create_secret(Name="conf-token", SecretString="plain-value")["ARN"]
        as_json = sm.create_secret(Name="sp", SecretString=json.dumps({"client_secret": "json-value"}))["ARN"]
        resolver = SecretResolver(sm)
        assert asyncio.run(resolver(plain)) == "plain-value"
        assert asyncio.run(resolver(as_json)) == "json-value"
        missing = plain.replace("conf-token", "nope")
        with pytest.raises(ConfigError, match="cannot read secret"):
            asyncio.run(resolver(missing))


async def test_checkpoint_and_status_storage(tmp_path) -> None:
    store = SqliteCheckpointStore(tmp_path / "kbot.db")
    assert await store.load_checkpoint("hr") is None
    await store.save_checkpoint("hr", {"delta": {"d": "https://g/delta?token=1"}, "queue": []})
    reopened = SqliteCheckpointStore(tmp_path / "kbot.db")
    assert await reopened.load_checkpoint("hr") == {"delta": {"d": "https://g/delta?token=1"}, "queue": []}
    await reopened.save_checkpoint("hr", None)
    assert await store.load_checkpoint("hr") is None
    now = datetime(2026, 1, 2, tzinfo=UTC)
    await store.save_status(
        SourceStatus("hr", last_run=now, last_success=now, documents=3, failure_samples=["x"])
    )
    status = await reopened.get_status("hr")
    assert status.documents == 3 and status.last_success == now and status.failure_samples == ["x"]
    assert (await store.get_status("other")).last_success is None
    await store.close()
    await reopened.close()
