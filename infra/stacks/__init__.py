"""The four kbot stacks: knowledge, bot, ingest, observability."""
