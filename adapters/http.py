"""Shared HTTP fetching (aiohttp): timeouts, bounded retries, ``Retry-After``, one auth refresh.

:class:`HttpClient` implements the core's port :class:`ingest.http.HttpFetcher`; every remote
connector (Graph, Confluence, MediaWiki) and the Teams adapter go through it, so the retry policy
is written once:

* 429 and 503 (and 502/504) are retried, waiting ``Retry-After`` (seconds or an HTTP date) when the
  server sends it, exponential backoff with jitter otherwise; at most ``max_attempts`` tries.
* Connection errors and timeouts are retried the same way.
* 401 calls the auth hook once with ``force_refresh=True`` (an expired token) and retries.
* Any other non-2xx becomes :class:`ingest.http.HttpStatusError` (carrying ``status``), so a
  connector can turn a 404/403 on one document into a per-document failure.

:class:`SessionHttpClients` is the :class:`ingest.http.HttpClients` factory handed to the connector
registry: every client it makes shares one ``aiohttp.ClientSession``.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.errors import BackendTimeout, ThrottledError
from ingest.http import AuthHeaders, FileTooLarge, HttpResponse, HttpStatusError, Sleep
from ingest.http import strip_query as _strip_query

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class HttpClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        auth: AuthHeaders | None = None,
        max_attempts: int = 5,
        timeout: float = 30.0,
        max_wait: float = 120.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.session = session
        self.auth = auth
        self.max_attempts = max_attempts
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.max_wait = max_wait
        self.sleep = sleep
        self.requests = 0  # count of HTTP requests sent (tests and benchmarks read it)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            req_headers = dict(headers or {})
            if self.auth is not None:
                req_headers.update(await self.auth(refreshed))
            try:
                self.requests += 1
                async with self.session.request(
                    method, url, params=params, json=json_body, data=data, headers=req_headers,
                    timeout=self.timeout,
                ) as resp:
                    if resp.status == 401 and self.auth is not None and not refreshed:
                        refreshed = True  # expired token: refresh once, does not count as an attempt
                        attempt -= 1
                        continue
                    if resp.status in RETRY_STATUSES and attempt < self.max_attempts:
                        wait = self._retry_after(resp.headers.get("Retry-After"), attempt)
                        log.info("HTTP %s from %s, retrying in %.1fs", resp.status, _strip_query(url), wait)
                        await self.sleep(wait)
                        continue
                    if resp.status in RETRY_STATUSES:
                        cls = ThrottledError if resp.status == 429 else BackendTimeout
                        raise cls(f"HTTP {resp.status} from {_strip_query(url)} after {attempt} attempts")
                    if resp.status >= 400:
                        detail = (await resp.text(errors="replace"))[:200]
                        raise HttpStatusError(resp.status, str(resp.url), detail)
                    body = await _read_limited(resp, max_bytes)
                    pairs = tuple((k, v) for k, v in resp.headers.items())
                    return HttpResponse(resp.status, resp.headers, body, str(resp.url), pairs)
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as exc:
                if attempt >= self.max_attempts:
                    raise BackendTimeout(
                        f"{method} {_strip_query(url)} failed after {attempt} attempts: {type(exc).__name__}"
                    ) from None
                await self.sleep(self._backoff(attempt))

    async def get_json(self, url: str, params: Mapping[str, str] | None = None) -> Any:
        return (await self.request("GET", url, params=params, headers={"Accept": "application/json"})).json()

    async def get_bytes(self, url: str, *, max_bytes: int | None = None) -> bytes:
        return (await self.request("GET", url, max_bytes=max_bytes)).body

    def _retry_after(self, header: str | None, attempt: int) -> float:
        if header:
            header = header.strip()
            try:
                return min(max(float(header), 0.0), self.max_wait)
            except ValueError:
                try:
                    when = email.utils.parsedate_to_datetime(header)
                except (TypeError, ValueError):
                    return self._backoff(attempt)
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), self.max_wait)
        return self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        return min(0.5 * 2 ** (attempt - 1), 30.0) * (0.5 + random.random() / 2)


async def _read_limited(resp: aiohttp.ClientResponse, max_bytes: int | None) -> bytes:
    if max_bytes is None:
        return await resp.read()
    if resp.content_length is not None and resp.content_length > max_bytes:
        raise FileTooLarge(f"file is {resp.content_length} bytes, over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(f"file is over the {max_bytes}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


class SessionHttpClients:
    """:class:`ingest.http.HttpClients` over one session (connection pool) for a whole sync run."""

    def __init__(self, session: aiohttp.ClientSession, *, sleep: Sleep | None = None) -> None:
        self.session = session
        self.sleep = sleep  # tests: a fast sleep for Retry-After / backoff, for every client made

    def __call__(
        self,
        *,
        auth: AuthHeaders | None = None,
        max_attempts: int = 5,
        timeout: float = 30.0,
        sleep: Sleep | None = None,
    ) -> HttpClient:
        return HttpClient(
            self.session, auth=auth, max_attempts=max_attempts, timeout=timeout,
            sleep=sleep or self.sleep or asyncio.sleep,
        )
