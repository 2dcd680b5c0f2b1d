"""No runtime dependency that no code imports: langchain-aws was one (~14 packages, ~36 MB in the image)
and is removed; docs/bedrock.md records why boto3 is used directly."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_langchain_aws_is_not_a_dependency_and_nothing_imports_it() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    every = [
        *project["dependencies"],
        *[d for group in project.get("optional-dependencies", {}).values() for d in group],
    ]
    assert not [d for d in every if d.lower().startswith(("langchain-aws", "langchain_aws", "langchain-core"))]
    importers = [
        path
        for folder in ("bot", "ingest", "adapters", "infra", "scripts", "bench")
        for path in (REPO / folder).rglob("*.py")
        if "import langchain" in path.read_text() or "from langchain" in path.read_text()
    ]
    assert importers == []
    assert "## Why raw boto3 rather than langchain-aws" in (REPO / "docs" / "bedrock.md").read_text()
