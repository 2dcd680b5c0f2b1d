from bot.answering.legacy import LegacyExtractiveAnswerer as ExtractiveAnswerer, NOT_FOUND, retrieval_query  # noqa
