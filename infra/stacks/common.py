"""Helpers shared by the stacks: Bedrock ARNs, log groups and justified cdk-nag suppressions."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, RemovalPolicy, Validations
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from infra.config import DeployConfig

NAG_PACK = "AwsSolutions"

# Cross-region inference profiles carry a geography prefix; the model behind them may run in any
# region of that geography, so the caller needs the profile ARN plus the model in every region.
_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global.")


def bedrock_model_arns(model_id: str, region: str, account: str, partition: str = Aws.PARTITION) -> list[str]:
    """The ARNs ``bedrock:InvokeModel*`` must allow for ``model_id`` (a model or inference profile)."""
    prefix = next((p for p in _PROFILE_PREFIXES if model_id.startswith(p)), None)
    if prefix is None:
        return [f"arn:{partition}:bedrock:{region}::foundation-model/{model_id}"]
    base = model_id[len(prefix) :]
    return [
        f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{model_id}",
        f"arn:{partition}:bedrock:*::foundation-model/{base}",
    ]


def log_group(scope: Construct, construct_id: str, config: DeployConfig, name: str) -> logs.LogGroup:
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=f"/{config.name}/{name}",
        retention=_RETENTION_BY_DAYS[config.log_retention_days],
        removal_policy=RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY,
    )


_RETENTION_BY_DAYS = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Acknowledge (suppress) one cdk-nag finding on ``construct`` and its children, reason in code.

    ``finding`` is a rule id, or ``Rule[FindingId]`` for rules that report several findings (IAM5).
    The pack-qualified id makes the acknowledgment, with its reason, appear in the validation report.
    """
    Validations.of(construct).acknowledge(Acknowledgment(id=f"{NAG_PACK}::{finding}", reason=reason))


def acknowledge_profile_wildcards(role: IConstruct, config: DeployConfig, model_ids: list[str]) -> None:
    """Justify the region wildcard that cross-region inference profiles need (cdk-nag IAM5)."""
    for model_id in model_ids:
        for arn in bedrock_model_arns(model_id, config.region, config.account, partition="<AWS::Partition>"):
            if ":*::" in arn:
                acknowledge(
                    role,
                    f"AwsSolutions-IAM5[Resource::{arn}]",
                    "A cross-region inference profile may route to its model in any region of the "
                    "profile's geography; the model id itself is pinned.",
                )


def acknowledge_ecr_pull(task: Construct) -> None:
    """``ecr:GetAuthorizationToken`` has no resource-level permissions; CDK grants it on ``*``."""
    execution_role = task.node.try_find_child("ExecutionRole")
    if execution_role is not None:
        acknowledge(
            execution_role,
            "AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken does not support resource-level permissions; image pulls "
            "themselves are scoped to the CDK asset repository.",
        )
