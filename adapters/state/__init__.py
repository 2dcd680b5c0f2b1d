"""Shared conversation state (``bot.state.ConversationState``): SQLite or DynamoDB."""
