"""Observability stack: log-derived metrics, a CloudWatch dashboard and alarms to an SNS topic.

App metrics come from the JSON log lines kbot writes (``adapters/logs.py``: ``extra={"kb_x": ...}``
becomes field ``x``). The fields read, also listed in README.md "Deploy to AWS":

* every Bedrock call (``adapters/bedrock/calls.py``): ``input_tokens``, ``output_tokens``;
* every finished source sync (``ingest/worker.py``): ``source``, ``seen``, ``failures``;
* every answer: ``{"event": "answer", "latency_ms": 812}``;
* every source sync, when known: ``lag_seconds`` (age of the newest change picked up);
* every guardrail intervention (``adapters/bedrock/converse.py``): ``{"event": "guardrail_intervened"}``;
* any line with ``"level": "ERROR"`` (or CRITICAL) counts as an error.

Bedrock throttling comes from Bedrock's own ``AWS/Bedrock`` ``InvocationThrottles`` metric, per model
id of the deployment (the same ids the IAM policies are generated from).
"""

from __future__ import annotations

from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.config import DeployConfig
from infra.stacks.bot import BotStack
from infra.stacks.ingest import IngestStack

NAMESPACE = "Kbot"
FIVE_MINUTES = Duration.minutes(5)


class ObservabilityStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        bot: BotStack,
        ingest: IngestStack,
        env: Environment,
    ) -> None:
        super().__init__(scope, construct_id, env=env)
        self.config = config
        self.topic = self._alarm_topic()
        web, worker = bot.web_log_group, ingest.log_group

        answers = self._log_metric(web, "Answers", '{ $.event = "answer" }', "1")
        latency = self._log_metric(
            web, "AnswerLatency", '{ $.event = "answer" }', "$.latency_ms", unit=cw.Unit.MILLISECONDS
        )
        # Numeric comparisons only match lines that carry the field as a number.
        tokens_in = self._log_metric(web, "InputTokens", "{ $.input_tokens >= 0 }", "$.input_tokens")
        tokens_out = self._log_metric(web, "OutputTokens", "{ $.output_tokens >= 0 }", "$.output_tokens")
        web_errors = self._log_metric(web, "WebErrors", '{ $.level = "ERROR" || $.level = "CRITICAL" }', "1")
        worker_errors = self._log_metric(worker, "WorkerErrors", '{ $.level = "ERROR" || $.level = "CRITICAL" }', "1")
        ingest_lag = self._log_metric(
            worker, "IngestLag", "{ $.lag_seconds >= 0 }", "$.lag_seconds", unit=cw.Unit.SECONDS
        )
        synced_docs = self._log_metric(worker, "DocumentsSeen", "{ $.seen >= 0 }", "$.seen")
        interventions = self._log_metric(web, "GuardrailInterventions", '{ $.event = "guardrail_intervened" }', "1")
        throttles = cw.MathExpression(
            expression=" + ".join(f"m{i}" for i in range(len(self._model_ids()))),
            label="Bedrock invocation throttles",
            period=FIVE_MINUTES,
            using_metrics={
                f"m{i}": cw.Metric(
                    namespace="AWS/Bedrock", metric_name="InvocationThrottles", dimensions_map={"ModelId": model},
                    statistic="Sum", period=FIVE_MINUTES,
                )
                for i, model in enumerate(self._model_ids())
            },
        )

        alb_5xx = bot.load_balancer.metrics.http_code_target(
            code=elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=FIVE_MINUTES, statistic="Sum"
        )
        dlq_depth = bot.dead_letters.metric_approximate_number_of_messages_visible(
            period=FIVE_MINUTES, statistic="Maximum"
        )
        queue_depth = bot.work_queue.metric_approximate_number_of_messages_visible(
            period=FIVE_MINUTES, statistic="Maximum"
        )
        machine = ingest.state_machine
        ingest_failed = cw.MathExpression(
            expression="failed + timedout + aborted",
            label="Ingest executions not succeeded",
            period=FIVE_MINUTES,
            using_metrics={
                "failed": machine.metric_failed(period=FIVE_MINUTES, statistic="Sum"),
                "timedout": machine.metric_timed_out(period=FIVE_MINUTES, statistic="Sum"),
                "aborted": machine.metric_aborted(period=FIVE_MINUTES, statistic="Sum"),
            },
        )

        self.alarms = [
            self._alarm(
                "WebErrorsAlarm",
                web_errors.with_(statistic="Sum", period=FIVE_MINUTES),
                5,
                "The chat endpoint logged errors",
            ),
            self._alarm(
                "WorkerErrorsAlarm",
                worker_errors.with_(statistic="Sum", period=FIVE_MINUTES),
                5,
                "The ingest worker logged errors",
            ),
            self._alarm("Http5xxAlarm", alb_5xx, 5, "The chat endpoint answered with HTTP 5xx"),
            self._alarm(
                "AnswerLatencyAlarm",
                latency.with_(statistic="p90", period=FIVE_MINUTES),
                config.latency_alarm_seconds * 1000,
                "p90 answer latency is high",
                periods=3,
            ),
            self._alarm("DeadLetterAlarm", dlq_depth, 1, "Work items landed in the dead-letter queue"),
            self._alarm("IngestFailedAlarm", ingest_failed, 1, "An ingest run failed for at least one source"),
            self._alarm(
                "IngestLagAlarm",
                ingest_lag.with_(statistic="Maximum", period=Duration.hours(2)),  # hourly runs + jitter
                config.ingest_lag_alarm_hours * 3600,
                "Knowledge is stale: ingest lag is high, or no sync has reported for an hour",
                missing=cw.TreatMissingData.BREACHING,  # syncs that stop reporting are the worst staleness
            ),
            self._alarm("BedrockThrottlesAlarm", throttles, 10, "Bedrock is throttling model invocations"),
            self._alarm(
                "GuardrailInterventionsAlarm",
                interventions.with_(statistic="Sum", period=FIVE_MINUTES),
                5,
                "The guardrail blocked several questions or answers (abuse, or filters too strict)",
            ),
        ]

        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"{config.name}-overview")
        dashboard.add_widgets(
            cw.GraphWidget(title="Answers", left=[answers.with_(statistic="Sum", period=FIVE_MINUTES)]),
            cw.GraphWidget(
                title="Answer latency (ms)",
                left=[
                    latency.with_(statistic="p50", period=FIVE_MINUTES, label="p50"),
                    latency.with_(statistic="p90", period=FIVE_MINUTES, label="p90"),
                ],
            ),
            cw.GraphWidget(
                title="Errors",
                left=[
                    web_errors.with_(statistic="Sum", period=FIVE_MINUTES, label="web errors"),
                    worker_errors.with_(statistic="Sum", period=FIVE_MINUTES, label="worker errors"),
                    alb_5xx.with_(label="HTTP 5xx"),
                ],
            ),
            cw.GraphWidget(
                title="Tokens",
                left=[
                    tokens_in.with_(statistic="Sum", period=FIVE_MINUTES, label="input"),
                    tokens_out.with_(statistic="Sum", period=FIVE_MINUTES, label="output"),
                ],
            ),
        )
        dashboard.add_widgets(
            cw.GraphWidget(title="Ingest lag (s)", left=[ingest_lag.with_(statistic="Maximum", period=FIVE_MINUTES)]),
            cw.GraphWidget(
                title="Ingest runs",
                left=[
                    machine.metric_succeeded(period=FIVE_MINUTES, statistic="Sum", label="succeeded"),
                    ingest_failed,
                ],
                right=[synced_docs.with_(statistic="Sum", period=FIVE_MINUTES, label="documents seen")],
            ),
            cw.GraphWidget(
                title="Work queue",
                left=[queue_depth.with_(label="queued"), dlq_depth.with_(label="dead letters")],
            ),
            cw.AlarmStatusWidget(title="Alarms", alarms=self.alarms),
        )

    def _alarm_topic(self) -> sns.Topic:
        key = kms.Key(self, "AlarmTopicKey", enable_key_rotation=True, description="Encrypts kbot alarm notifications")
        # CloudWatch must be able to publish to the encrypted topic.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        topic = sns.Topic(self, "Alarms", master_key=key, enforce_ssl=True, display_name="kbot alarms")
        if self.config.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(self.config.alarm_email))
        return topic

    def _log_metric(
        self, group: logs.ILogGroup, name: str, pattern: str, value: str, unit: cw.Unit | None = None
    ) -> cw.Metric:
        metric_filter = logs.MetricFilter(
            self,
            f"{name}Filter",
            log_group=group,
            metric_namespace=NAMESPACE,
            metric_name=name,
            filter_pattern=logs.FilterPattern.literal(pattern),
            metric_value=value,
            unit=unit,
        )
        return metric_filter.metric()

    def _model_ids(self) -> list[str]:
        return sorted({self.config.model_id, self.config.fast_model_id})

    def _alarm(
        self,
        construct_id: str,
        metric: cw.IMetric,
        threshold: float,
        description: str,
        periods: int = 1,
        missing: cw.TreatMissingData = cw.TreatMissingData.NOT_BREACHING,
    ) -> cw.Alarm:
        alarm = cw.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=missing,
            alarm_description=description,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        return alarm
