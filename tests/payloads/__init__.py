"""The project's own wire payloads (Slack, Teams, Bedrock), written for kbot's tests.

Each file has the shape the vendor sends (see README.md for the documentation each follows) with
kbot's own ids and text. Tests load a fresh copy each time, so they may change it freely.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parent


def load(platform: str, name: str) -> dict[str, Any]:
    """A fresh copy of ``tests/payloads/<platform>/<name>``."""
    return json.loads((PAYLOADS / platform / name).read_text())  # type: ignore[no-any-return]
