"""CDK entry point: ``cdk synth|deploy`` in ``infra/`` runs ``python -m infra.app`` (see cdk.json)."""

from __future__ import annotations

import os
import sys

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.config import DeployConfig, InfraConfigError
from infra.stacks.bot import BotStack
from infra.stacks.ingest import IngestStack
from infra.stacks.knowledge import KnowledgeStack
from infra.stacks.observability import ObservabilityStack

# Set here (not only in cdk.json) so tests that build their own App synthesize the same templates.
FEATURE_FLAGS = {
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,  # bucket policy, not legacy ACLs
}


def build_app(config: DeployConfig, app: cdk.App | None = None) -> cdk.App:
    """Add the four kbot stacks (and the cdk-nag AwsSolutions checks) to ``app``."""
    app = app or cdk.App()
    for flag, value in FEATURE_FLAGS.items():
        app.node.set_context(flag, value)
    env = cdk.Environment(account=config.account, region=config.region)
    prefix = _title(config.name)
    knowledge = KnowledgeStack(app, f"{prefix}Knowledge", config=config, env=env)
    bot = BotStack(app, f"{prefix}Bot", config=config, knowledge=knowledge, env=env)
    ingest = IngestStack(app, f"{prefix}Ingest", config=config, knowledge=knowledge, bot=bot, env=env)
    ObservabilityStack(app, f"{prefix}Observability", config=config, bot=bot, ingest=ingest, env=env)
    for tag, tag_value in {"app": config.name, **config.extra_tags}.items():
        cdk.Tags.of(app).add(tag, tag_value)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def _title(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def main() -> int:
    app = cdk.App()
    try:
        config = DeployConfig.from_context(
            app.node.try_get_context("kbot"),
            os.environ.get("CDK_DEFAULT_ACCOUNT"),
            os.environ.get("CDK_DEFAULT_REGION"),
        )
    except (InfraConfigError, ValueError, TypeError) as exc:  # bad JSON or a wrongly typed value
        print(f"kbot infra: error: {exc}", file=sys.stderr)
        return 2
    build_app(config, app).synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
