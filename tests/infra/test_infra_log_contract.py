"""The dashboard's metric filters read fields the app really writes in its JSON log lines."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable

from adapters.bedrock.calls import record_usage
from adapters.logs import JsonFormatter
from tests.infra.conftest import Synth


def _json_lines(emit: Callable[[], object]) -> list[dict]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        emit()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _filters(synth: Synth) -> dict[str, dict]:
    return {
        f["Properties"]["MetricTransformations"][0]["MetricName"]: f["Properties"]
        for f in synth.resources("KbotObservability", "AWS::Logs::MetricFilter").values()
    }


def test_token_metrics_read_the_fields_bedrock_usage_logs(full: Synth) -> None:
    (line,) = _json_lines(lambda: record_usage("anthropic.m", "converse", {"inputTokens": 950, "outputTokens": 210}))
    filters = _filters(full)
    for metric, expected in (("InputTokens", 950), ("OutputTokens", 210)):
        props = filters[metric]
        field = props["MetricTransformations"][0]["MetricValue"].removeprefix("$.")
        assert line[field] == expected
        (pattern_field,) = re.findall(r"\$\.(\w+) >= 0", props["FilterPattern"])
        assert isinstance(line[pattern_field], int)


def test_error_metrics_match_the_level_field_of_error_lines(full: Synth) -> None:
    (line,) = _json_lines(lambda: logging.getLogger("kbot.test").error("boom"))
    assert line["level"] == "ERROR"
    for metric in ("WebErrors", "WorkerErrors"):
        assert '$.level = "ERROR"' in _filters(full)[metric]["FilterPattern"]
