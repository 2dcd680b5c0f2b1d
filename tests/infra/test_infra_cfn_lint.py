"""cfn-lint (offline) passes on every synthesized template."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.infra.conftest import Synth

# Warnings we accept, each for a stated reason:
IGNORED = {
    "W3010": "AZs are explicit deploy parameters so synth never needs an AZ lookup (infra/config.py)",
    "W3005": "CDK emits DependsOn next to Ref/GetAtt for roles and target groups; redundant but harmless",
}


def _cfn_lint() -> str:
    beside_python = Path(sys.executable).parent / "cfn-lint"  # the venv's console script
    found = str(beside_python) if beside_python.exists() else shutil.which("cfn-lint")
    assert found, "cfn-lint is a dev dependency (pyproject [dev]); install it to run this test"
    return found


def test_cfn_lint_passes_on_synthesized_templates(full: Synth, default: Synth, tmp_path: Path) -> None:
    files = []
    for label, synth in (("full", full), ("default", default)):
        for template in sorted(synth.outdir.glob("*.template.json")):
            target = tmp_path / f"{label}-{template.name}"
            shutil.copy(template, target)
            files.append(str(target))
    assert len(files) == 8
    proc = subprocess.run(
        [
            _cfn_lint(),
            "--format",
            "parseable",
            "--regions",
            "us-east-1",
            "--ignore-checks",
            *IGNORED,
            "--",
            *files,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, f"cfn-lint findings:\n{proc.stdout}{proc.stderr}"
