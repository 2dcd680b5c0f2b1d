"""End to end: the real ``kbot ask --json`` process with KBOT_BACKEND=bedrock against the local endpoint."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.bedrock.conftest import aws_env
from tests.bedrock.fake_bedrock import Fault
from tests.bedrock.replies import converse_reply, kb_result, retrieve_reply

REPO = Path(__file__).resolve().parents[2]


async def _kbot(fake_bedrock, tmp_path: Path, *args: str, **extra_env: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BEDROCK_", "KBOT_"))}
    env.update(aws_env(fake_bedrock.url, tmp_path))
    env.update(
        {
            "KBOT_BACKEND": "bedrock",
            "BEDROCK_KNOWLEDGE_BASE_ID": "KBE2E00001",
            "BEDROCK_MAX_ATTEMPTS": "2",
            "KBOT_DB": str(tmp_path / "kbot.db"),
            "PYTHONPATH": str(REPO),
            **extra_env,
        }
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli.main",
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_kbot_ask_json_answers_with_citations(fake_bedrock, tmp_path):
    fake_bedrock.script(
        "Retrieve",
        retrieve_reply(
            kb_result(
                "Laptops are refreshed every three years; request one in the IT portal.",
                uri="https://it.example.com/kb/laptop-refresh",
                title="Laptop refresh",
                score=0.77,
            ),
            kb_result(
                "The cafeteria opens at 8am.",
                uri="https://wiki.example.com/cafeteria",
                title="Cafeteria",
                score=0.12,
            ),
        ),
    )
    fake_bedrock.script("Converse", converse_reply("Every three years, via the IT portal [1]."))

    code, out, err = await _kbot(
        fake_bedrock, tmp_path, "ask", "--json", "--group", "engineering", "How often are laptops refreshed?"
    )

    assert code == 0, err
    assert json.loads(out) == {
        "answer": "Every three years, via the IT portal [1].",
        "grounded": True,
        "citations": [
            {
                "title": "Laptop refresh",
                "uri": "https://it.example.com/kb/laptop-refresh",
                "snippet": "Laptops are refreshed every three years; request one in the IT portal.",
                "score": 0.77,
            }
        ],
    }
    search = fake_bedrock.calls("Retrieve")[0]["retrievalConfiguration"]["vectorSearchConfiguration"]
    assert search["filter"] == {
        "orAll": [
            {"listContains": {"key": "acl_groups", "value": "everyone"}},
            {"listContains": {"key": "acl_groups", "value": "engineering"}},
        ]
    }


async def test_kbot_ask_reports_access_denied_in_one_line(fake_bedrock, tmp_path):
    fake_bedrock.script(
        "Retrieve", Fault("AccessDeniedException", "not authorized to perform bedrock:Retrieve", 403)
    )
    code, out, err = await _kbot(fake_bedrock, tmp_path, "ask", "--json", "anything?")
    assert code == 1 and out == ""
    lines = [line for line in err.splitlines() if line.startswith("kbot: error:")]
    assert len(lines) == 1 and "AccessDeniedException" in lines[0]
    assert "Traceback" not in err
