"""A never-abstaining baseline for ``kbot eval answers``: the top passage's best sentence, cited."""

from __future__ import annotations

from bot.models import Answer, Citation, Question
from bot.ports import Retriever
from bot.text import content_words, split_sentences, stem


class TopPassageBaseline:
    """Answers every question with the sentence of the top-1 retrieved passage that shares the
    most content words with the question (ties: the earliest). Never says "not found"."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    async def answer(self, question: Question) -> Answer:
        passages = await self.retriever.retrieve(question.text, k=1)
        if not passages:
            return Answer(text="", grounded=False)
        top = passages[0]
        asked = {stem(w) for w in content_words(question.text)}
        sentences = split_sentences(top.text) or [top.text]
        best = max(sentences, key=lambda s: len(asked & {stem(w) for w in content_words(s)}))
        cite = Citation(title=top.title, uri=top.uri, snippet=best[:300], score=top.score)
        return Answer(text=f"{best} [1]", grounded=True, citations=[cite])
