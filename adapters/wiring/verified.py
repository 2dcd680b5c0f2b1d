"""Verified answers in the composition root: their repository and the answerer decorator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.ports import Answerer, Embedder
from bot.verified.answering import VerifiedMatcher, verified_first
from bot.verified.ports import VerifiedRepository

if TYPE_CHECKING:
    from adapters.wiring.app import App


def build_verified_repo(app: App) -> VerifiedRepository:
    """The config table on AWS, else the SQLite store's file (like the rest of the configuration)."""
    settings = app.settings
    if settings.kbot_config_table:
        from adapters.config_store.dynamodb_verified import DynamoVerifiedRepository

        return DynamoVerifiedRepository(
            settings.kbot_config_table,
            region=settings.aws_region,
            profile=settings.aws_profile,
            max_attempts=settings.bedrock_max_attempts,
        )
    from adapters.config_store.sqlite_verified import SqliteVerifiedRepository

    return SqliteVerifiedRepository(settings.kbot_db)


def with_verified_answers(app: App, answerer: Answerer) -> Answerer:
    """Every front end's answers start with a matching verified answer (bot.verified.answering)."""

    def embedder() -> Embedder | None:
        return app.embedder if app.settings.kbot_backend == "embedded" else None

    matcher = VerifiedMatcher(
        lambda: app.retriever,
        app.verified_repo,
        embedder=embedder,
        min_similarity=app.settings.kbot_verified_min_similarity,
    )
    return verified_first(answerer, matcher)
