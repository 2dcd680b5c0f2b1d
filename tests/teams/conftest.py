"""Teams test rig: the real botbuilder endpoint on 127.0.0.1, a fake Bot Connector, a fake Graph.

Inbound activities are the project's payloads in ``tests/payloads/teams/`` with ``serviceUrl`` pointed at
the fake connector; replies arrive there as ``POST /v3/conversations/{id}/activities/{replyToId}``.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams.routes import add_teams_routes
from adapters.wiring import App, AppOverrides
from bot.models import Answer, Citation, Feedback, Question
from bot.ports import AnswerDelta
from bot.settings import Settings, load_settings
from bot.summarizing.extractive import ExtractiveSummarizer
from tests.fakes import HashEmbedder
from tests.payloads import PAYLOADS
from tests.payloads import load as load_payload
from tests.teams.botframework_auth import (  # noqa: F401 - fixtures
    AUTHENTICATED,
    LocalCredentialFactory,
    openid_server,
    signing_key,
    token,
)

FIXTURES = PAYLOADS / "teams"  # the project's own Bot Framework activities (tests/payloads/README.md)
LONG_SNIPPET = ("Employees submit expense reports in Concur within 30 days of the purchase. " * 12).strip()


def fixture(name: str) -> dict[str, Any]:
    return load_payload("teams", name)


@dataclass
class Received:
    method: str
    path: str
    match: dict[str, str]
    body: Any
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeConnector:
    """Bot Connector (+ Graph + file host) on one local aiohttp server."""

    received: list[Received] = field(default_factory=list)
    graph_pages: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    rosters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # conversation/team id -> members
    url: str = ""
    fail_next: int = 0
    # Teams gives an invoke (message extension fetchTask/submitAction, card actions) five seconds, then
    # shows "Unable to reach the app" and ignores a late answer:
    # https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/action-commands/respond-to-task-module-submit
    invoke_deadline: float = 5.0
    graph_gate: asyncio.Event | None = None  # when set: Graph answers only once this event is set
    # Streams the user stopped (the Stop button): Teams refuses further updates with 403
    # ContentStreamNotAllowed (https://learn.microsoft.com/microsoftteams/platform/bots/streaming-ux).
    stopped_streams: set[str] = field(default_factory=set)
    stop_after_updates: int | None = None  # the user presses Stop once this many stream updates arrived
    # each bot talking to this connector: waits (bounded) until its turns and promised summaries are done
    settlers: list[Callable[[float], Awaitable[None]]] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _counter: int = 0

    def app(self) -> web.Application:
        web_app = web.Application()
        web_app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._post)
        web_app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        web_app.router.add_post("/v3/conversations", self._create)
        web_app.router.add_get("/v3/teams/{team}", self._team)
        web_app.router.add_get("/v3/conversations/{conversation}/pagedmembers", self._members)
        web_app.router.add_get("/graph/v1.0/{tail:.*}", self._graph)
        web_app.router.add_get("/files/{name}", self._file)
        return web_app

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(Received("POST", request.path, dict(request.match_info), body, dict(request.headers)))
        self._changed.set()
        stream = _stream_id(body)
        if stream and stream in self.stopped_streams:
            error = {"code": "ContentStreamNotAllowed", "message": "Content stream was cancelled by user."}
            return web.json_response({"error": error}, status=403)
        if stream and self.stop_after_updates is not None:
            updates = [r for r in self.posts() if _stream_id(r.body) == stream]
            if len(updates) >= self.stop_after_updates:
                self.stopped_streams.add(stream)
        if self.fail_next:
            self.fail_next -= 1
            return web.json_response({"error": {"code": "ServiceError"}}, status=500)
        self._counter += 1
        activity_id = f"bot-msg-{self._counter}"
        return web.json_response({"id": activity_id}, status=201)

    async def _create(self, request: web.Request) -> web.Response:
        """Create a conversation (a new channel thread when ``channelData.channel`` is given): answers a
        ``ConversationResourceResponse``. https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#create-conversation"""
        body = await request.json()
        self.received.append(Received("POST", request.path, {}, body, dict(request.headers)))
        self._changed.set()
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        if not channel or not body.get("isGroup"):
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        self._counter += 1
        activity_id = f"17000000{self._counter:05d}"
        return web.json_response({"id": f"{channel};messageid={activity_id}", "activityId": activity_id}, status=201)

    async def _team(self, request: web.Request) -> web.Response:
        self.received.append(Received("GET", request.path, dict(request.match_info), None, dict(request.headers)))
        return web.json_response(
            {
                "id": request.match_info["team"],
                "name": "Finance",
                "aadGroupId": "02bd9fd6-8f93-4758-87c3-1fb73740a315",
            }
        )

    async def _members(self, request: web.Request) -> web.Response:
        """``pagedmembers`` with continuation tokens (page size 2 here, whatever the client asks)."""
        self.received.append(Received("GET", request.path, dict(request.match_info), None, dict(request.headers)))
        roster = self.rosters.get(request.match_info["conversation"])
        if roster is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        start = int(request.query.get("continuationToken") or 0)
        page: dict[str, Any] = {"members": roster[start : start + 2]}
        if start + 2 < len(roster):
            page["continuationToken"] = str(start + 2)
        return web.json_response(page)

    async def _graph(self, request: web.Request) -> web.Response:
        self.received.append(Received("GET", request.path_qs, {}, None, dict(request.headers)))
        if self.graph_gate is not None:
            await self.graph_gate.wait()
        key = request.path[len("/graph/v1.0/") :]
        if request.query.get("$skiptoken"):
            key += "#" + request.query["$skiptoken"]
        if key not in self.graph_pages:
            return web.json_response({"error": {"code": "NotFound", "message": key}}, status=404)
        return web.json_response(self.graph_pages[key])

    async def _file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="application/octet-stream")

    def posts(self) -> list[Received]:
        return [r for r in self.received if r.method == "POST"]

    async def wait_for(self, done: Callable[[], bool], seconds: float = 10.0) -> list[Received]:
        """Wait (bounded) until ``done()`` holds for what the connector received; return the POSTs."""
        async with asyncio.timeout(seconds):
            while not done():
                self._changed.clear()
                await self._changed.wait()
        return self.posts()

    async def wait_posts(self, count: int, seconds: float = 10.0) -> list[Received]:
        """At least ``count`` POSTs, then the turns that sent them finished: nothing unexpected right
        behind, and what a turn keeps after its last post (history, sent answers) is kept."""
        await self.wait_for(lambda: len(self.posts()) >= count, seconds)
        await self.settle(seconds)
        return self.posts()

    async def settle(self, seconds: float = 10.0) -> None:
        """Until every bot on this connector has finished its turns (bounded, like a shutdown)."""
        await asyncio.gather(*(settle(seconds) for settle in self.settlers))

    async def wait_final(self, seconds: float = 10.0) -> list[Received]:
        """Until a ``message`` (the end of a stream) has arrived."""
        return await self.wait_for(lambda: any(p.body["type"] == "message" for p in self.posts()), seconds)


