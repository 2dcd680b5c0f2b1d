"""The core (bot/, ingest/) never imports a vendor SDK; only adapters/ may."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "slack_bolt", "slack_sdk", "botbuilder", "botframework", "boto3", "botocore", "langchain_aws",
    "unstructured", "msal", "aioboto3", "aiohttp",
}
CORE_FILES = sorted(p for pkg in ("bot", "ingest") for p in (REPO / pkg).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_core_imports_no_vendor_sdk(path: Path) -> None:
    bad = _imports(path) & FORBIDDEN
    assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}; move that code into adapters/"


def test_core_does_not_import_adapters() -> None:
    offenders = [str(p.relative_to(REPO)) for p in CORE_FILES if "adapters" in _imports(p)]
    assert not offenders, f"core modules import adapters: {offenders}"


def test_fence_catches_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import boto3\nfrom slack_bolt.async_app import AsyncApp\n")
    assert _imports(sample) & FORBIDDEN == {"boto3", "slack_bolt"}
