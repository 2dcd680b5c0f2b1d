"""Summary units (one sentence of one message) and input checks, streamed in bounded windows."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.errors import InputError
from bot.models import Conversation
from bot.summarizing.email_text import clean_body
from bot.summarizing.sentences import has_words, split_sentences, word_count

T = TypeVar("T")


@dataclass(slots=True)
class Unit:
    text: str
    author: str
    message: int  # index of the message in the conversation
    link: str | None
    words: int
    position: int = 0  # sentence index within its message


@dataclass(slots=True)
class InputStats:
    """What the unit stream saw, to explain an empty result to the user."""

    messages: int = 0
    bot_messages: int = 0
    units: int = 0
    authors: set[str] = field(default_factory=set)

    def raise_if_empty(self) -> None:
        if self.units:
            return
        if self.messages == 0:
            raise InputError("nothing to summarize: the thread is empty")
        if self.bot_messages == self.messages:
            raise InputError("nothing to summarize: the thread only has bot messages")
        raise InputError("nothing to summarize: the messages have no text (only emoji, reactions or files)")


def iter_units(conversation: Conversation, stats: InputStats) -> Iterator[Unit]:
    """Sentences of human messages that carry words; bot messages and emoji-only lines are skipped."""
    for index, message in enumerate(conversation.messages):
        stats.messages += 1
        if message.is_bot:
            stats.bot_messages += 1
            continue
        text = clean_body(message.text) if conversation.kind == "email" else message.text
        position = 0
        for sentence in split_sentences(text):
            if not has_words(sentence):
                continue
            stats.units += 1
            stats.authors.add(message.author)
            yield Unit(sentence, message.author, index, message.link, word_count(sentence), position)
            position += 1


def windows(units: Iterator[Unit], size: int) -> Iterator[list[Unit]]:
    """Consecutive windows of at most ``size`` units (the map step of map-reduce)."""
    while batch := list(itertools.islice(units, size)):
        yield batch


class TopK(Generic[T]):
    """Keeps the ``k`` best-scored items seen so far (bounded memory for long threads)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._heap: list[tuple[float, int, T]] = []
        self._seq = itertools.count()

    def push(self, score: float, item: T) -> None:
        entry = (score, next(self._seq), item)
        if len(self._heap) < self.k:
            heapq.heappush(self._heap, entry)
        elif score > self._heap[0][0]:
            heapq.heapreplace(self._heap, entry)

    def in_order(self) -> list[T]:
        """Items in the order they were pushed (chronological for a conversation)."""
        return [item for _, _, item in sorted(self._heap, key=lambda e: e[1])]

    def __len__(self) -> int:
        return len(self._heap)
