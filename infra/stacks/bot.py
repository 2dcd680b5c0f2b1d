"""Bot stack: the chat endpoint (ECS Fargate behind an ALB), the work queue and its DLQ, the
config and chat-state tables and the Slack/Teams/source secrets.

Why a container service and not API Gateway + Lambda: kbot is one long-running aiohttp server
that serves Slack and Teams on the same port, streams answers as they are generated and keeps
warm clients (Bedrock, DynamoDB) between requests. Slack's 3-second ack is met in-process by
slack-bolt's async app (ack first, answer in a background task), so no lazy-listener
re-invocation is needed, and the same image runs locally, in Docker and on AWS.
"""

from __future__ import annotations

from aws_cdk import Annotations, CfnOutput, Duration, Environment, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import DeployConfig
from infra.stacks.app_env import (
    SLACK_KEYS,
    TEAMS_KEYS,
    WEB_COMMAND,
    WEB_PORT,
    app_environment,
    app_image,
    slack_teams_secrets,
)
from infra.stacks.common import (
    acknowledge,
    acknowledge_ecr_pull,
    acknowledge_profile_wildcards,
    bedrock_model_arns,
    log_group,
)
from infra.stacks.knowledge import KnowledgeStack

STATE_TTL_ATTRIBUTE = "expires_at"  # adapters/state/dynamodb_state.py TTL_ATTRIBUTE
# Covers `kbot serve`'s drain (adapters/shutdown.py SHUTDOWN_BUDGET_SECONDS = 25) plus closing clients.
WEB_STOP_TIMEOUT_SECONDS = 40
# Liveness only (the process serves HTTP): a Bedrock or DynamoDB hiccup must not make ECS or the ALB
# replace healthy tasks. /healthz (backend health, 503 when degraded) is for people and monitors.
LIVENESS_PATH = "/livez"
HEALTHCHECK = (
    "python -c \"import urllib.request; "
    f"urllib.request.urlopen('http://127.0.0.1:{WEB_PORT}{LIVENESS_PATH}', timeout=3)\""
)


class BotStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        knowledge: KnowledgeStack,
        env: Environment,
    ) -> None:
        super().__init__(scope, construct_id, env=env)
        self.config = config
        self.knowledge = knowledge
        removal = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY

        self.vpc = self._vpc()
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=self.vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )

        # Single-table design (adapters/config_store/dynamodb_config.py): sources, their status,
        # channel settings, admins, feedback, the audit log and "sync now" requests all live under
        # pk = KIND, sk = id, body JSON in `data`. One table, one setting (KBOT_CONFIG_TABLE).
        self.table = dynamodb.Table(
            self,
            "ConfigTable",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            stream=dynamodb.StreamViewType.NEW_IMAGE,  # "sync now" requests start the ingest pipe
            removal_policy=removal,
        )

        # Chat state shared by the web replicas (adapters/state/dynamodb_state.py): Slack event claims,
        # conversation turns, answer records, R&G sessions, fair-use counters. Short-lived items that
        # DynamoDB's TTL deletes; a table of its own so they never reach the config table's stream.
        self.state_table = dynamodb.Table(
            self,
            "StateTable",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=STATE_TTL_ATTRIBUTE,
            removal_policy=RemovalPolicy.DESTROY,  # nothing in it outlives a week
        )

        self.dead_letters = sqs.Queue(
            self,
            "WorkDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.work_queue = sqs.Queue(
            self,
            "WorkQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.minutes(5),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letters, max_receive_count=3),
        )

        self.slack_secret = self._placeholder_secret(
            "SlackSecret", "slack", SLACK_KEYS, "Slack app credentials for kbot"
        )
        self.teams_secret = self._placeholder_secret(
            "TeamsSecret", "teams", TEAMS_KEYS, "Microsoft Bot Framework (Teams) credentials for kbot"
        )
        self.sources_secret = secretsmanager.Secret(
            self,
            "SourcesSecret",
            # One secret per credential under {name}/sources/ (the worker may read that prefix); a
            # source setting references it by ARN and the app reads its "value" key.
            secret_name=f"{config.name}/sources/default",
            description="A source credential (SharePoint, Confluence, MediaWiki); referenced by ARN",
            secret_object_value={"value": SecretValue.unsafe_plain_text("REPLACE_ME")},
        )
        for secret in (self.slack_secret, self.teams_secret, self.sources_secret):
            acknowledge(
                secret,
                "AwsSolutions-SMG4",
                "Third-party credentials (Slack, Microsoft, source tokens) are rotated in the issuing "
                "system by an admin, then stored here; there is no rotation Lambda for them.",
            )

        self.web_log_group = log_group(self, "WebLogs", config, "web")
        self.web_task = self._web_task(knowledge)
        self.load_balancer, self.service = self._web_service()
        CfnOutput(self, "Endpoint", value=self.endpoint_url)
        CfnOutput(self, "ConfigTableName", value=self.table.table_name)
        CfnOutput(self, "WorkQueueUrl", value=self.work_queue.queue_url)

    @property
    def endpoint_url(self) -> str:
        scheme = "https" if self.config.certificate_arn else "http"
        return f"{scheme}://{self.load_balancer.load_balancer_dns_name}"

    # --- network ---------------------------------------------------------------------------
    def _vpc(self) -> ec2.Vpc:
        flow_logs = log_group(self, "VpcFlowLogs", self.config, "vpc-flow")
        vpc = ec2.Vpc(
            self,
            "Vpc",
            availability_zones=list(self.config.availability_zones),
            nat_gateways=self.config.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22),
            ],
            flow_logs={
                "all": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
                    traffic_type=ec2.FlowLogTrafficType.REJECT,
                )
            },
        )
        # Keep S3 and DynamoDB traffic off the NAT gateway (cheaper, and it never leaves AWS).
        vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        vpc.add_gateway_endpoint("DynamoDb", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB)
        return vpc

    def _placeholder_secret(self, construct_id: str, name: str, keys: tuple[str, ...], description: str):
        """A JSON secret whose keys ECS injects as env vars; values are set after deploy (README.md "Deploy to AWS")."""
        return secretsmanager.Secret(
            self,
            construct_id,
            secret_name=f"{self.config.name}/{name}",
            description=description,
            secret_object_value={key: SecretValue.unsafe_plain_text("REPLACE_ME") for key in keys},
        )

    # --- web -------------------------------------------------------------------------------
    def _web_task(self, knowledge: KnowledgeStack) -> ecs.FargateTaskDefinition:
        config = self.config
        task = ecs.FargateTaskDefinition(
            self,
            "WebTask",
            cpu=config.web_cpu,
            memory_limit_mib=config.web_memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        environment = app_environment(config, knowledge, self.table)
        environment["PORT"] = str(WEB_PORT)
        environment["KBOT_WORK_QUEUE_URL"] = self.work_queue.queue_url
        environment["KBOT_STATE_TABLE"] = self.state_table.table_name
        environment["MICROSOFT_APP_TYPE"] = config.teams_app_type
        if config.experts_channel:
            environment["KBOT_EXPERTS_CHANNEL"] = config.experts_channel
        task.add_container(
            "web",
            image=app_image(),
            command=WEB_COMMAND,
            port_mappings=[ecs.PortMapping(container_port=WEB_PORT)],
            environment=environment,
            secrets=slack_teams_secrets(self.slack_secret, self.teams_secret),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="web", log_group=self.web_log_group),
            health_check=ecs.HealthCheck(command=["CMD-SHELL", HEALTHCHECK], start_period=Duration.seconds(60)),
            # SIGTERM -> `kbot serve` finishes acknowledged answers (shutdown budget) -> exit; SIGKILL after this.
            stop_timeout=Duration.seconds(WEB_STOP_TIMEOUT_SECONDS),
        )
        self._grant_web(task.task_role, knowledge)
        acknowledge_ecr_pull(task)
        acknowledge(
            task,
            "AwsSolutions-ECS2",
            "Only non-secret settings (ids, names, model ids) are plain env; every credential "
            "is injected from Secrets Manager through the task definition's secrets.",
        )
        return task

    def _grant_web(self, role: iam.IRole, knowledge: KnowledgeStack) -> None:
        config = self.config
        models = sorted(
            {
                *bedrock_model_arns(config.model_id, config.region, config.account),
                *bedrock_model_arns(config.fast_model_id, config.region, config.account),
            }
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="AnswerWithModels",
                actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                resources=models,
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="RetrieveFromKnowledgeBase",
                actions=["bedrock:Retrieve", "bedrock:RetrieveAndGenerate"],
                resources=[knowledge.knowledge_base.attr_knowledge_base_arn],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ApplyGuardrail",
                actions=["bedrock:ApplyGuardrail"],
                resources=[knowledge.guardrail.attr_guardrail_arn],
            )
        )
        if knowledge.agent_alias is not None:
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid="InvokeAgent",
                    actions=["bedrock:InvokeAgent"],
                    resources=[knowledge.agent_alias.attr_agent_alias_arn],
                )
            )
        self.table.grant_read_write_data(role)
        self.state_table.grant_read_write_data(role)
        self.work_queue.grant_send_messages(role)
        acknowledge_profile_wildcards(role, config, [config.model_id, config.fast_model_id])

    def _web_service(self) -> tuple[elbv2.ApplicationLoadBalancer, ecs.FargateService]:
        config = self.config
        alb_sg = ec2.SecurityGroup(
            self,
            "LoadBalancerSg",
            vpc=self.vpc,
            allow_all_outbound=False,
            description="kbot endpoint: Slack and Teams call in over HTTPS",
        )
        port = 443 if config.certificate_arn else 80
        alb_sg.add_ingress_rule(ec2.Peer.ipv4(config.ingress_cidr), ec2.Port.tcp(port), "Slack/Teams webhooks")
        if config.ingress_cidr == "0.0.0.0/0":
            acknowledge(
                alb_sg,
                "AwsSolutions-EC23",
                "Slack and Microsoft Bot Framework call the endpoint from the internet; every "
                "request is authenticated by the app (Slack signing secret, Bot Framework JWT).",
            )
        alb = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=self.vpc,
            internet_facing=True,
            security_group=alb_sg,
            drop_invalid_header_fields=True,
            idle_timeout=Duration.seconds(120),
        )
        alb.log_access_logs(self.knowledge.log_bucket, prefix="alb")

        service_sg = ec2.SecurityGroup(self, "WebSg", vpc=self.vpc, description="kbot web tasks")
        service = ecs.FargateService(
            self,
            "WebService",
            cluster=self.cluster,
            task_definition=self.web_task,
            desired_count=config.web_min_tasks,
            security_groups=[service_sg],
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            health_check_grace_period=Duration.seconds(90),
            min_healthy_percent=100,
        )

        if config.certificate_arn:
            listener = alb.add_listener(
                "Https",
                port=443,
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                open=False,
                certificates=[acm.Certificate.from_certificate_arn(self, "Cert", config.certificate_arn)],
            )
        else:
            # Slack and Teams only call HTTPS URLs: plain HTTP is for smoke tests or a TLS proxy in front.
            Annotations.of(self).add_warning_v2(
                "kbot:no-certificate",
                "No certificate_arn: the endpoint is HTTP only; Slack and Teams need HTTPS.",
            )
            listener = alb.add_listener("Http", port=80, open=False)
        target_group = listener.add_targets(
            "Web",
            port=WEB_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[service],
            health_check=elbv2.HealthCheck(path=LIVENESS_PATH, healthy_http_codes="200"),
            deregistration_delay=Duration.seconds(30),
        )
        # Tasks mostly wait on Bedrock, so CPU barely moves under load: scale on requests per task
        # (ALBRequestCountPerTarget, per minute). Replicas share their chat state (StateTable).
        scaling = service.auto_scale_task_count(min_capacity=config.web_min_tasks, max_capacity=config.web_max_tasks)
        scaling.scale_on_request_count(
            "Requests",
            requests_per_target=config.web_requests_per_target,
            target_group=target_group,
            scale_in_cooldown=Duration.seconds(300),
            scale_out_cooldown=Duration.seconds(60),
        )
        return alb, service
