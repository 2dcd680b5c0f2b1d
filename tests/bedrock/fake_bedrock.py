"""A local Bedrock endpoint (bedrock-runtime + bedrock-agent-runtime) for tests, on 127.0.0.1.

Requests are routed and validated with botocore's own service models (the same ones the real API
is described by); scripted responses are validated against the operation's output shapes before
they are sent, and event streams go out in the real binary framing. Anything invalid or unscripted
is recorded in ``errors`` (the fixture fails the test on it) and answered with an error status.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import botocore.session
from aiohttp import web
from botocore.model import OperationModel, Shape
from botocore.validate import ParamValidator

from tests.bedrock.eventstream import event_message, exception_message

SERVICES = ("bedrock-runtime", "bedrock-agent-runtime")


@dataclass
class Json:
    body: dict[str, Any]
    status: int = 200
    # Realistic latency: a non-streaming Converse answers only once the whole generation is done
    # (seconds to minutes for long outputs), so the client's read timeout can fire while the model is
    # still generating, after the request was accepted (and billed).
    # https://docs.aws.amazon.com/bedrock/latest/userguide/conversation-inference-call.html
    # https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html (tokens per minute, timeouts)
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Fault:
    code: str
    message: str
    status: int


@dataclass
class StreamFault:
    exception_type: str  # the event member name, e.g. "throttlingException"
    message: str


@dataclass
class Gate:
    """Pause the stream here until the test opens the gate (proves deltas arrive while streaming)."""

    event: asyncio.Event = field(default_factory=asyncio.Event)
    timeout: float = 5.0


@dataclass
class Stream:
    events: list[tuple[str, dict[str, Any]] | StreamFault | Gate]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the first event (the model's time to first token)


Reply = Json | Fault | Stream


@dataclass
class Recorded:
    operation: str
    params: dict[str, Any]


def _route_pattern(request_uri: str) -> re.Pattern[str]:
    path = request_uri.split("?", 1)[0]
    regex = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex)
    return re.compile(f"^{regex}$")


class FakeBedrock:
    def __init__(self) -> None:
        session = botocore.session.get_session()
        self._routes: list[tuple[str, re.Pattern[str], OperationModel]] = []
        for service in SERVICES:
            model = session.get_service_model(service)
            for name in model.operation_names:
                op = model.operation_model(name)
                self._routes.append((op.http["method"], _route_pattern(op.http["requestUri"]), op))
        self._routes.sort(key=lambda r: -len(r[1].pattern.replace("[^/]+", "")))
        self._replies: dict[str, deque[Reply]] = defaultdict(deque)
        self._responders: dict[str, Callable[[dict[str, Any]], Reply]] = {}
        self.requests: list[Recorded] = []
        self.errors: list[str] = []
        self._validator = ParamValidator()
        self._runner: web.AppRunner | None = None
        self.url = ""
        # The knowledge bases' vector stores (infra/ creates S3 Vectors) and the service rules
        # of tests/bedrock/service_rules.py that depend on the account.
        self.store_type = "S3_VECTORS"
        self.legacy_models_granted = False

    # --- test API -------------------------------------------------------------------------
    def script(self, operation: str, *replies: Reply) -> None:
        self._replies[operation].extend(replies)

    def respond(self, operation: str, responder: Callable[[dict[str, Any]], Reply]) -> None:
        """Answer ``operation`` from its request when nothing is queued (replies that depend on the
        model or the question, whatever order concurrent calls arrive in)."""
        self._responders[operation] = responder

    def calls(self, operation: str) -> list[dict[str, Any]]:
        return [r.params for r in self.requests if r.operation == operation]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # --- server ---------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        op, uri_params = self._match(request.method, request.path)
        if op is None:
            return self._fail(f"no Bedrock operation for {request.method} {request.path}", 404)
        body = await request.read()
        try:
            params = {**(json.loads(body) if body else {}), **uri_params}
        except json.JSONDecodeError as exc:
            return self._fail(f"{op.name}: body is not JSON: {exc}", 400)
        report = self._validator.validate(params, op.input_shape)
        if report.has_errors():
            return self._fail(f"{op.name}: invalid request: {report.generate_report()}", 400)
        if mismatches := pattern_errors(params, op.input_shape, op.name):
            return self._fail(f"{op.name}: values the API's patterns reject: {mismatches}", 400)
        self.requests.append(Recorded(op.name, params))
        from tests.bedrock.service_rules import request_fault

        refused = request_fault(
            op.name, params, store_type=self.store_type, legacy_granted=self.legacy_models_granted
        )
        if refused is not None:  # what the real service answers; not a test-setup error
            return web.json_response(
                {"message": refused.message}, status=refused.status, headers={"x-amzn-ErrorType": refused.code}
            )
        if self._replies[op.name]:
            reply = self._replies[op.name].popleft()
        elif op.name in self._responders:
            reply = self._responders[op.name](params)
        else:
            return self._fail(f"{op.name}: no scripted reply", 500)
        if isinstance(reply, Fault):
            return web.json_response(
                {"message": reply.message}, status=reply.status, headers={"x-amzn-ErrorType": reply.code}
            )
        if isinstance(reply, Json):
            await asyncio.sleep(reply.delay)
            report = self._validator.validate(reply.body, op.output_shape)
            if report.has_errors():
                return self._fail(f"{op.name}: scripted reply invalid: {report.generate_report()}", 500)
            return web.json_response(reply.body, status=reply.status)
        return await self._stream(request, op, reply)

    def _match(self, method: str, path: str) -> tuple[OperationModel | None, dict[str, str]]:
        for route_method, pattern, op in self._routes:
            if route_method == method and (m := pattern.match(path)):
                return op, {k: unquote(v) for k, v in m.groupdict().items()}
        return None, {}

    def _fail(self, message: str, status: int) -> web.Response:
        self.errors.append(message)
        return web.json_response(
            {"message": message}, status=status, headers={"x-amzn-ErrorType": "TestFailure"}
        )

    async def _stream(self, request: web.Request, op: OperationModel, reply: Stream) -> web.StreamResponse:
        stream_shape = _event_stream_member(op.output_shape)
        frames: list[bytes | Gate] = []
        for item in reply.events:
            if isinstance(item, Gate):
                frames.append(item)
                continue
            kind, payload = (
                (item.exception_type, {"message": item.message}) if isinstance(item, StreamFault) else item
            )
            if kind not in stream_shape.members:
                return self._fail(f"{op.name}: {kind!r} is not an event of {stream_shape.name}", 500)
            report = self._validator.validate(payload, stream_shape.members[kind])
            if report.has_errors():
                return self._fail(f"{op.name}: scripted {kind} invalid: {report.generate_report()}", 500)
            frames.append(
                exception_message(kind, item.message)
                if isinstance(item, StreamFault)
                else event_message(kind, payload)
            )
        response = web.StreamResponse(
            status=200, headers={"Content-Type": "application/vnd.amazon.eventstream", **reply.headers}
        )
        await asyncio.sleep(reply.delay)
        await response.prepare(request)
        for frame in frames:
            if isinstance(frame, Gate):
                try:
                    await asyncio.wait_for(frame.event.wait(), frame.timeout)
                except TimeoutError:
                    self.errors.append(f"{op.name}: stream gate was never opened (deltas not streamed?)")
                continue
            await response.write(frame)
        await response.write_eof()
        return response


def pattern_errors(value: Any, shape: Shape, path: str) -> list[str]:
    """String values that do not match their shape's ``pattern`` (botocore itself checks only types,
    required members and lengths; the service also enforces these)."""
    if shape.type_name == "string" and isinstance(value, str) and "pattern" in shape.metadata:
        try:
            return [] if re.fullmatch(shape.metadata["pattern"], value) else [f"{path}={value!r}"]
        except re.error:  # a pattern Python's re cannot read: not checked
            return []
    errors: list[str] = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:  # type: ignore[attr-defined]
                errors += pattern_errors(item, shape.members[key], f"{path}.{key}")  # type: ignore[attr-defined]
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            errors += pattern_errors(item, shape.member, f"{path}[{i}]")  # type: ignore[attr-defined]
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            errors += pattern_errors(item, shape.value, f"{path}.{key}")  # type: ignore[attr-defined]
    return errors


def _event_stream_member(output: Shape) -> Any:
    for member in output.members.values():
        if member.serialization.get("eventstream"):
            return member
    raise AssertionError(f"{output.name} has no event stream")
