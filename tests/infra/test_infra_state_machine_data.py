"""The ingest state machine's JSONata expressions, taken from the synthesized definition and
evaluated on the real input shapes (schedule, table-stream "sync now" record, queue message).

``$states`` and Step Functions' ``$parse`` are bound the way the service binds them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import Synth

jsonata = pytest.importorskip("jsonata", reason="jsonata-python is a dev dependency (pyproject [dev])")


def _states(synth: Synth) -> dict[str, Any]:
    (machine,) = synth.resources("KbotIngest", "AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    return json.loads("".join(p if isinstance(p, str) else "REF" for p in parts))["States"]


def _evaluate(template: str, states: dict[str, Any]) -> Any:
    assert template.startswith("{%") and template.endswith("%}")
    expression = jsonata.Jsonata(template[2:-2].strip())
    expression.register_lambda("parse", json.loads)
    expression.assign("states", states)
    return expression.evaluate(None)


def _source_row(name: str, body: dict[str, Any]) -> dict[str, Any]:
    """A pk=SOURCE item as the DynamoDB query returns it (adapters/config_store layout)."""
    return {"sk": {"S": name}, "data": {"S": json.dumps(body)}}


def test_list_sources_skips_only_disabled_sources(full: Synth) -> None:
    template = _states(full)["ListSources"]["Output"]["Items"]
    rows = [
        _source_row("wiki", {"kind": "mediawiki", "enabled": True}),
        _source_row("old-share", {"kind": "sharepoint", "enabled": False}),
        _source_row("handbook", {"kind": "folder"}),  # no flag: enabled by default
    ]
    kept = _evaluate(template, {"result": {"Items": rows}})
    assert [r["sk"]["S"] for r in kept] == ["wiki", "handbook"]
    assert _evaluate(template, {"result": {"Items": rows[:1]}}) == rows[:1]  # one match stays a list
    assert _evaluate(template, {"result": {"Items": rows[1:2]}}) == []
    assert _evaluate(template, {"result": {"Items": []}}) == []


def test_normalize_turns_a_sync_request_record_into_one_source(full: Synth) -> None:
    template = _states(full)["NormalizeInput"]["Output"]
    body = {"source": "wiki", "requested_by": "U012ADMIN", "at": "2026-11-24T20:00:00Z"}
    batch = [
        {
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": {"pk": {"S": "SYNC"}, "sk": {"S": "req-1"}},
                "NewImage": {"pk": {"S": "SYNC"}, "sk": {"S": "req-1"}, "data": {"S": json.dumps(body)}},
            },
        }
    ]
    assert _evaluate(template, {"input": batch}) == {"Items": [{"sk": {"S": "wiki"}}], "syncRequestId": "req-1"}


def test_normalize_passes_schedule_and_queue_inputs_through(full: Synth) -> None:
    template = _states(full)["NormalizeInput"]["Output"]
    assert _evaluate(template, {"input": {}}) == {}
    queued = {"Items": [{"sk": {"S": "wiki"}}]}
    assert _evaluate(template, {"input": queued}) == queued


def test_execution_fails_when_any_source_failed(full: Synth) -> None:
    (choice,) = _states(full)["AnySourceFailed?"]["Choices"]
    ok, bad = {"name": "a", "status": "SUCCEEDED"}, {"name": "b", "status": "FAILED"}
    for results, failed in (([ok, bad], True), ([ok], False), ([bad], True), ([], False)):
        assert _evaluate(choice["Condition"], {"input": {"results": results}}) is failed, results
