"""Ingest stack: the worker as a Fargate task, run per source by a Step Functions state machine.

Triggers: an EventBridge schedule (all enabled sources); a "sync now" record (pk=SYNC) in the config
table, via its stream and an EventBridge Pipe (that one source; the record is deleted when done);
and ``{"action": "sync", "source": NAME}`` messages on the work queue, via a second pipe.

Flow: NormalizeInput -> ListSources (DynamoDB query, skipping disabled sources) unless sources were
given -> Map over sources (bounded concurrency) -> RunTask ``kbot sync --source NAME`` (.sync,
retried with backoff) with ``BEDROCK_INGESTION_JOB=defer``: each sync only stages documents and
marks its source pending -> RunIngestionJob ``kbot sync --ingestion-job``: exactly one ingestion job
for every pending source (Bedrock runs one job per data source at a time; a job already running,
e.g. another execution's, is waited for). Failures are caught per source so one broken source never
stops the others; the execution fails at the end if any source or the job failed, which is what the
ingest-failure alarm watches.
"""

from __future__ import annotations

import json
from typing import Any, cast

from aws_cdk import Aws, CfnOutput, Duration, Environment, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.config import DeployConfig
from infra.stacks.app_env import INGESTION_JOB_COMMAND, WORKER_COMMAND, app_environment, app_image
from infra.stacks.bot import BotStack
from infra.stacks.common import acknowledge, acknowledge_ecr_pull, log_group
from infra.stacks.knowledge import KnowledgeStack

INGESTION_ACTIONS = [
    "bedrock:StartIngestionJob",
    "bedrock:GetIngestionJob",
    "bedrock:ListIngestionJobs",
    "bedrock:ListKnowledgeBaseDocuments",  # per-document failures of a job, for `kbot sources status`
]
DEFER_JOB = tasks.TaskEnvironmentVariable(name="BEDROCK_INGESTION_JOB", value="defer")
DIRECT_DOCUMENT_ACTIONS = [
    "bedrock:IngestKnowledgeBaseDocuments",
    "bedrock:DeleteKnowledgeBaseDocuments",
    "bedrock:GetKnowledgeBaseDocuments",
    "bedrock:ListKnowledgeBaseDocuments",
]


class IngestStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        knowledge: KnowledgeStack,
        bot: BotStack,
        env: Environment,
    ) -> None:
        super().__init__(scope, construct_id, env=env)
        self.config = config
        self.log_group = log_group(self, "WorkerLogs", config, "worker")
        self.task, self.container = self._worker_task(knowledge, bot)
        self.security_group = ec2.SecurityGroup(self, "WorkerSg", vpc=bot.vpc, description="kbot ingest worker")
        self.state_machine = self._state_machine(bot)

        events.Rule(
            self,
            "Schedule",
            description="Periodic sync of every enabled kbot source",
            schedule=events.Schedule.expression(config.ingest_schedule),
            targets=[targets.SfnStateMachine(self.state_machine, input=events.RuleTargetInput.from_object({}))],
        )
        self._queue_pipe(bot)
        self._sync_request_pipe(bot)
        CfnOutput(self, "StateMachineArn", value=self.state_machine.state_machine_arn)

    # --- worker task -----------------------------------------------------------------------
    def _worker_task(
        self, knowledge: KnowledgeStack, bot: BotStack
    ) -> tuple[ecs.FargateTaskDefinition, ecs.ContainerDefinition]:
        config = self.config
        task = ecs.FargateTaskDefinition(
            self,
            "WorkerTask",
            cpu=config.worker_cpu,
            memory_limit_mib=config.worker_memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        container = task.add_container(
            "worker",
            image=app_image(),
            command=WORKER_COMMAND,  # the state machine overrides it with: kbot sync --source NAME
            environment=app_environment(config, knowledge, bot.table),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="worker", log_group=self.log_group),
        )
        role = task.task_role
        # By name, not by cross-stack token, so the policy (and its cdk-nag finding ids) read plainly.
        documents = s3.Bucket.from_bucket_name(self, "Documents", knowledge.bucket_name)
        documents.grant_read_write(role)
        documents.grant_delete(role)
        bot.table.grant_read_write_data(role)
        kb_arn = knowledge.knowledge_base.attr_knowledge_base_arn
        role.add_to_principal_policy(
            iam.PolicyStatement(sid="SyncKnowledgeBase", actions=INGESTION_ACTIONS, resources=[kb_arn])
        )
        if knowledge.custom_data_source is not None:
            role.add_to_principal_policy(
                iam.PolicyStatement(sid="DirectDocuments", actions=DIRECT_DOCUMENT_ACTIONS, resources=[kb_arn])
            )
        sources_arn = f"arn:{Aws.PARTITION}:secretsmanager:{Aws.REGION}:{Aws.ACCOUNT_ID}:secret:{config.name}/sources/*"
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadSourceCredentials",
                actions=["secretsmanager:GetSecretValue"],
                resources=[sources_arn],
            )
        )

        acknowledge_ecr_pull(task)
        acknowledge(
            task,
            "AwsSolutions-ECS2",
            "Only non-secret settings are plain env; source credentials are read at use from "
            "Secrets Manager by reference.",
        )
        for finding, reason in (
            ("Action::s3:GetObject*", "The worker reads back the documents it wrote (change detection)."),
            ("Action::s3:GetBucket*", "Bucket-level reads for listing the documents the worker owns."),
            ("Action::s3:List*", "The worker lists the bucket to find documents removed at the source."),
            ("Action::s3:DeleteObject*", "Documents deleted at the source are deleted from the bucket."),
            ("Action::s3:Abort*", "Multipart uploads of large files are aborted on failure."),
            (
                f"Resource::arn:<AWS::Partition>:s3:::{knowledge.bucket_name}/*",
                "The worker owns every object of the documents bucket.",
            ),
            (
                f"Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:"
                f"{config.name}/sources/*",
                "Source credentials are one secret per source under the documented name prefix.",
            ),
        ):
            acknowledge(role, f"AwsSolutions-IAM5[{finding}]", reason)
        return task, container

    # --- orchestration ---------------------------------------------------------------------
    def _state_machine(self, bot: BotStack) -> sfn.StateMachine:
        config = self.config
        # Sources live at pk=SOURCE, sk=<name>, body JSON in `data` (adapters/config_store); a source
        # is skipped only when its body says "enabled": false. `[...]` keeps one match a list.
        list_sources = tasks.CallAwsService.jsonata(
            self,
            "ListSources",
            service="dynamodb",
            action="query",
            iam_resources=[bot.table.table_arn],
            iam_action="dynamodb:Query",
            parameters={
                "TableName": bot.table.table_name,
                "KeyConditionExpression": "pk = :kind",
                "ProjectionExpression": "sk, #body",
                "ExpressionAttributeNames": {"#body": "data"},
                "ExpressionAttributeValues": {":kind": {"S": config.sources_partition}},
            },
            outputs={"Items": "{% [$states.result.Items[$not($parse(data.S).enabled = false)]] %}"},
        )
        # "Sync now" from chat/CLI inserts pk=SYNC, sk=<request id>, data={"source": ...}; the table
        # stream pipe starts this machine with that record. Schedule and queue inputs pass through.
        normalize = sfn.Pass.jsonata(
            self,
            "NormalizeInput",
            outputs=(
                "{% $exists($states.input[0].dynamodb) ? {"
                "'Items': [{'sk': {'S': $parse($states.input[0].dynamodb.NewImage.data.S).source}}], "
                "'syncRequestId': $states.input[0].dynamodb.Keys.sk.S} : $states.input %}"
            ),
        )
        complete_request = tasks.CallAwsService(
            self,
            "CompleteSyncRequest",
            service="dynamodb",
            action="deleteItem",
            iam_resources=[bot.table.table_arn],
            iam_action="dynamodb:DeleteItem",
            parameters={
                "TableName": bot.table.table_name,
                "Key": {"pk": {"S": "SYNC"}, "sk": {"S.$": "$.syncRequestId"}},
            },
            result_path=sfn.JsonPath.DISCARD,
        )
        build_command = sfn.Pass(
            self,
            "BuildCommand",
            parameters={
                "name.$": "$.name",
                "command.$": "States.Array('kbot', 'sync', '--source', $.name)",
            },
        )
        run_sync = tasks.EcsRunTask(
            self,
            "RunSync",
            **self._on_worker(bot),
            container_overrides=[
                tasks.ContainerOverride(
                    container_definition=self.container,
                    command=sfn.JsonPath.list_at("$.command"),
                    environment=[DEFER_JOB],  # stage only: the one job runs after the Map
                )
            ],
            result_path="$.task",
            task_timeout=sfn.Timeout.duration(Duration.hours(4)),
        )
        # Capacity hiccups and failed starts are retried; a clean non-zero exit is a real failure.
        run_sync.add_retry(
            errors=["ECS.AmazonECSException", "States.TaskFailed", "States.Timeout"],
            max_attempts=2,
            interval=Duration.seconds(60),
            backoff_rate=2.0,
        )
        synced = sfn.Pass(self, "Synced", parameters={"name.$": "$.name", "status": "SUCCEEDED"})
        failed = sfn.Pass(self, "SyncFailed", parameters={"name.$": "$.name", "status": "FAILED"})
        run_sync.add_catch(failed, errors=["States.ALL"], result_path="$.error")
        exited_cleanly = sfn.Condition.and_(
            sfn.Condition.is_present("$.task.Containers[0].ExitCode"),
            sfn.Condition.number_equals("$.task.Containers[0].ExitCode", 0),
        )
        per_source = build_command.next(run_sync).next(
            sfn.Choice(self, "ExitedCleanly?").when(exited_cleanly, synced).otherwise(failed)
        )

        each_source = sfn.Map(
            self,
            "EachSource",
            items_path="$.Items",
            max_concurrency=config.ingest_max_concurrency,
            item_selector={"name.$": "$$.Map.Item.Value.sk.S"},
            result_path="$.results",
        ).item_processor(per_source)
        any_failed = (
            sfn.Choice.jsonata(self, "AnySourceFailed?")
            .when(
                sfn.Condition.jsonata(
                    "{% 'FAILED' in $states.input.results.status "
                    "or $states.input.ingestionJobOutcome.status = 'FAILED' %}"
                ),
                sfn.Fail(self, "IngestFailed", error="IngestFailed", cause="At least one source failed to sync"),
            )
            .otherwise(sfn.Succeed(self, "AllSynced"))
        )
        from_request = (
            sfn.Choice(self, "FromSyncRequest?")
            .when(sfn.Condition.is_present("$.syncRequestId"), complete_request.next(any_failed))
            .otherwise(any_failed)
        )
        each_source.next(self._ingestion_job(bot, from_request))

        # Queue messages arrive already shaped like a query result (see the pipes below).
        start = normalize.next(
            sfn.Choice(self, "SourcesGiven?")
            .when(sfn.Condition.is_present("$.Items"), each_source)
            .otherwise(list_sources.next(each_source))
        )

        machine = sfn.StateMachine(
            self,
            "IngestStateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(start),
            timeout=Duration.hours(6),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=log_group(self, "StateMachineLogs", config, "ingest-states"),
                level=sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
        )
        acknowledge(
            machine,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray and CloudWatch Logs delivery have no resource-level permissions; ecs:StopTask/"
            "DescribeTasks for RunTask .sync act on task ARNs unknown before the run starts.",
        )
        acknowledge(
            machine,
            f"AwsSolutions-IAM5[Resource::{_task_family_arn_finding(self, self.task)}]",
            "RunTask is scoped to the worker task family; ':*' lets a new revision run after a deploy.",
        )
        return machine

    def _on_worker(self, bot: BotStack) -> dict[str, Any]:
        """Where a Step Functions state runs the worker task (per-source syncs and the one job alike)."""
        return {
            "integration_pattern": sfn.IntegrationPattern.RUN_JOB,
            "cluster": bot.cluster,
            "task_definition": self.task,
            "launch_target": tasks.EcsFargateLaunchTarget(platform_version=ecs.FargatePlatformVersion.LATEST),
            "subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            "security_groups": [self.security_group],
        }

    def _ingestion_job(self, bot: BotStack, then: sfn.IChainable) -> sfn.IChainable:
        """One state after the Map: ``kbot sync --ingestion-job`` starts the data source's one job."""
        run_job = tasks.EcsRunTask(
            self,
            "RunIngestionJob",
            **self._on_worker(bot),
            container_overrides=[
                tasks.ContainerOverride(container_definition=self.container, command=INGESTION_JOB_COMMAND)
            ],
            result_path="$.ingestionJob",
            task_timeout=sfn.Timeout.duration(Duration.hours(2)),
        )
        run_job.add_retry(
            errors=["ECS.AmazonECSException"], max_attempts=2, interval=Duration.seconds(60), backoff_rate=2.0
        )
        failed = sfn.Pass(
            self, "IngestionJobFailed", result=sfn.Result.from_object({"status": "FAILED"}),
            result_path="$.ingestionJobOutcome",
        )
        done = sfn.Pass(
            self, "IngestionJobDone", result=sfn.Result.from_object({"status": "SUCCEEDED"}),
            result_path="$.ingestionJobOutcome",
        )
        run_job.add_catch(failed, errors=["States.ALL"], result_path="$.ingestionJobError")
        exited_cleanly = sfn.Condition.and_(
            sfn.Condition.is_present("$.ingestionJob.Containers[0].ExitCode"),
            sfn.Condition.number_equals("$.ingestionJob.Containers[0].ExitCode", 0),
        )
        failed.next(then)
        done.next(then)
        return run_job.next(
            sfn.Choice(self, "IngestionJobExitedCleanly?").when(exited_cleanly, done).otherwise(failed)
        )

    def _queue_pipe(self, bot: BotStack) -> None:
        """``{"action": "sync", "source": NAME}`` on the work queue starts a one-source execution."""
        role = iam.Role(
            self,
            "SyncNowPipeRole",
            assumed_by=iam.ServicePrincipal(
                "pipes.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
        )
        bot.work_queue.grant_consume_messages(role)
        self.state_machine.grant_start_execution(role)
        pipes.CfnPipe(
            self,
            "SyncNowPipe",
            role_arn=role.role_arn,
            source=bot.work_queue.queue_arn,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                sqs_queue_parameters=pipes.CfnPipe.PipeSourceSqsQueueParametersProperty(batch_size=1),
                filter_criteria=pipes.CfnPipe.FilterCriteriaProperty(
                    filters=[
                        pipes.CfnPipe.FilterProperty(pattern=json.dumps({"body": {"action": ["sync"]}})),
                    ]
                ),
            ),
            target=self.state_machine.state_machine_arn,
            target_parameters=pipes.CfnPipe.PipeTargetParametersProperty(
                step_function_state_machine_parameters=pipes.CfnPipe.PipeTargetStateMachineParametersProperty(
                    invocation_type="FIRE_AND_FORGET"
                ),
                input_template='{"Items": [{"sk": {"S": "<$.body.source>"}}]}',
            ),
        )

    def _sync_request_pipe(self, bot: BotStack) -> None:
        """A "sync now" request written to the config table (pk=SYNC) starts a one-source execution."""
        role = iam.Role(
            self,
            "SyncRequestPipeRole",
            assumed_by=iam.ServicePrincipal(
                "pipes.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
        )
        bot.table.grant_stream_read(role)
        bot.dead_letters.grant_send_messages(role)
        self.state_machine.grant_start_execution(role)
        pipes.CfnPipe(
            self,
            "SyncRequestPipe",
            role_arn=role.role_arn,
            source=bot.table.table_stream_arn or "",
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                dynamo_db_stream_parameters=pipes.CfnPipe.PipeSourceDynamoDBStreamParametersProperty(
                    starting_position="LATEST",
                    batch_size=1,
                    maximum_retry_attempts=3,
                    dead_letter_config=pipes.CfnPipe.DeadLetterConfigProperty(arn=bot.dead_letters.queue_arn),
                ),
                filter_criteria=pipes.CfnPipe.FilterCriteriaProperty(
                    filters=[
                        pipes.CfnPipe.FilterProperty(
                            pattern=json.dumps({"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": ["SYNC"]}}}})
                        ),
                    ]
                ),
            ),
            target=self.state_machine.state_machine_arn,
            target_parameters=pipes.CfnPipe.PipeTargetParametersProperty(
                step_function_state_machine_parameters=pipes.CfnPipe.PipeTargetStateMachineParametersProperty(
                    invocation_type="FIRE_AND_FORGET"
                ),
            ),
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "dynamodb:ListStreams has no resource-level permissions; stream reads are scoped to this table.",
        )


def _task_family_arn_finding(stack: Stack, task: ecs.TaskDefinition) -> str:
    """How cdk-nag prints the ``<family ARN>:*`` resource CDK's RunTask integration grants.

    CDK derives the family ARN from the task definition's ``Ref`` with ``Fn::Split``/``Fn::Select``;
    cdk-nag renders those intrinsics as JSON, so the finding id is spelled out here.
    """
    ref = {"Ref": stack.get_logical_id(cast(ecs.CfnTaskDefinition, task.node.default_child))}

    def part(index: int) -> str:
        return json.dumps({"Fn::Select": [index, {"Fn::Split": [":", ref]}]}, separators=(",", ":"))

    def resource(index: int) -> str:
        return json.dumps({"Fn::Select": [index, {"Fn::Split": ["/", json.loads(part(5))]}]}, separators=(",", ":"))

    return f"arn:{part(1)}:{part(2)}:{part(3)}:{part(4)}:{resource(0)}/{resource(1)}:*"
