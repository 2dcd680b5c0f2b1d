"""The deployed containers read exactly the settings the local app reads (``bot/settings.py``)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings
from tests.infra.conftest import Synth

SETTINGS_NAMES = {name.upper() for name in Settings.model_fields}
# Process-level variables of the image that are not kbot settings.
IMAGE_ONLY = {
    "PATH",
    "PYTHONUNBUFFERED",
    "PIP_NO_CACHE_DIR",
    "PIP_DISABLE_PIP_VERSION_CHECK",
    "HF_HUB_OFFLINE",
    "DO_NOT_TRACK",
}


def _container_names(synth: Synth) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for path, task in synth.all_resources("AWS::ECS::TaskDefinition").items():
        for container in task["Properties"]["ContainerDefinitions"]:
            env = {e["Name"] for e in container.get("Environment", [])}
            secrets = {s["Name"] for s in container.get("Secrets", [])}
            names[f"{path}/{container['Name']}"] = env | secrets
    return names


def test_every_env_var_the_stacks_set_is_a_settings_field(full: Synth, default: Synth) -> None:
    for synth in (full, default):
        by_container = _container_names(synth)
        assert len(by_container) == 2  # web + worker
        for container, names in by_container.items():
            unknown = names - SETTINGS_NAMES
            assert not unknown, f"{container} sets env vars that bot/settings.py does not read: {unknown}"


def test_containers_get_what_the_bedrock_backend_needs(full: Synth) -> None:
    by_container = _container_names(full)
    needed = {
        "KBOT_BACKEND",
        "KBOT_CONFIG_TABLE",
        "AWS_REGION",
        "BEDROCK_KNOWLEDGE_BASE_ID",
        "BEDROCK_MODEL_ID",
        "BEDROCK_FAST_MODEL_ID",
        "BEDROCK_GUARDRAIL_ID",
        "BEDROCK_GUARDRAIL_VERSION",
        "BEDROCK_DATA_SOURCE_ID",
        "BEDROCK_DATA_SOURCE_BUCKET",
        "BEDROCK_DATA_SOURCE_TYPE",
        "BEDROCK_AGENT_ID",
        "BEDROCK_AGENT_ALIAS_ID",
    }
    (web,) = [n for c, n in by_container.items() if c.endswith("/web")]
    (worker,) = [n for c, n in by_container.items() if c.endswith("/worker")]
    assert needed <= web and needed <= worker
    assert {
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD",
        "MICROSOFT_APP_TENANT_ID",
        "MICROSOFT_APP_TYPE",
        "PORT",
        "KBOT_ADMINS",
        "KBOT_EXPERTS_CHANNEL",
        "KBOT_WORK_QUEUE_URL",
    } <= web
    assert not {n for n in worker if n.startswith(("SLACK_", "MICROSOFT_"))}


def test_dockerfile_env_names_are_settings_or_process_vars() -> None:
    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()
    env_blocks = re.findall(r"^ENV\s+((?:.*\\\n)*.*)$", dockerfile, flags=re.MULTILINE)
    names = {m for block in env_blocks for m in re.findall(r"([A-Z_][A-Z0-9_]*)=", block)}
    assert {"KBOT_DB", "PORT"} <= names
    assert names - IMAGE_ONLY <= SETTINGS_NAMES
