"""Builds the shared conversation state the settings ask for."""

from __future__ import annotations

from bot.settings import Settings
from bot.state import ConversationState


def build_state(settings: Settings) -> ConversationState:
    """DynamoDB when a state (or config) table is configured, else the SQLite file ``KBOT_DB``."""
    table = settings.kbot_state_table or settings.kbot_config_table
    if table:
        from adapters.state.dynamodb_state import DynamoConversationState

        return DynamoConversationState(
            table,
            region=settings.aws_region,
            profile=settings.aws_profile,
            max_attempts=settings.bedrock_max_attempts,
        )
    from adapters.state.sqlite_state import SqliteConversationState

    return SqliteConversationState(settings.kbot_db)
