"""Every botbuilder/botframework import of the Teams adapter lives in ``bf_adapter.py`` (the SDK seam)."""

from __future__ import annotations

import ast
from pathlib import Path

TEAMS = Path(__file__).resolve().parents[2] / "adapters" / "teams"
SDK_ROOTS = {"botbuilder", "botframework", "msrest"}


def _sdk_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] in SDK_ROOTS}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in SDK_ROOTS:
            found.add(node.module)
    return found


def test_only_bf_adapter_imports_the_bot_framework_sdk() -> None:
    modules = sorted(TEAMS.glob("*.py"))
    assert len(modules) > 5
    offenders = {p.name: _sdk_imports(p) for p in modules if p.name != "bf_adapter.py" and _sdk_imports(p)}
    assert offenders == {}
    assert _sdk_imports(TEAMS / "bf_adapter.py")  # the seam itself does use the SDK
