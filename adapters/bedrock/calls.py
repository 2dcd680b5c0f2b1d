"""Calling botocore from asyncio: one call in a worker thread, event streams fed through a queue.

Every botocore fault leaves here as a :mod:`bot.errors` error (see :mod:`adapters.bedrock.faults`).
Retrieval retries happen inside botocore (:mod:`.client`); generations are sent with ``attempts``
and re-sent here only when the service refused them before running them (:func:`never_ran`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from collections.abc import AsyncGenerator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from adapters.bedrock.faults import translate
from adapters.bedrock.health import HEALTH
from bot.models import Usage

log = logging.getLogger("kbot.bedrock")

_END = object()
# Own threads: a streamed answer holds one for its whole length, which must not starve the default
# executor other parts of kbot use. Matches the clients' connection pool (see client.client_config).
MAX_CONCURRENT_CALLS = 32
_WORKERS = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_CALLS, thread_name_prefix="bedrock")


# Refusals that prove the request never ran: safe to send again, nothing was generated or billed.
# Throttling (429) and unavailability (503) are answered before the model starts.
_NEVER_RAN_CODES = {"ThrottlingException", "TooManyRequestsException", "ServiceUnavailableException"}
BACKOFF_BASE, BACKOFF_CAP = 0.5, 8.0


def never_ran(exc: BaseException) -> bool:
    """True when ``exc`` shows the service did not run the request (a read timeout does not show that)."""
    if isinstance(exc, ConnectTimeoutError | EndpointConnectionError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return exc.response.get("Error", {}).get("Code") in _NEVER_RAN_CODES or status in (429, 503)
    return False


def backoff(attempt: int) -> float:
    """Full-jitter exponential backoff (the AWS SDKs' algorithm) before retry number ``attempt``."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))  # noqa: S311 - jitter only


def _send(fn: Callable[..., dict[str, Any]], attempts: int, kwargs: dict[str, Any]) -> dict[str, Any]:
    """In a worker thread: send, re-sending only requests the service refused before running them."""
    for attempt in range(attempts):
        try:
            return fn(**kwargs)
        except Exception as exc:
            if attempt + 1 >= attempts or not never_ran(exc):
                raise
            time.sleep(backoff(attempt))
    raise AssertionError("attempts >= 1")


async def call(
    fn: Callable[..., dict[str, Any]], operation: str, attempts: int = 1, **kwargs: Any
) -> dict[str, Any]:
    try:
        response = await asyncio.get_running_loop().run_in_executor(
            _WORKERS, partial(_send, fn, max(1, attempts), kwargs)
        )
    except Exception as exc:
        raise translate(exc, operation, kwargs.get("modelId")) from exc
    HEALTH.ok(operation)
    return response


async def stream_call(
    fn: Callable[..., dict[str, Any]], operation: str, stream_key: str, attempts: int = 1, **kwargs: Any
) -> AsyncGenerator[dict[str, Any], None]:
    """Yield the response head (everything but the stream, e.g. ``sessionId``) first, then each event
    as botocore decodes it. A worker thread reads the stream so the event loop never blocks."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    stop = threading.Event()
    holder: dict[str, Any] = {}

    def put(item: Any) -> None:
        with contextlib.suppress(RuntimeError):  # loop already closed: nobody is listening
            loop.call_soon_threadsafe(queue.put_nowait, item)

    def produce() -> None:
        try:
            response = _send(fn, max(1, attempts), kwargs)  # only the start is ever re-sent
            stream = holder["stream"] = response.pop(stream_key)
            put(response)
            for event in stream:
                if stop.is_set():
                    break
                put(event)
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, translated there
            if not stop.is_set():
                put(exc)
        finally:
            if "stream" in holder:
                holder["stream"].close()
            put(_END)

    worker = loop.run_in_executor(_WORKERS, produce)
    try:
        while (item := await queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise translate(item, operation, kwargs.get("modelId")) from item
            yield item
        HEALTH.ok(operation)
    finally:
        stop.set()
        if not worker.done() and "stream" in holder:
            with contextlib.suppress(Exception):
                holder["stream"].close()  # unblocks a read waiting on the socket
        await asyncio.wait([worker], timeout=5)


def record_usage(model_id: str, operation: str, usage: dict[str, Any] | None) -> Usage:
    """Token usage of one model call, logged for cost metrics."""
    used = Usage(
        model_id=model_id,
        input_tokens=int((usage or {}).get("inputTokens", 0)),
        output_tokens=int((usage or {}).get("outputTokens", 0)),
    )
    log.info(
        "bedrock usage %s %s in=%d out=%d",
        operation,
        model_id,
        used.input_tokens,
        used.output_tokens,
        extra={
            "kb_model_id": model_id,
            "kb_operation": operation,
            "kb_input_tokens": used.input_tokens,
            "kb_output_tokens": used.output_tokens,
        },
    )
    return used
