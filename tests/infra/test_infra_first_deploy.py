"""What a first ``cdk deploy`` needs from Bedrock, read from the synthesized templates: no HYBRID search
on S3 Vectors, current models through inference profiles (IAM generated from them), documents-only
data source, filterable metadata within S3 Vectors' limit, one ingestion job after the per-source
syncs, alarms that fire when syncs stop or Bedrock throttles, and a liveness-only ALB check."""

from __future__ import annotations

import json
from typing import Any

from adapters.bedrock_sink.layout import DOCUMENT_PREFIX
from bot.settings import BEDROCK_DEFAULT_FAST_MODEL, BEDROCK_DEFAULT_MODEL
from tests.infra.conftest import Synth

KNOWLEDGE, BOT, INGEST, OBS = "KbotKnowledge", "KbotBot", "KbotIngest", "KbotObservability"


def _env(synth: Synth, stack: str) -> dict[str, Any]:
    (task,) = synth.resources(stack, "AWS::ECS::TaskDefinition").values()
    (container,) = task["Properties"]["ContainerDefinitions"]
    return {e["Name"]: e["Value"] for e in container["Environment"]}


def _states(synth: Synth) -> dict[str, Any]:
    (machine,) = synth.resources(INGEST, "AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    return json.loads("".join(p if isinstance(p, str) else "REF" for p in parts))["States"]


def test_no_hybrid_search_on_s3_vectors_and_current_models(default: Synth) -> None:
    for stack in (BOT, INGEST):
        env = _env(default, stack)
        assert "BEDROCK_SEARCH_TYPE" not in env  # S3 Vectors refuses HYBRID; Bedrock picks SEMANTIC
        assert env["BEDROCK_MODEL_ID"] == f"us.{BEDROCK_DEFAULT_MODEL}"
        assert env["BEDROCK_FAST_MODEL_ID"] == f"us.{BEDROCK_DEFAULT_FAST_MODEL}"


def test_model_iam_is_generated_from_the_model_ids(default: Synth) -> None:
    policies = json.dumps([p["Properties"] for p in default.resources(BOT, "AWS::IAM::Policy").values()])
    for model in (BEDROCK_DEFAULT_MODEL, BEDROCK_DEFAULT_FAST_MODEL):
        assert f"inference-profile/us.{model}" in policies
        assert f":bedrock:*::foundation-model/{model}" in policies
    assert "claude-3-5-sonnet-20240620" not in policies and "claude-3-haiku" not in policies


def test_data_source_crawls_documents_only_and_display_keys_are_not_filterable(default: Synth) -> None:
    (source,) = default.resources(KNOWLEDGE, "AWS::Bedrock::DataSource").values()
    s3_config = source["Properties"]["DataSourceConfiguration"]["S3Configuration"]
    assert s3_config["InclusionPrefixes"] == [DOCUMENT_PREFIX]  # never kbot-manifests/
    (index,) = default.resources(KNOWLEDGE, "AWS::S3Vectors::Index").values()
    keys = index["Properties"]["MetadataConfiguration"]["NonFilterableMetadataKeys"]
    assert {"AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA", "title", "source_uri"} <= set(keys)
    assert "acl_groups" not in keys and "source" not in keys  # retrieval filters on these
    assert len(keys) <= 10  # S3 Vectors: at most 10 non-filterable keys per index


def test_per_source_syncs_only_stage_and_one_job_runs_after_the_map(default: Synth) -> None:
    states = _states(default)
    run_sync = states["EachSource"]["ItemProcessor"]["States"]["RunSync"]
    override = run_sync["Arguments" if "Arguments" in run_sync else "Parameters"]["Overrides"]["ContainerOverrides"][0]
    assert {"Name": "BEDROCK_INGESTION_JOB", "Value": "defer"} in override["Environment"]
    assert states["EachSource"]["Next"] == "RunIngestionJob"
    job = states["RunIngestionJob"]
    job_override = job["Parameters"]["Overrides"]["ContainerOverrides"][0]
    assert job_override["Command"] == ["kbot", "sync", "--ingestion-job"]
    inner = json.dumps(states["EachSource"]["ItemProcessor"])
    assert "--ingestion-job" not in inner  # never once per source
    assert states["IngestionJobExitedCleanly?"]["Default"] == "IngestionJobFailed"
    policies = json.dumps([p["Properties"] for p in default.resources(INGEST, "AWS::IAM::Policy").values()])
    assert "bedrock:ListKnowledgeBaseDocuments" in policies  # per-document failures of a job


def test_alarms_fire_when_syncs_stop_bedrock_throttles_or_guardrail_blocks(default: Synth) -> None:
    alarms = {name: a["Properties"] for name, a in default.resources(OBS, "AWS::CloudWatch::Alarm").items()}
    (lag,) = [a for n, a in alarms.items() if n.startswith("IngestLagAlarm")]
    assert lag["TreatMissingData"] == "breaching"
    (throttles,) = [a for n, a in alarms.items() if n.startswith("BedrockThrottlesAlarm")]
    metrics = json.dumps(throttles["Metrics"])
    assert "InvocationThrottles" in metrics and f"us.{BEDROCK_DEFAULT_MODEL}" in metrics
    assert any(n.startswith("GuardrailInterventionsAlarm") for n in alarms)
    filters = json.dumps(default.resources(OBS, "AWS::Logs::MetricFilter"))
    assert '$.event = \\"guardrail_intervened\\"' in filters


def test_load_balancer_checks_liveness_only(default: Synth) -> None:
    (group,) = default.resources(BOT, "AWS::ElasticLoadBalancingV2::TargetGroup").values()
    assert group["Properties"]["HealthCheckPath"] == "/livez"
