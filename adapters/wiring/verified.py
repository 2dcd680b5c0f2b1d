"""Verified answers in the composition root: their repository and the answerer decorator.

Takes parts, not the App (no module imports the App back)."""

from __future__ import annotations

from collections.abc import Callable

from bot.ports import Answerer, Embedder, Retriever
from bot.settings import Settings
from bot.verified.answering import VerifiedMatcher, verified_first
from bot.verified.ports import VerifiedRepository


def build_verified_repo(settings: Settings) -> VerifiedRepository:
    """The config table on AWS, else the SQLite store's file (like the rest of the configuration)."""
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


def with_verified_answers(
    answerer: Answerer,
    *,
    settings: Settings,
    retriever: Callable[[], Retriever],
    repo: VerifiedRepository,
    embedder: Callable[[], Embedder],
) -> Answerer:
    """Every front end's answers start with a matching verified answer (bot.verified.answering).
    The embedded backend compares questions with its embedder; Bedrock uses the retriever's score."""

    def question_embedder() -> Embedder | None:
        return embedder() if settings.kbot_backend == "embedded" else None

    matcher = VerifiedMatcher(
        retriever, repo, embedder=question_embedder, min_similarity=settings.kbot_verified_min_similarity
    )
    return verified_first(answerer, matcher)
