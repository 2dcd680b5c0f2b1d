"""Run a parse function in a worker process with a wall-clock cap and an address-space cap.

A hostile file (a zip bomb that slips past the size check, a pathological table, a parser bug)
must cost one file, not the ingest: the worker gets ``RLIMIT_AS`` (so an allocation beyond the
cap raises ``MemoryError`` there) and is killed when a file takes longer than the time cap, then
restarted for the next file. The worker is a spawned process reused across files; calls are
serialised (the pipeline parses one file at a time).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bot.errors import InputError

ParseFn = Callable[[bytes, str], Any]
STARTUP_TIMEOUT_S = 180.0  # spawning the worker and importing the parser, not counted per file


@dataclass(frozen=True, slots=True)
class ParseLimits:
    timeout_s: float = 120.0
    memory_mb: int = 1024
    warmup: Callable[[], None] | None = None  # run once in each new worker (heavy imports)

    def sandbox(self) -> ParseSandbox:
        return ParseSandbox(self)


def _serve(conn: Connection, memory_bytes: int, warmup: Callable[[], None] | None) -> None:
    """Worker loop: (fn, data, filename) in, ("ok", result) | (kind, message) out."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    if warmup is not None:
        warmup()
    conn.send(("ready", None))
    while True:
        try:
            fn, data, filename = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(data, filename))
        except InputError as exc:
            reply = ("input", str(exc))
        except MemoryError:
            reply = ("memory", "")
        except Exception as exc:  # noqa: BLE001 - reported to the caller as this file's failure
            reply = ("error", f"{type(exc).__name__}: {str(exc)[:160]}")
        del data
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", ""))


class ParseSandbox:
    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded event-loop process
        self._proc: Any = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        self._alocks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    async def run(self, fn: ParseFn, data: bytes, filename: str) -> Any:
        # waiters queue here, not in worker threads blocked on the threading lock
        lock = self._alocks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with lock:
            kind, value = await asyncio.to_thread(self._call, fn, data, filename)
        if kind == "ok":
            return value
        if kind == "input":
            raise InputError(value)
        if kind == "memory":
            raise InputError(f"{filename}: needs more than {self.limits.memory_mb} MB of memory to parse; not indexed")
        if kind == "timeout":
            raise InputError(f"{filename}: took longer than {self.limits.timeout_s:g} s to parse; not indexed")
        if kind == "died":
            raise InputError(f"{filename}: the parser crashed on this file; not indexed")
        raise InputError(f"{filename}: cannot parse ({value})")

    def _start(self) -> Connection:
        if self._conn is None or self._proc is None or not self._proc.is_alive():
            parent, child = self._ctx.Pipe()
            self._proc = self._ctx.Process(
                target=_serve,
                args=(child, self.limits.memory_mb * 1024 * 1024, self.limits.warmup),
                daemon=True,
                name="kbot-parse",
            )
            self._proc.start()
            child.close()
            self._conn = parent
            if not parent.poll(STARTUP_TIMEOUT_S) or parent.recv()[0] != "ready":
                self._kill()
                raise OSError("the parse worker did not start")
        assert self._conn is not None
        return self._conn

    def _call(self, fn: ParseFn, data: bytes, filename: str) -> tuple[str, Any]:
        with self._lock:
            try:
                conn = self._start()
                conn.send((fn, data, filename))
                if conn.poll(self.limits.timeout_s):
                    return conn.recv()
                self._kill()
                return ("timeout", "")
            except (EOFError, OSError):  # the worker died (killed by the kernel, crashed) or never started
                self._kill()
                return ("died", "")

    def _kill(self) -> None:
        if self._proc is not None and self._proc.pid is not None:
            self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc, self._conn = None, None

    def close(self) -> None:
        with self._lock:
            self._kill()