def _stream_id(body: Any) -> str | None:
    """The stream an activity belongs to (``streamId`` in its streaminfo entity / channelData)."""
    if not isinstance(body, dict):
        return None
    channel_data = body.get("channelData") or {}
    return channel_data.get("streamId") if isinstance(channel_data, dict) else None


def citations() -> list[Citation]:
    return [
        Citation("Expense policy", "https://intranet.example.com/finance/expenses", LONG_SNIPPET, 0.91),
        Citation("Travel guide", "https://intranet.example.com/travel", "Book travel through the portal.", 0.74),
    ]


class FakeAnswerer:
    """Answers from a fixed corpus of two citations; records every Question it gets."""

    def __init__(self) -> None:
        self.questions: list[Question] = []

    async def answer(self, question: Question) -> Answer:
        self.questions.append(question)
        text = f"For '{question.text}': file expenses in Concur within 30 days [1]. Book travel online [2]."
        return Answer(text, grounded=True, citations=citations())


class FakeStreamingAnswerer(FakeAnswerer):
    """Streams the answer in about ``pieces`` deltas, ``delay`` seconds apart; with ``burst=n``, deltas
    come n at once (``delay`` before each burst), as a model emits several tokens in one chunk."""

    def __init__(self, pieces: int = 6, delay: float = 0.03, burst: int = 1) -> None:
        super().__init__()
        self.pieces = pieces
        self.delay = delay
        self.burst = burst
        self.deltas = 0

    async def stream(self, question: Question) -> AsyncIterator[AnswerDelta | Answer]:
        final = await self.answer(question)
        words = final.text.split(" ")
        step = max(1, len(words) // self.pieces)
        for n, i in enumerate(range(0, len(words), step)):
            if n % self.burst == 0:
                await asyncio.sleep(self.delay)
            self.deltas += 1
            yield AnswerDelta(" ".join(words[i : i + step]) + " ")
        yield final


class FakeFeedback:
    def __init__(self) -> None:
        self.items: list[Feedback] = []

    async def record_feedback(self, feedback: Feedback) -> None:
        self.items.append(feedback)


@dataclass
class TeamsRig:
    client: TestClient
    connector: FakeConnector
    answerer: FakeAnswerer
    feedback: FakeFeedback
    app: App
    signing_key: rsa.RSAPrivateKey | None = None  # set when the bot authenticates callers (the default)

    def activity(self, fixture_name: str, /, **changes: Any) -> dict[str, Any]:
        data = copy.deepcopy(fixture(fixture_name))
        data["serviceUrl"] = self.connector.url + "/"
        # Teams gives every activity its own id (a repeated id is a redelivery, answered once)
        data["id"] = f"{data.get('id') or 'activity'}-{next(_ACTIVITY_IDS)}"
        data.update(changes)
        return data

    async def post(self, activity: Any, **kwargs: Any) -> Any:
        """POST as the Bot Connector does: with a valid token, unless ``headers`` are given explicitly.
        Invokes must be answered within the connector's ``invoke_deadline``, as in Teams."""
        if self.signing_key is not None and "headers" not in kwargs and isinstance(activity, dict):
            service_url = str(activity.get("serviceUrl") or "")
            kwargs["headers"] = {"Authorization": f"Bearer {token(self.signing_key, service_url)}"}
        if not (isinstance(activity, dict) and activity.get("type") == "invoke"):
            return await self.client.post("/api/messages", json=activity, **kwargs)
        try:
            async with asyncio.timeout(self.connector.invoke_deadline):
                response = await self.client.post("/api/messages", json=activity, **kwargs)
                await response.read()
                return response
        except TimeoutError:
            raise AssertionError(
                f"Unable to reach the app: {activity.get('name')} not answered within "
                f"{self.connector.invoke_deadline} s"
            ) from None

    def channel_post(self, text: str, *, mention_bot: bool, message_id: str = "1759944790000") -> dict[str, Any]:
        """A reply in a channel thread as Teams delivers it to an app with the RSC permission
        ``ChannelMessage.Read.Group``: every post, mentioned or not
        (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-messages-with-rsc)."""
        post = self.activity("message_channel_thread_reply_mention.json", id=message_id)
        bot = post["recipient"]
        if mention_bot:
            post["text"] = f"<at>{bot['name']}</at> {text}"
            post["entities"] = [{"type": "mention", "text": f"<at>{bot['name']}</at>", "mentioned": dict(bot)}]
        else:
            post["text"] = text
            post["entities"] = [e for e in post["entities"] if e.get("type") != "mention"]
        post.pop("attachments", None)
        return post


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


_ACTIVITY_IDS = itertools.count(1)
RigFactory = Callable[..., Any]


@pytest.fixture
async def make_rig(
    connector: FakeConnector,
    openid_server: str,  # noqa: F811 - the fixture
    signing_key: rsa.RSAPrivateKey,  # noqa: F811 - the fixture
) -> AsyncIterator[RigFactory]:
    clients: list[TestClient] = []

    async def build(
        *,
        answerer: FakeAnswerer | None | str = "fake",
        settings: Settings | None = None,
        credentials_factory: Any = None,
        emulator: bool = False,
        **components: Any,
    ) -> TeamsRig:
        """An authenticated bot (signed activities, as Teams sends them) unless ``emulator=True``.
        ``answerer=None``: the App builds (or fails to build) its own from ``settings``.
        ``components``: :class:`AppOverrides` fields."""
        fake = answerer if isinstance(answerer, FakeAnswerer) else FakeAnswerer()
        if answerer is not None:
            components["answerer"] = fake
        feedback = FakeFeedback()
        base = settings or load_settings()
        if emulator:
            base = base.model_copy(update={"kbot_teams_emulator": True, "microsoft_app_id": None})
        elif not base.microsoft_app_id:
            base = base.model_copy(update=AUTHENTICATED)
        else:
            base = base.model_copy(update={"kbot_teams_service_hosts": "127.0.0.1"})
        if base.microsoft_app_id and credentials_factory is None:
            credentials_factory = LocalCredentialFactory(base.microsoft_app_id, "x")
        components.setdefault("feedback", feedback)
        app = App(base, AppOverrides(summarizer=ExtractiveSummarizer(HashEmbedder()), **components))
        web_app = web.Application()
        endpoint = add_teams_routes(web_app, app, stream_interval=0.05, credentials_factory=credentials_factory)

        async def settle(seconds: float) -> None:
            await endpoint.drain(seconds)  # message turns
            await endpoint.handler.drain(seconds)  # summaries promised by invokes

        connector.settlers.append(settle)
        client = TestClient(TestServer(web_app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        key = signing_key if base.microsoft_app_id else None
        return TeamsRig(client, connector, fake, components["feedback"], app, key)

    yield build
    for client in clients:
        await client.close()


@pytest.fixture
async def rig(make_rig: RigFactory) -> TeamsRig:
    return await make_rig()
