"""Fixtures for the summarizing tests: committed payloads and the shared evaluation data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.summarizing.extractive import ExtractiveSummarizer
from tests.fakes import HashEmbedder

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared evaluation data not found at {SHARED}")
    return SHARED


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def summarizer(embedder: HashEmbedder) -> ExtractiveSummarizer:
    return ExtractiveSummarizer(embedder)
