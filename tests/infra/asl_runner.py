"""A small interpreter for the subset of Amazon States Language the ingest state machine uses, so a
test can run the *synthesized* definition step by step with its tasks handled in-process.

Supported: Pass, Task, Choice, Map, Succeed, Fail; JSONPath (``Parameters`` with ``.$`` keys and
``States.Array``, ``Result``, ``ResultPath``, ``ItemsPath``, ``ItemSelector``, ``IsPresent``,
``NumericEquals``, ``And``) and JSONata (``Output``, ``Arguments``, ``Condition``) states; ``Catch``
(task handlers raise :class:`TaskFailed`). ``Retry`` is not simulated: handlers either succeed or fail.
Semantics follow https://states-language.net/spec.html and the Step Functions developer guide.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import jsonata

TaskHandler = Callable[[str, dict[str, Any]], Awaitable[Any]]
_MISSING = object()


class TaskFailed(Exception):
    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(error)
        self.error, self.cause = error, cause


def _get(path: str, data: Any, context: dict[str, Any]) -> Any:
    root, rest = (context, path[2:]) if path.startswith("$$") else (data, path[1:])
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", rest):
        key, index = part
        if key:
            if not isinstance(root, dict) or key not in root:
                return _MISSING
            root = root[key]
        else:
            if not isinstance(root, list) or int(index) >= len(root):
                return _MISSING
            root = root[int(index)]
    return root


def _intrinsic(expr: str, data: Any, context: dict[str, Any]) -> Any:
    match = re.fullmatch(r"States\.Array\((.*)\)", expr.strip())
    if not match:
        raise NotImplementedError(expr)
    args = re.findall(r"'([^']*)'|(\$[^,\s)]+)", match.group(1))
    return [literal if not path else _get(path, data, context) for literal, path in args]


def _resolve(template: Any, data: Any, context: dict[str, Any]) -> Any:
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$"):
                out[key[:-2]] = (
                    _intrinsic(value, data, context) if value.startswith("States.") else _get(value, data, context)
                )
            else:
                out[key] = _resolve(value, data, context)
        return out
    if isinstance(template, list):
        return [_resolve(v, data, context) for v in template]
    return template


def _jsonata(template: Any, states: dict[str, Any]) -> Any:
    if isinstance(template, str) and template.startswith("{%") and template.endswith("%}"):
        expression = jsonata.Jsonata(template[2:-2].strip())
        expression.register_lambda("parse", json.loads)
        expression.assign("states", states)
        return expression.evaluate(None)
    if isinstance(template, dict):
        return {k: _jsonata(v, states) for k, v in template.items()}
    if isinstance(template, list):
        return [_jsonata(v, states) for v in template]
    return template


def _with_result(data: Any, result: Any, result_path: Any) -> Any:
    if result_path is None:
        return data
    if result_path == "$":
        return result
    out = copy.deepcopy(data)
    out[result_path[2:]] = result
    return out


def _choose(state: dict[str, Any], data: Any, context: dict[str, Any]) -> str:
    def holds(rule: dict[str, Any]) -> bool:
        if "Condition" in rule:
            return bool(_jsonata(rule["Condition"], {"input": data}))
        if "And" in rule:
            return all(holds(r) for r in rule["And"])
        value = _get(rule["Variable"], data, context)
        if "IsPresent" in rule:
            return (value is not _MISSING) == rule["IsPresent"]
        if "NumericEquals" in rule:
            return value is not _MISSING and value == rule["NumericEquals"]
        raise NotImplementedError(rule)

    return next((r["Next"] for r in state["Choices"] if holds(r)), state["Default"])


class Execution:
    """Runs one execution; ``trace`` lists the states entered, in order."""

    def __init__(self, definition: dict[str, Any], tasks: TaskHandler) -> None:
        self.definition, self.tasks = definition, tasks
        self.trace: list[str] = []

    async def run(self, data: Any) -> tuple[str, Any]:
        return await self._machine(self.definition, data, {})

    async def _machine(self, machine: dict[str, Any], data: Any, context: dict[str, Any]) -> tuple[str, Any]:
        name = machine["StartAt"]
        for _ in range(200):
            state = machine["States"][name]
            self.trace.append(name)
            kind = state["Type"]
            if kind == "Succeed":
                return "SUCCEEDED", data
            if kind == "Fail":
                return "FAILED", {"Error": state.get("Error")}
            if kind == "Choice":
                name = _choose(state, data, context)
                continue
            try:
                data = await self._step(name, state, data, context)
            except TaskFailed as exc:
                catcher = next(
                    (c for c in state.get("Catch", []) if {"States.ALL", exc.error} & set(c["ErrorEquals"])), None
                )
                if catcher is None:
                    return "FAILED", {"Error": exc.error}
                data = _with_result(data, {"Error": exc.error, "Cause": exc.cause}, catcher.get("ResultPath", "$"))
                name = catcher["Next"]
                continue
            if state.get("End"):
                return "SUCCEEDED", data
            name = state["Next"]
        raise AssertionError("execution did not end")

    async def _step(self, name: str, state: dict[str, Any], data: Any, context: dict[str, Any]) -> Any:
        jsonata_state = state.get("QueryLanguage") == "JSONata"
        kind = state["Type"]
        if kind == "Pass":
            if jsonata_state:
                return _jsonata(state["Output"], {"input": data})
            if "Parameters" in state:
                return _resolve(state["Parameters"], data, context)
            return _with_result(data, state["Result"], state.get("ResultPath", "$")) if "Result" in state else data
        if kind == "Task":
            if jsonata_state:
                result = await self.tasks(name, _jsonata(state.get("Arguments", {}), {"input": data}))
                return _jsonata(state.get("Output", "{% $states.result %}"), {"input": data, "result": result})
            result = await self.tasks(name, _resolve(state.get("Parameters", {}), data, context))
            return _with_result(data, result, state.get("ResultPath", "$"))
        if kind == "Map":
            items = _get(state["ItemsPath"], data, context)
            limit = state.get("MaxConcurrency") or len(items) or 1
            gate = asyncio.Semaphore(limit)

            async def one(index: int, item: Any) -> Any:
                async with gate:
                    ctx = {"Map": {"Item": {"Index": index, "Value": item}}}
                    selected = _resolve(state["ItemSelector"], data, ctx) if "ItemSelector" in state else item
                    status, output = await self._machine(state["ItemProcessor"], selected, ctx)
                    if status != "SUCCEEDED":
                        raise TaskFailed("States.BranchFailed")
                    return output

            results = await asyncio.gather(*(one(i, item) for i, item in enumerate(items)))
            return _with_result(data, list(results), state.get("ResultPath", "$"))
        raise NotImplementedError(kind)
