"""Answer metrics: one structured log event per answer (count, latency, grounded, tokens).

The AWS dashboard's metric filters read these fields (``event``, ``latency_ms``); locally they are
ordinary INFO log lines. Wrapping keeps every front end (Slack, Teams, CLI) measured the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

from bot.models import Answer, Question
from bot.ports import AnswerDelta, Answerer, StreamingAnswerer

log = logging.getLogger("kbot.answers")


def _log(answer: Answer | None, started: float, error: str | None = None) -> None:
    extra = {
        "kb_event": "answer",
        "kb_latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "kb_grounded": bool(answer and answer.grounded),
        "kb_citations": len(answer.citations) if answer else 0,
    }
    if error:
        extra["kb_error"] = error
    log.info("answer in %.0f ms", extra["kb_latency_ms"], extra=extra)


class MeteredAnswerer:
    def __init__(self, inner: Answerer) -> None:
        self.inner = inner

    async def answer(self, question: Question) -> Answer:
        started = time.perf_counter()
        try:
            answer = await self.inner.answer(question)
        except Exception as exc:
            _log(None, started, type(exc).__name__)
            raise
        _log(answer, started)
        return answer


class MeteredStreamingAnswerer(MeteredAnswerer):
    inner: StreamingAnswerer

    async def stream(self, question: Question) -> AsyncIterator[AnswerDelta | Answer]:
        started = time.perf_counter()
        final: Answer | None = None
        try:
            async for item in self.inner.stream(question):
                if isinstance(item, Answer):
                    final = item
                yield item
        except Exception as exc:
            _log(None, started, type(exc).__name__)
            raise
        _log(final, started)


def metered(inner: Answerer) -> Answerer:
    if isinstance(inner, StreamingAnswerer):
        return MeteredStreamingAnswerer(inner)
    return MeteredAnswerer(inner)
