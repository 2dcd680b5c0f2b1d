"""Logging set up by one test (a ``kbot`` command run in-process) does not outlive it."""

from __future__ import annotations

import logging
import sys

import pytest

from adapters.logs import setup_logging


def test_a_command_run_in_process_sets_up_logging_on_the_tests_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO")
    ours = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert [h.stream for h in ours] == [sys.stderr] and logging.getLogger().level == logging.INFO
    logging.getLogger("kbot.test").warning("to this test's stderr")
    assert "to this test's stderr" in capsys.readouterr().err


def test_the_next_test_starts_from_the_sessions_logging() -> None:
    """Runs after the one above (file order): its handler (on a stream closed since) is gone."""
    assert not [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert logging.getLogger().level != logging.INFO  # the level the test above set
