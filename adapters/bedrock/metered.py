"""A bedrock-runtime client that charges every Converse/ConverseStream call to a :class:`Budget`.

It sits *under* :mod:`.calls`, so each attempt (including the ones :mod:`.calls` re-sends after
throttling, as in production) reserves its worst-case cost before it is sent, and the reservation
is settled with the usage the service reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from adapters.bedrock.calls import never_ran
from bot.scorecard.budget import Budget, estimate_input_tokens
from bot.scorecard.prices import PriceTable


def _actual(prices: PriceTable, model_id: str, usage: dict[str, Any] | None) -> float:
    usage = usage or {}
    return prices.cost(model_id, int(usage.get("inputTokens", 0)), int(usage.get("outputTokens", 0)))


class _MeteredStream:
    """The ConverseStream event stream, settling the reservation at its ``metadata`` event."""

    def __init__(self, stream: Any, settle: Any) -> None:
        self._stream = stream
        self._settle = settle

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for event in self._stream:
            if "metadata" in event:
                self._settle(event["metadata"].get("usage"))
            yield event

    def close(self) -> None:
        self._settle(None, final=True)
        self._stream.close()


class MeteredRuntime:
    def __init__(self, runtime: Any, budget: Budget, prices: PriceTable) -> None:
        self._runtime = runtime
        self._budget = budget
        self._prices = prices

    def worst_case(self, request: dict[str, Any]) -> float:
        chars = len(json.dumps(request.get("system", []))) + len(json.dumps(request.get("messages", [])))
        max_out = int(request.get("inferenceConfig", {}).get("maxTokens", 4096))
        return self._prices.cost(request["modelId"], estimate_input_tokens(chars), max_out)

    def _send(self, fn: Any, request: dict[str, Any]) -> tuple[dict[str, Any], float]:
        held = self._budget.reserve(self.worst_case(request))
        try:
            return fn(**request), held
        except Exception as exc:
            if never_ran(exc):
                self._budget.release(held)  # refused before running: not billed
            else:
                self._budget.settle(held, held)  # may have run: count the worst case
            raise

    def converse(self, **request: Any) -> dict[str, Any]:
        response, held = self._send(self._runtime.converse, request)
        self._budget.settle(held, _actual(self._prices, request["modelId"], response.get("usage")))
        return response

    def converse_stream(self, **request: Any) -> dict[str, Any]:
        response, held = self._send(self._runtime.converse_stream, request)
        settled = False

        def settle(usage: dict[str, Any] | None, final: bool = False) -> None:
            nonlocal settled
            if settled:
                return
            settled = True
            # A stream cut before its usage arrived may still be billed: count the worst case.
            self._budget.settle(held, held if final else _actual(self._prices, request["modelId"], usage))

        response["stream"] = _MeteredStream(response["stream"], settle)
        return response
