"""A local fake of Slack's Web API (plus response_url hooks and file downloads) on 127.0.0.1.

Records every call (method, args, headers) and answers ``{"ok": true, ...}`` in the documented
shapes. Used by tests/slack and bench/slack_burst.py.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER_ID = "UBOT"
BUTTON_VALUE_LIMIT = 2000
TRIGGER_TTL = 3.0
BOT_ID = "BBOT"
TEAM_ID = "T111"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


def as_slack_sends(typed: str) -> str:
    """What a user typed, as Slack delivers it in events, commands and payloads: ``&``, ``<`` and ``>``
    escaped as HTML entities (https://docs.slack.dev/messaging/formatting-message-text#escaping).
    Mentions, channel links and URLs arrive as ``<@U123>``, ``<#C123|name>``, ``<https://x|label>``."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _button_values(blocks: Any) -> list[str]:
    found: list[str] = []
    if isinstance(blocks, dict):
        if blocks.get("type") == "button" and "value" in blocks:
            found.append(str(blocks["value"]))
        for value in blocks.values():
            found += _button_values(value)
    elif isinstance(blocks, list):
        for item in blocks:
            found += _button_values(item)
    return found


def _decode_args(args: dict[str, Any]) -> dict[str, Any]:
    """slack_sdk form-encodes JSON-able args (blocks, prompts) as strings; decode them back."""
    out = dict(args)
    for key in ("blocks", "prompts", "chunks", "attachments", "metadata"):
        value = out.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            try:
                out[key] = json.loads(value)
            except ValueError:
                pass
    return out


class FakeSlackApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.histories: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}
        self.errors: dict[str, str] = {}  # method -> Slack error code
        self.rate_limited: dict[str, int] = {}  # method -> Retry-After seconds, once
        self.users: dict[str, str] = {"W222": "Dana", "W111": "Sam", "U111": "Alex"}
        self.members: dict[str, list[str]] = {}  # channel -> member user ids (conversations.members)
        self.delays: dict[str, float] = {}  # method -> seconds Slack takes to answer it
        self.refused: list[tuple[str, str]] = []  # (method, error) the documented rules refused
        self.triggers: dict[str, float] = {}  # trigger_id -> when Slack minted it (monotonic)
        self._trigger_seq = 0
        self._ts = 1700000000
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.sockets: list[web.WebSocketResponse] = []
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> FakeSlackApi:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/hooks/{tail:.*}", self._hook)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # --- queries ---------------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        async def enough() -> list[Call]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.of(method)) >= count)
            return self.of(method)

        try:
            return await asyncio.wait_for(enough(), within)
        except TimeoutError:
            raise AssertionError(f"expected {count} {method} call(s), got {self.calls!r}") from None

    def new_trigger_id(self) -> str:
        """A ``trigger_id`` as Slack puts in slash commands, shortcuts and block actions."""
        self._trigger_seq += 1
        trigger_id = f"{self._trigger_seq}.4242.{'f' * 32}"
        self.triggers[trigger_id] = time.monotonic()
        return trigger_id

    def _refusal(self, method: str, args: dict[str, Any]) -> str | None:
        """The documented rules the real API enforces; returns Slack's error code."""
        if method in ("views.open", "views.push"):
            # Triggers expire in three seconds and can be used once (https://api.slack.com/docs/triggers).
            minted = self.triggers.pop(str(args.get("trigger_id")), None)
            if minted is None:
                return "invalid_trigger_id"
            if time.monotonic() - minted > TRIGGER_TTL:
                return "expired_trigger_id"
        blocks = _decode_args(args).get("blocks")
        # A button's value is at most 2,000 characters
        # (https://docs.slack.dev/reference/block-kit/block-elements/button-element).
        if any(len(v) > BUTTON_VALUE_LIMIT for v in _button_values(blocks)):
            return "invalid_blocks"
        return None

    # --- handlers --------------------------------------------------------------------------
    async def _record(self, method: str, args: dict[str, Any], request: web.Request) -> None:
        async with self._changed:
            self.calls.append(Call(method, _decode_args(args), dict(request.headers)))
            self._changed.notify_all()

    def _next_ts(self) -> str:
        self._ts += 1
        return f"{self._ts}.000100"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.method == "GET":
            args: dict[str, Any] = {}
        elif request.content_type == "application/json":
            args = await request.json()
        else:
            args = dict(await request.post())
        args.update(request.query)
        if method in self.rate_limited:
            retry_after = self.rate_limited.pop(method)
            await self._record(method + ":429", args, request)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        await self._record(method, args, request)
        refusal = self._refusal(method, args)
        if refusal:
            self.refused.append((method, refusal))
            return web.json_response({"ok": False, "error": refusal})
        if method in self.errors:
            return web.json_response({"ok": False, "error": self.errors[method]})
        return web.json_response({"ok": True, **self._result(method, args)})

    def _result(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or args.get("channel_id") or "")
        if method == "auth.test":
            return {
                "url": "https://example.slack.com/",
                "team": "Example",
                "user": "kbot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.startStream"):
            return {"channel": channel, "ts": self._next_ts(), "message": {"text": args.get("text", "")}}
        if method == "chat.postEphemeral":
            return {"message_ts": self._next_ts()}
        if method in ("chat.appendStream", "chat.stopStream", "chat.update"):
            return {"channel": channel, "ts": args.get("ts")}
        if method == "conversations.replies":
            return {"messages": self.threads.get((channel, str(args.get("ts"))), []), "has_more": False}
        if method == "conversations.members":
            # https://api.slack.com/methods/conversations.members: ids only, cursor-paginated
            members = self.members.get(channel)
            if members is None:
                return {}  # as before this fake knew members: the adapters treat it as unknown
            start = int(str(args.get("cursor") or 0))
            step = 2  # small pages, so clients must follow next_cursor
            following = str(start + step) if start + step < len(members) else ""
            return {"members": members[start : start + step], "response_metadata": {"next_cursor": following}}
        if method == "conversations.history":
            return {"messages": self.histories.get(channel, []), "has_more": False}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts") or "").replace(".", "")
            return {"channel": channel, "permalink": f"https://example.slack.com/archives/{channel}/p{ts}"}
        if method == "users.info":
            uid = str(args.get("user"))
            name = self.users.get(uid, uid)
            return {
                "user": {
                    "id": uid,
                    "name": name.lower(),
                    "profile": {"display_name": name, "real_name": name},
                }
            }
        if method == "apps.connections.open":
            return {"url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "files.info":
            return {"file": {"id": args.get("file"), "name": "file"}}
        if method in ("views.publish", "views.open"):
            return {"view": {"id": "V123"}}
        return {}  # assistant.threads.*, reactions.add ...

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record("response_url", body, request)
        if any(len(v) > BUTTON_VALUE_LIMIT for v in _button_values(body.get("blocks"))):
            self.refused.append(("response_url", "invalid_blocks"))
            return web.json_response({"ok": False, "error": "invalid_blocks"}, status=400)
        return web.Response(text="ok")

    async def _file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        await self._record("file_download", {"name": name}, request)
        if request.headers.get("Authorization") != "Bearer xoxb-test-token":
            return web.Response(status=403)
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name])

    # --- Socket Mode -----------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await self._record("socket_connect", {}, request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A111"}})
        async for msg in ws:
            if msg.type.name == "TEXT":
                await self._record("socket_ack", json.loads(msg.data), request)
        return ws

    async def push_envelope(self, envelope_id: str, kind: str, payload: dict[str, Any]) -> None:
        """Deliver a Socket Mode envelope (``events_api``, ``slash_commands``, ``interactive``)."""
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
