"""Root fixtures shared by every test area."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.skip_audit import pytest_addoption, pytest_configure  # noqa: F401 - the skip audit's hooks

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads a developer's .env or real credentials, or writes outside tmp."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(("KBOT_", "BEDROCK_", "SLACK_", "MICROSOFT_APP_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("KBOT_DB", str(tmp_path / "kbot.db"))


@pytest.fixture(autouse=True)
def _restored_logging() -> Iterator[None]:
    """The process's logging config as before the test. ``kbot`` commands run in-process call
    ``adapters.logs.setup_logging``, which replaces the root handlers with one on the *test's* captured
    stderr and sets logger levels; left in place, every later warning went to a closed stream
    ("--- Logging error --- ... I/O operation on closed file" in other tests' output)."""
    root = logging.getLogger()
    handlers, levels = root.handlers[:], _logger_levels()
    yield
    root.handlers[:] = handlers
    for name, logger in _loggers().items():
        logger.setLevel(levels.get(name, logging.NOTSET))
    root.setLevel(levels[""])


def _loggers() -> dict[str, logging.Logger]:
    found = {n: lg for n, lg in logging.root.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    return {"": logging.getLogger(), **found}


def _logger_levels() -> dict[str, int]:
    return {name: logger.level for name, logger in _loggers().items()}


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared evaluation data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled MiniLM model, loaded once for the few tests that use it."""
    from adapters.embedding.minilm import MiniLmEmbedder

    return MiniLmEmbedder()
