"""The word-vector caches of the reader, the answerability and the contrast check stay usable once full.

Each keeps word vectors across questions and empty their cache past a size limit; a word that was
cached before the limit was passed must still be found afterwards (it is embedded again).
"""

from __future__ import annotations

from bot.answering.answerability import AnswerabilityCheck
from bot.answering.reader import SpanReader
from bot.answering.word_vectors import WORD_CACHE as LIMIT
from bot.answering.word_vectors import WordVectors
from tests.fakes import HashEmbedder


def _fresh_words(batch: int, n: int) -> str:
    return " ".join(f"w{batch}x{j}" for j in range(n))


async def test_the_answerability_check_keeps_working_past_its_cache_limit() -> None:
    check = AnswerabilityCheck(HashEmbedder())
    for batch in range(LIMIT // 60 + 3):  # every body adds 60 new words; the asked term is cached once
        await check.check("what's the deductible?", _fresh_words(batch, 60), "no number here")


async def test_the_reader_synonym_test_keeps_working_past_its_cache_limit() -> None:
    reader = SpanReader(HashEmbedder())
    for batch in range(LIMIT // 40 + 3):
        await reader._synonym_in("bicycle", _fresh_words(batch, 40))


async def test_a_word_cached_before_the_cache_was_emptied_is_embedded_again() -> None:
    embedder = HashEmbedder()
    vectors = WordVectors(embedder, limit=2)
    await vectors.embed(["pet", "child", "birth"])  # over the limit
    await vectors.embed(["pet", "grandmother"])  # one new word: the cache starts again
    assert vectors["pet"] @ vectors["pet"] > 0.99
    assert embedder.texts_embedded == 5  # "pet" twice
    await vectors.embed(["pet", "grandmother"])  # all cached: nothing embedded
    assert embedder.texts_embedded == 5
