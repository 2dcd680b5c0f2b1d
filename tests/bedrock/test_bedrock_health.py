"""``/healthz`` reports the Bedrock backend from this process's latest calls (no extra paid call);
``/livez`` is the liveness path the load balancer and ECS use, so a Bedrock hiccup never kills tasks."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.bedrock.health import HEALTH
from adapters.server import build_web_app
from adapters.wiring import App
from tests.bedrock.fake_bedrock import Fault
from tests.bedrock.replies import kb_result, retrieve_reply


@pytest.fixture(autouse=True)
def fresh_health():
    saved = (HEALTH.last_ok, HEALTH.last_ok_operation, HEALTH.last_error, HEALTH.last_error_kind, HEALTH.last_error_at)
    HEALTH.last_ok = HEALTH.last_error_at = None
    yield
    (HEALTH.last_ok, HEALTH.last_ok_operation, HEALTH.last_error, HEALTH.last_error_kind, HEALTH.last_error_at) = saved


async def test_healthz_reports_bedrock_and_livez_stays_up(fake_bedrock, bedrock_settings):
    app = App(bedrock_settings)
    async with TestClient(TestServer(build_web_app(app))) as client:
        resp = await client.get("/healthz")
        body = await resp.json()
        assert resp.status == 200 and body["backend"] == "bedrock" and body["bedrock"]["status"] == "ok"

        fake_bedrock.script("Retrieve", Fault("AccessDeniedException", "no bedrock:Retrieve", 403))
        with pytest.raises(Exception):  # noqa: B017 - the failing call itself is tested elsewhere
            await app.retriever.retrieve("q")
        resp = await client.get("/healthz")
        body = await resp.json()
        assert resp.status == 503 and body["status"] == "degraded"
        assert body["bedrock"]["last_error_kind"] == "AccessDeniedError"
        assert (await client.get("/livez")).status == 200  # the ALB keeps the task

        fake_bedrock.script("Retrieve", retrieve_reply(kb_result("x", uri="https://x")))
        await app.retriever.retrieve("q")
        assert (await client.get("/healthz")).status == 200
    assert len(fake_bedrock.calls("Retrieve")) == 2  # /healthz itself never called Bedrock
