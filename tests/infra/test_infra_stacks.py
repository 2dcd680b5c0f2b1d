"""Assertions on the synthesized templates: resources, encryption, IAM scoping, alarms."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match

from adapters.shutdown import SHUTDOWN_BUDGET_SECONDS
from adapters.state.dynamodb_state import TTL_ATTRIBUTE
from tests.infra.conftest import CERT_ARN, Synth

KNOWLEDGE, BOT, INGEST, OBS = "KbotKnowledge", "KbotBot", "KbotIngest", "KbotObservability"


def _statements(synth: Synth, stack: str, role_fragment: str) -> list[dict[str, Any]]:
    """Policy statements attached to roles whose logical id contains ``role_fragment``."""
    found = []
    for policy in synth.resources(stack, "AWS::IAM::Policy").values():
        roles = json.dumps(policy["Properties"]["Roles"])
        if role_fragment in roles:
            found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return found


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    out: set[str] = set()
    for st in statements:
        acts = st["Action"]
        out.update([acts] if isinstance(acts, str) else acts)
    return out


def _container(synth: Synth, stack: str) -> dict[str, Any]:
    (task,) = synth.resources(stack, "AWS::ECS::TaskDefinition").values()
    (container,) = task["Properties"]["ContainerDefinitions"]
    return container


# --- knowledge ----------------------------------------------------------------------------------
def test_knowledge_base_on_s3_vectors_with_embedding_model(full: Synth) -> None:
    t = full.template(KNOWLEDGE)
    t.resource_count_is("AWS::S3Vectors::VectorBucket", 1)
    t.has_resource_properties(
        "AWS::S3Vectors::Index",
        {
            "Dimension": 1024,
            "DistanceMetric": "cosine",
            "DataType": "float32",
            "MetadataConfiguration": {"NonFilterableMetadataKeys": Match.array_with(["AMAZON_BEDROCK_TEXT"])},
        },
    )
    t.has_resource_properties(
        "AWS::Bedrock::KnowledgeBase",
        {
            "KnowledgeBaseConfiguration": {
                "Type": "VECTOR",
                "VectorKnowledgeBaseConfiguration": {
                    "EmbeddingModelArn": Match.object_like(
                        {
                            "Fn::Join": Match.array_with(
                                [
                                    Match.array_with(
                                        [":bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"]
                                    )
                                ]
                            )
                        }
                    ),
                },
            },
            "StorageConfiguration": {
                "Type": "S3_VECTORS",
                "S3VectorsConfiguration": {
                    "IndexArn": {"Fn::GetAtt": [Match.string_like_regexp("VectorIndex"), "IndexArn"]}
                },
            },
        },
    )


def test_data_sources_guardrail_and_agent(full: Synth) -> None:
    t = full.template(KNOWLEDGE)
    t.has_resource_properties(
        "AWS::Bedrock::DataSource",
        {
            "DataSourceConfiguration": {"Type": "S3", "S3Configuration": {"BucketArn": Match.any_value()}},
            "DataDeletionPolicy": "DELETE",
        },
    )
    t.has_resource_properties("AWS::Bedrock::DataSource", {"DataSourceConfiguration": {"Type": "CUSTOM"}})
    t.has_resource_properties(
        "AWS::Bedrock::Guardrail",
        {
            "ContentPolicyConfig": {
                "FiltersConfig": Match.array_with(
                    [{"Type": "PROMPT_ATTACK", "InputStrength": "HIGH", "OutputStrength": "NONE"}]
                )
            },
        },
    )
    t.resource_count_is("AWS::Bedrock::GuardrailVersion", 1)
    t.has_resource_properties(
        "AWS::Bedrock::Agent",
        {
            "KnowledgeBases": [
                Match.object_like(
                    {
                        "KnowledgeBaseState": "ENABLED",
                        "KnowledgeBaseId": {"Fn::GetAtt": ["KnowledgeBase", "KnowledgeBaseId"]},
                    }
                )
            ],
            "GuardrailConfiguration": Match.object_like({"GuardrailIdentifier": Match.any_value()}),
        },
    )
    t.resource_count_is("AWS::Bedrock::AgentAlias", 1)


def test_default_config_has_no_optional_knowledge_pieces(default: Synth) -> None:
    assert set(default.templates) == {KNOWLEDGE, BOT, INGEST, OBS}
    assert not default.resources(KNOWLEDGE, "AWS::Bedrock::Agent")
    (only,) = default.resources(KNOWLEDGE, "AWS::Bedrock::DataSource").values()
    assert only["Properties"]["DataSourceConfiguration"]["Type"] == "S3"
    listeners = default.resources(BOT, "AWS::ElasticLoadBalancingV2::Listener").values()
    assert [lst["Properties"]["Port"] for lst in listeners] == [80]  # no certificate configured


def test_documents_bucket_encrypted_versioned_private(full: Synth) -> None:
    buckets = full.resources(KNOWLEDGE, "AWS::S3::Bucket")
    assert len(buckets) == 2  # documents + access logs
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
            "SSEAlgorithm"
        ] in ("AES256", "aws:kms")
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert "AccessControl" not in props
    (documents,) = [b for b in buckets.values() if "documents" in json.dumps(b["Properties"].get("BucketName", ""))]
    assert documents["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert documents["Properties"]["LoggingConfiguration"]["LogFilePrefix"] == "documents-bucket/"
    assert documents["DeletionPolicy"] == "Retain"
    for policy in full.resources(KNOWLEDGE, "AWS::S3::BucketPolicy").values():
        denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)
    full.template(KNOWLEDGE).has_resource_properties(
        "AWS::S3Vectors::VectorBucket", {"EncryptionConfiguration": {"SseType": "AES256"}}
    )


# --- bot ----------------------------------------------------------------------------------------
def test_queue_with_dead_letter_queue_encrypted(full: Synth) -> None:
    queues = full.resources(BOT, "AWS::SQS::Queue")
    assert len(queues) == 2
    for queue in queues.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    (work,) = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    assert work["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3
    dlq_id = work["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert dlq_id in queues and "RedrivePolicy" not in queues[dlq_id]["Properties"]
    for policy in full.resources(BOT, "AWS::SQS::QueuePolicy").values():
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in policy["Properties"]["PolicyDocument"]["Statement"]
        )


def test_config_and_state_tables_encrypted_with_pitr(full: Synth) -> None:
    full.template(BOT).resource_count_is("AWS::DynamoDB::Table", 2)  # config (streamed) + chat state (TTL)
    full.template(BOT).has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "SSESpecification": {"SSEEnabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def test_chat_state_table_expires_items_and_only_the_web_tasks_use_it(full: Synth) -> None:
    tables = full.resources(BOT, "AWS::DynamoDB::Table")
    (state_id,) = [k for k, t in tables.items() if "TimeToLiveSpecification" in t["Properties"]]
    state = tables[state_id]["Properties"]
    assert state["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert "StreamSpecification" not in state  # chat traffic never reaches the sync-request pipe
    env = {e["Name"]: e["Value"] for e in _container(full, BOT)["Environment"]}
    assert env["KBOT_STATE_TABLE"] == {"Ref": state_id}
    web = [st for st in _statements(full, BOT, "WebTask") if state_id in json.dumps(st["Resource"])]
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"} <= _actions(web)
    assert state_id not in json.dumps(full.templates[INGEST])


def test_web_scales_on_requests_per_target_not_cpu(full: Synth) -> None:
    (policy,) = full.resources(BOT, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    tracking = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    metric = tracking["PredefinedMetricSpecification"]
    assert metric["PredefinedMetricType"] == "ALBRequestCountPerTarget"
    assert "TargetGroupFullName" in json.dumps(metric["ResourceLabel"])  # the web target group
    assert tracking["TargetValue"] == 120
    (target,) = full.resources(BOT, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == (1, 4)


def test_web_stop_timeout_covers_the_graceful_drain(full: Synth) -> None:
    """ECS sends SIGKILL after StopTimeout; `kbot serve` needs SHUTDOWN_BUDGET_SECONDS after SIGTERM, plus closing."""
    assert _container(full, BOT)["StopTimeout"] >= SHUTDOWN_BUDGET_SECONDS + 10


def test_chat_endpoint_is_fargate_behind_https_alb(full: Synth) -> None:
    t = full.template(BOT)
    t.has_resource_properties(
        "AWS::ECS::Service",
        {
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})},
            "DeploymentConfiguration": Match.object_like(
                {"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}}
            ),
        },
    )
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {"Port": 443, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": CERT_ARN}]},
    )
    t.has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup", {"Port": 3000, "HealthCheckPath": "/livez"})
    t.has_resource_properties(
        "AWS::ECS::Cluster", {"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}
    )
    web = _container(full, BOT)
    assert web["Command"] == ["kbot", "serve", "--port", "3000"]
    assert web["PortMappings"][0]["ContainerPort"] == 3000
    assert "/livez" in " ".join(web["HealthCheck"]["Command"])  # liveness: a Bedrock fault never kills tasks


def test_chat_secrets_come_from_secrets_manager_never_plain_env(full: Synth) -> None:
    secrets = full.resources(BOT, "AWS::SecretsManager::Secret")
    names = sorted(s["Properties"]["Name"] for s in secrets.values())
    assert names == ["kbot/slack", "kbot/sources/default", "kbot/teams"]
    web = _container(full, BOT)
    injected = {s["Name"]: s["ValueFrom"] for s in web["Secrets"]}
    assert set(injected) == {
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD",
        "MICROSOFT_APP_TENANT_ID",
    }
    for name, value_from in injected.items():
        joined = json.dumps(value_from)
        assert f":{name}::" in joined and "Secret" in joined  # <secret arn>:<json key>::
    env_names = {e["Name"] for e in web["Environment"]}
    assert not env_names & set(injected)
    assert not any(word in n for n in env_names for word in ("TOKEN", "PASSWORD", "SECRET"))
    worker = _container(full, INGEST)
    assert "Secrets" not in worker  # the worker never sees chat credentials


# --- IAM ----------------------------------------------------------------------------------------
def test_no_admin_or_service_wide_wildcards_anywhere(full: Synth) -> None:
    allowed_star_resources = {  # actions AWS does not scope to resources
        "ecr:GetAuthorizationToken",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
        # CDK's RunTask .sync integration: task ARNs are not known before the run starts.
        "ecs:StopTask",
        "ecs:DescribeTasks",
        "dynamodb:ListStreams",  # the stream pipe; reads are scoped to the table's stream
    }
    for stack in full.templates:
        for name, policy in full.resources(stack, "AWS::IAM::Policy").items():
            for st in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = _actions([st])
                assert not any(a == "*" or a.endswith(":*") for a in actions), (stack, name, actions)
                if st["Resource"] == "*":
                    assert actions <= allowed_star_resources, (stack, name, actions)


def test_worker_has_least_privilege_ingestion_rights(full: Synth) -> None:
    worker = _statements(full, INGEST, "WorkerTaskTaskRole")
    (sync,) = [s for s in worker if s.get("Sid") == "SyncKnowledgeBase"]
    assert "bedrock:StartIngestionJob" in _actions([sync])
    assert "KnowledgeBaseArn" in json.dumps(sync["Resource"])  # this knowledge base only
    s3_resources = json.dumps([s["Resource"] for s in worker if any(a.startswith("s3:") for a in _actions([s]))])
    assert "kbot-documents-123456789012-us-east-1" in s3_resources
    assert "arn:aws:s3:::*" not in s3_resources
    (creds,) = [s for s in worker if s.get("Sid") == "ReadSourceCredentials"]
    assert creds["Action"] == "secretsmanager:GetSecretValue"
    assert ":secret:kbot/sources/*" in json.dumps(creds["Resource"])
    # connector checkpoints (pk=CHECKPOINT) live in the config table: the task's disk dies with it
    table = [s for s in worker if {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"} <= _actions([s])]
    assert table and "ConfigTable" in json.dumps(table[0]["Resource"])
    assert "dynamodb:LeadingKeys" not in json.dumps(table)  # not scoped away from CHECKPOINT items


def test_web_cannot_ingest_or_write_documents(full: Synth) -> None:
    web = _statements(full, BOT, "WebTaskTaskRole")
    actions = _actions(web)
    assert {
        "bedrock:Retrieve",
        "bedrock:InvokeModelWithResponseStream",
        "bedrock:ApplyGuardrail",
        "bedrock:InvokeAgent",
        "sqs:SendMessage",
    } <= actions
    assert not any(a.startswith("s3:") for a in actions)
    assert "bedrock:StartIngestionJob" not in actions
    (models,) = [s for s in web if s.get("Sid") == "AnswerWithModels"]
    resources = json.dumps(models["Resource"])
    assert "inference-profile/us.anthropic.claude-" in resources and "foundation-model/anthropic.claude-" in resources


def test_bedrock_service_roles_are_confused_deputy_safe(full: Synth) -> None:
    for role in full.resources(KNOWLEDGE, "AWS::IAM::Role").values():
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "bedrock.amazonaws.com"}
        assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]


# --- ingest -------------------------------------------------------------------------------------
def _definition(synth: Synth) -> str:
    (machine,) = synth.resources(INGEST, "AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else "<ref>" for p in parts)


def test_state_machine_maps_sources_with_retries(full: Synth) -> None:
    definition = json.loads(_definition(full))
    states = definition["States"]
    listing = states["ListSources"]
    assert listing["Resource"].endswith(":states:::aws-sdk:dynamodb:query")
    assert listing["Arguments"]["ExpressionAttributeValues"] == {":kind": {"S": "SOURCE"}}
    assert "$not($parse(data.S).enabled = false)" in listing["Output"]["Items"]  # disabled sources skipped
    each = states["EachSource"]
    assert each["Type"] == "Map" and each["MaxConcurrency"] == 2
    inner = each["ItemProcessor"]["States"]
    assert inner["BuildCommand"]["Parameters"]["command.$"] == "States.Array('kbot', 'sync', '--source', $.name)"
    run = inner["RunSync"]
    assert run["Resource"].endswith(":states:::ecs:runTask.sync")
    assert run["Retry"][0]["MaxAttempts"] == 2 and run["Retry"][0]["BackoffRate"] == 2
    assert run["Catch"][0]["Next"] == "SyncFailed"  # one broken source never stops the others
    assert states["AnySourceFailed?"]["Choices"][0]["Next"] == "IngestFailed"
    t = full.template(INGEST)
    t.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "TracingConfiguration": {"Enabled": True},
            "LoggingConfiguration": Match.object_like({"Level": "ALL"}),
        },
    )
    t.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "rate(1 hour)", "State": "ENABLED"})
    worker = _container(full, INGEST)
    assert worker["Command"] == ["kbot", "sync"]


def _pipes(synth: Synth) -> dict[str, dict[str, Any]]:
    return {name: p["Properties"] for name, p in synth.resources(INGEST, "AWS::Pipes::Pipe").items()}


def test_sync_now_pipe_from_work_queue(full: Synth) -> None:
    (props,) = [p for n, p in _pipes(full).items() if n.startswith("SyncNowPipe")]
    assert json.loads(props["SourceParameters"]["FilterCriteria"]["Filters"][0]["Pattern"]) == {
        "body": {"action": ["sync"]}
    }
    template = props["TargetParameters"]["InputTemplate"]
    assert json.loads(template.replace("<$.body.source>", "wiki")) == {"Items": [{"sk": {"S": "wiki"}}]}
    assert props["TargetParameters"]["StepFunctionStateMachineParameters"]["InvocationType"] == "FIRE_AND_FORGET"


def test_sync_requests_in_config_table_start_the_state_machine(full: Synth) -> None:
    full.template(BOT).has_resource_properties(
        "AWS::DynamoDB::Table", {"StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}
    )
    (props,) = [p for n, p in _pipes(full).items() if n.startswith("SyncRequestPipe")]
    stream = props["SourceParameters"]["DynamoDBStreamParameters"]
    assert "WorkDeadLetters" in json.dumps(stream["DeadLetterConfig"])  # failed starts are not lost
    pattern = json.loads(props["SourceParameters"]["FilterCriteria"]["Filters"][0]["Pattern"])
    assert pattern == {"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": ["SYNC"]}}}}
    states = json.loads(_definition(full))["States"]
    assert "$states.input[0].dynamodb.NewImage.data.S" in states["NormalizeInput"]["Output"]
    assert states["CompleteSyncRequest"]["Resource"].endswith(":states:::aws-sdk:dynamodb:deleteItem")
    assert states["CompleteSyncRequest"]["Parameters"]["Key"] == {
        "pk": {"S": "SYNC"},
        "sk": {"S.$": "$.syncRequestId"},
    }


# --- observability ------------------------------------------------------------------------------
def test_log_groups_have_retention(full: Synth) -> None:
    groups = full.all_resources("AWS::Logs::LogGroup")
    assert len(groups) >= 4
    assert all(g["Properties"]["RetentionInDays"] == 30 for g in groups.values())


def test_alarms_for_errors_dlq_and_ingest_failures(full: Synth) -> None:
    alarms = full.resources(OBS, "AWS::CloudWatch::Alarm")
    metric_names = json.dumps(alarms)
    for expected in (
        "WebErrors",
        "ApproximateNumberOfMessagesVisible",
        "ExecutionsFailed",
        "HTTPCode_Target_5XX_Count",
        "AnswerLatency",
        "IngestLag",
    ):
        assert expected in metric_names, expected
    (dlq_alarm,) = [
        a for a in alarms.values() if a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
    ]
    assert "WorkDeadLetters" in json.dumps(dlq_alarm["Properties"]["Dimensions"])
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"], "every alarm notifies"
    full.template(OBS).has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    full.template(OBS).has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"}
    )


def test_dashboard_shows_answers_latency_errors_tokens_and_ingest_lag(full: Synth) -> None:
    (dashboard,) = full.resources(OBS, "AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for title in ("Answers", "Answer latency", "Errors", "Tokens", "Ingest lag"):
        assert title in body, title
    filters = full.resources(OBS, "AWS::Logs::MetricFilter")
    by_metric = {f["Properties"]["MetricTransformations"][0]["MetricName"]: f["Properties"] for f in filters.values()}
    assert by_metric["AnswerLatency"]["MetricTransformations"][0]["MetricValue"] == "$.latency_ms"
    assert by_metric["IngestLag"]["FilterPattern"] == "{ $.lag_seconds >= 0 }"
    assert by_metric["InputTokens"]["MetricTransformations"][0]["MetricValue"] == "$.input_tokens"
