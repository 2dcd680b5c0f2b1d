"""Skip audit: a skipped test must match a documented reason in ``tests/allowed_skips.txt``.

Every run lists undocumented skips at the end; ``pytest --strict-skips`` (what ``.ci/run`` uses) also
fails the run when there is one, so a missing payload, tool or dependency cannot hide tests silently.
Loaded by ``tests/conftest.py``; usable elsewhere as ``pytest -p tests.skip_audit``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ALLOWED_SKIPS = Path(__file__).with_name("allowed_skips.txt")


def load_allowed(path: Path) -> list[re.Pattern[str]]:
    """One regular expression per entry; each entry needs a ``#`` comment just above it saying why."""
    patterns: list[re.Pattern[str]] = []
    commented = False
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line:
            commented = False
        elif line.startswith("#"):
            commented = True
        elif not commented:
            raise pytest.UsageError(f"{path}:{number}: allowed skip {line!r} has no comment saying why")
        else:
            patterns.append(re.compile(line))
    return patterns


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


@dataclass(eq=False)  # a plugin object must stay hashable
class SkipAudit:
    allowed: list[re.Pattern[str]]
    strict: bool
    undocumented: list[tuple[str, str]] = field(default_factory=list)

    def check(self, nodeid: str, reason: str) -> None:
        if not any(pattern.search(reason) for pattern in self.allowed):
            self.undocumented.append((nodeid, reason))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.check(report.nodeid, skip_reason(report))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:
            self.check(report.nodeid, skip_reason(report))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.undocumented:
            return
        terminalreporter.write_sep("=", f"{len(self.undocumented)} undocumented skip(s) (see {ALLOWED_SKIPS.name})")
        for nodeid, reason in self.undocumented:
            terminalreporter.write_line(f"UNDOCUMENTED SKIP {nodeid}: {reason}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.strict and self.undocumented and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kbot")
    group.addoption("--strict-skips", action="store_true", help="fail when a test skips for an undocumented reason")
    group.addoption("--allowed-skips", type=Path, default=ALLOWED_SKIPS, help="the documented skip reasons")


def pytest_configure(config: pytest.Config) -> None:
    audit = SkipAudit(load_allowed(config.getoption("--allowed-skips")), config.getoption("--strict-skips"))
    config.pluginmanager.register(audit, "kbot-skip-audit")
