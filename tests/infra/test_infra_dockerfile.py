"""The Dockerfile builds the app with pip, runs as non-root, health-checks /livez and runs kbot."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _instructions() -> list[tuple[str, str]]:
    text = (REPO_ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions()
    last_from = max(i for i, (k, _) in enumerate(steps) if k == "FROM")
    return steps[last_from:]


def test_base_image_and_pip_install() -> None:
    steps = _instructions()
    assert all(arg.split()[0] == "python:3.11-slim" for k, arg in steps if k == "FROM")
    runs = " ".join(arg for k, arg in steps if k == "RUN")
    assert re.search(r"pip install \.(\s|$)", runs)


def test_runs_kbot_as_non_root() -> None:
    final = _final_stage()
    users = [arg for k, arg in final if k == "USER"]
    assert users and users[-1] not in ("root", "0")
    (cmd,) = [json.loads(arg) for k, arg in final if k == "CMD"]
    entrypoints = [json.loads(arg) for k, arg in final if k == "ENTRYPOINT"]
    argv = (entrypoints[-1] if entrypoints else []) + cmd
    assert argv[0] == "kbot"
    assert argv[1:] == ["serve", "--port", "3000"]  # matches the web task definition


def test_healthcheck_hits_liveness_only() -> None:
    """/healthz answers 503 while Bedrock is degraded; a container must not be restarted for that."""
    (check,) = [arg for k, arg in _final_stage() if k == "HEALTHCHECK"]
    assert "/livez" in check and "CMD" in check


def test_dockerignore_keeps_context_small() -> None:
    patterns = (REPO_ROOT / ".dockerignore").read_text().split()
    assert patterns[patterns.index("**")] == "**"  # deny by default, then allow-list
    assert "!bot/**" in patterns and "!pyproject.toml" in patterns
    assert not any(p.startswith("!.venv") or p.startswith("!tests") for p in patterns)
