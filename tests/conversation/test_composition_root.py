"""The composition root stays lazy and typed; the log level has one source."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROBE = (
    "import logging, sys\n"
    "from adapters.cli.main import main\n"
    "code = main(['sources', 'list'])\n"
    "heavy = sorted(m for m in ('adapters.embedding.minilm', 'torch', 'sentence_transformers', 'boto3',"
    " 'slack_bolt', 'botbuilder.core') if m in sys.modules)\n"
    "print(code, logging.getLevelName(logging.getLogger().level), heavy)\n"
)


def test_sources_list_loads_no_model_and_takes_the_log_level_from_settings(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KBOT_LOG_LEVEL=error\n")  # Settings read .env: the one source
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBOT_")}
    env |= {"KBOT_DB": str(tmp_path / "kbot.db"), "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "0 ERROR []"


def test_no_untyped_app_in_adapters_or_bot() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for root in ("adapters", "bot")
        for path in (REPO / root).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "app: Any" in line
    ]
    assert offenders == []
