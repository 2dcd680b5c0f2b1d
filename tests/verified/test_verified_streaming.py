"""Streaming backends: the verified part streams first and the final Answer carries both parts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from adapters.wiring import App, AppOverrides
from bot.admin.models import Actor
from bot.conversation.ask import AskResult
from bot.models import Answer, Citation, Question
from bot.ports import AnswerDelta
from bot.settings import load_settings
from tests.fakes import HashEmbedder
from tests.verified.support import ANSWER, PARAPHRASE, QUESTION, ask


class StreamingDocs:
    async def answer(self, question: Question) -> Answer:
        return Answer("Leave is in the handbook [1].", True, [Citation("HR", "https://hr.example.com", "x", 0.5)])

    async def stream(self, question: Question) -> AsyncIterator[AnswerDelta | Answer]:
        yield AnswerDelta("Leave is in ")
        yield AnswerDelta("the handbook [1].")
        yield await self.answer(question)


async def test_streamed_answer_starts_with_the_verified_answer(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, kbot_db=tmp_path / "k.db")
    app = App(settings, AppOverrides(embedder=HashEmbedder(), answerer=StreamingDocs()))
    assert app.ask.streams
    await app.verified.save(Actor("ops", "cli"), question=QUESTION, answer=ANSWER, expert="dana")
    prepared = await app.ask.prepare(ask(PARAPHRASE))
    items = [item async for item in app.ask.stream(prepared)]
    deltas = [i.text for i in items if isinstance(i, AnswerDelta)]
    assert deltas[0].startswith("✅ **Verified by @dana on ") and ANSWER in deltas[0]
    final = items[-1]
    assert isinstance(final, AskResult)
    assert final.answer.text.endswith("Leave is in the handbook [2].")
    assert [c.uri for c in final.answer.citations][1:] == ["https://hr.example.com"]
    await app.aclose()
