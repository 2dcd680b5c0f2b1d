"""The skip audit behind `.ci/run`: undocumented skips fail a strict run, documented ones do not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.skip_audit import ALLOWED_SKIPS, load_allowed

REPO = Path(__file__).resolve().parents[1]

SUITE = """
import pytest

def test_runs():
    pass

def test_documented():
    pytest.skip("needs the moon: not here")

@pytest.mark.skipif(True, reason="{reason}")
def test_other():
    pass
"""


def run(tmp_path: Path, reason: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(SUITE.format(reason=reason))
    allowed = tmp_path / "allowed.txt"
    allowed.write_text("# the moon is not on CI machines\n^needs the moon\n\n# documented too\nsunlight\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "pytest", "-p", "tests.skip_audit", "--allowed-skips", str(allowed), *args]
    return subprocess.run(
        cmd + ["-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def test_strict_run_fails_on_an_undocumented_skip(tmp_path: Path) -> None:
    result = run(tmp_path, "the payload file is missing", "--strict-skips")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "UNDOCUMENTED SKIP test_sample.py::test_other: the payload file is missing" in result.stdout
    assert "test_documented" not in result.stdout.split("undocumented skip")[-1]


def test_strict_run_passes_when_every_skip_is_documented(tmp_path: Path) -> None:
    result = run(tmp_path, "no sunlight in the basement", "--strict-skips")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout and "UNDOCUMENTED" not in result.stdout


def test_default_run_only_reports(tmp_path: Path) -> None:
    result = run(tmp_path, "the payload file is missing")
    assert result.returncode == 0 and "UNDOCUMENTED SKIP" in result.stdout


def test_every_allowed_skip_says_why(tmp_path: Path) -> None:
    assert len(load_allowed(ALLOWED_SKIPS)) >= 2
    bare = tmp_path / "bare.txt"
    bare.write_text("# fine\nok\n\nnot explained\n")
    with pytest.raises(pytest.UsageError, match="has no comment"):
        load_allowed(bare)
