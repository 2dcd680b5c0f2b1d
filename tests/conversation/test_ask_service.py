"""AskService rules every front end inherits: limits, access, narrowing, streaming order, hooks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from bot.conversation.access import Access, AccessContext
from bot.conversation.ask import (
    MAX_QUESTION_CHARS,
    AskRequest,
    AskResult,
    AskService,
    EmptyQuestion,
    QuestionTooLong,
)
from bot.models import Answer, Asker, Question, Turn
from bot.ports import AnswerDelta


class RecordingAccess:
    """Allows ``handbook`` and ``ops``; records what it was asked."""

    def __init__(self, ephemeral: bool = False) -> None:
        self.calls: list[tuple[str, AccessContext, Sequence[str] | None]] = []
        self.ephemeral = ephemeral

    async def resolve(
        self,
        *,
        user_id: str,
        email: str | None = None,
        display_name: str | None = None,
        context: AccessContext,
        known_groups: Sequence[str] | None = None,
    ) -> Access:
        self.calls.append((user_id, context, known_groups))
        groups = list(known_groups) if known_groups is not None else ["staff"]
        return Access(Asker(user_id, email, groups), ["handbook", "ops"], ephemeral=self.ephemeral)


class Echo:
    def __init__(self) -> None:
        self.questions: list[Question] = []

    async def answer(self, question: Question) -> Answer:
        self.questions.append(question)
        return Answer(f"re: {question.text}", grounded=True)


class StreamingEcho(Echo):
    async def stream(self, question: Question) -> AsyncIterator[AnswerDelta | Answer]:
        yield AnswerDelta("re: ")
        yield AnswerDelta(question.text)
        yield await self.answer(question)


class BrokenLog:
    async def answered(self, request: AskRequest, question: Question, answer: Answer) -> None:
        raise RuntimeError("audit store down")


def request(text: str = "  What is the leave policy?  ", **kw: object) -> AskRequest:
    return AskRequest(text, "slack", "U1", **kw)  # type: ignore[arg-type]


async def test_question_carries_access_history_and_conversation() -> None:
    echo, access = Echo(), RecordingAccess()
    history = [Turn("user", "hi"), Turn("assistant", "hello")]
    result = await AskService(echo, access).ask(
        request(channel_id="C1", is_direct=False, history=history, conversation_id="t1")
    )
    [question] = echo.questions
    assert question.text == "What is the leave policy?" and question.sources == ["handbook", "ops"]
    assert question.asker.groups == ["staff"] and question.history == history and question.conversation_id == "t1"
    [(user, context, known)] = access.calls
    assert user == "U1" and context.channel_id == "C1" and not context.is_direct and known is None
    assert result.answer.text == "re: What is the leave policy?"


@pytest.mark.parametrize(("text", "error"), [("x" * (MAX_QUESTION_CHARS + 1), QuestionTooLong), (" \n", EmptyQuestion)])
async def test_bad_questions_are_refused_before_access_or_answering(text: str, error: type[Exception]) -> None:
    echo, access = Echo(), RecordingAccess()
    with pytest.raises(error) as raised:
        await AskService(echo, access).ask(request(text))
    assert raised.value.user_message and not echo.questions and not access.calls  # type: ignore[attr-defined]


async def test_stated_sources_narrow_but_never_widen() -> None:
    echo = Echo()
    await AskService(echo, RecordingAccess()).ask(request(sources=["ops", "eng-docs"], groups=["eng"]))
    assert echo.questions[0].sources == ["ops"] and echo.questions[0].asker.groups == ["eng"]


async def test_stream_yields_deltas_then_the_result_and_prepare_reports_ephemeral() -> None:
    service = AskService(StreamingEcho(), RecordingAccess(ephemeral=True))
    prepared = await service.prepare(request("hi"))
    assert service.streams and prepared.ephemeral
    items = [item async for item in service.stream(prepared)]
    assert [i.text for i in items[:-1] if isinstance(i, AnswerDelta)] == ["re: ", "hi"]
    assert isinstance(items[-1], AskResult) and items[-1].answer.text == "re: hi"


async def test_a_failing_answer_log_never_loses_the_answer(caplog: pytest.LogCaptureFixture) -> None:
    result = await AskService(Echo(), RecordingAccess(), answer_log=BrokenLog()).ask(request("hi"))
    assert result.answer.text == "re: hi" and "answer log failed" in caplog.text


async def test_every_answer_is_metered(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="kbot.answers")
    await AskService(Echo(), RecordingAccess()).ask(request("hi"))
    [record] = [r for r in caplog.records if r.name == "kbot.answers"]
    assert record.kb_event == "answer"  # type: ignore[attr-defined]
