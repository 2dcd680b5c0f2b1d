"""Synthesize the kbot CDK app once per session, offline, and share the templates.

Two assemblies are built in parallel: ``full`` (every optional feature on, built in-process so the
tests can reach the constructs) and ``default`` (``python -m infra.app`` with ``infra/cdk.json``
context, exactly what ``cdk synth`` runs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
REGION = "us-east-1"
CERT_ARN = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000"
FULL_CONFIG: dict[str, Any] = {
    "account": ACCOUNT,
    "region": REGION,
    "enable_agent": True,
    "enable_custom_data_source": True,
    "data_source_type": "CUSTOM",
    "certificate_arn": CERT_ARN,
    "alarm_email": "ops@example.com",
    "admins": "U012ADMIN",
    "experts_channel": "C0EXPERTS",
}
SYNTH_ENV = {"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}


@dataclass
class Synth:
    outdir: Path
    templates: dict[str, dict[str, Any]]  # stack name -> CloudFormation template
    _assertions: dict[str, Any] = field(default_factory=dict)

    def template(self, stack: str):  # -> aws_cdk.assertions.Template
        from aws_cdk.assertions import Template

        if stack not in self._assertions:
            self._assertions[stack] = Template.from_json(self.templates[stack])
        return self._assertions[stack]

    def resources(self, stack: str, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.templates[stack]["Resources"].items() if v["Type"] == type_}

    def all_resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {f"{stack}/{k}": v for stack in self.templates for k, v in self.resources(stack, type_).items()}


def _load(outdir: Path) -> Synth:
    manifest = json.loads((outdir / "manifest.json").read_text())
    templates = {}
    for name, artifact in manifest["artifacts"].items():
        if artifact["type"] == "aws:cloudformation:stack":
            templates[name] = json.loads((outdir / artifact["properties"]["templateFile"]).read_text())
    return Synth(outdir, templates)


@pytest.fixture(scope="session")
def synths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synth]:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: aws-cdk-lib (jsii) needs it to synthesize")
    os.environ.update(SYNTH_ENV)
    default_out = tmp_path_factory.mktemp("cdk-default")
    # The cdk CLI runs the app command from infra/ with CDK_OUTDIR and CDK_CONTEXT_JSON set.
    cdk_json = json.loads((REPO_ROOT / "infra" / "cdk.json").read_text())
    env = {
        **os.environ,
        **SYNTH_ENV,
        "CDK_OUTDIR": str(default_out),
        "CDK_DEFAULT_ACCOUNT": ACCOUNT,
        "CDK_DEFAULT_REGION": REGION,
        "CDK_CONTEXT_JSON": json.dumps(cdk_json["context"]),
    }
    default_proc = subprocess.Popen(
        [sys.executable, "-m", "infra.app"],
        cwd=REPO_ROOT / "infra",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    import aws_cdk as cdk

    from infra.app import build_app
    from infra.config import DeployConfig

    full_out = tmp_path_factory.mktemp("cdk-full")
    build_app(DeployConfig.from_mapping(FULL_CONFIG), cdk.App(outdir=str(full_out))).synth()
    try:
        _, stderr = default_proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        default_proc.kill()
        raise
    assert default_proc.returncode == 0, f"python -m infra.app failed:\n{stderr[-4000:]}"
    return {"full": _load(full_out), "default": _load(default_out)}


@pytest.fixture(scope="session")
def full(synths: dict[str, Synth]) -> Synth:
    return synths["full"]


@pytest.fixture(scope="session")
def default(synths: dict[str, Synth]) -> Synth:
    return synths["default"]
