"""Root fixtures shared by every test area."""

from __future__ import annotations

import os
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
