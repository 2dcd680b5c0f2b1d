"""``AskService``: a person asks a question, from any front end.

Front ends only translate: payload -> :class:`AskRequest` -> :meth:`AskService.ask` (or
:meth:`~AskService.prepare` then :meth:`~AskService.answer`/:meth:`~AskService.stream` when they must
know where the answer may be shown before answering) -> reply. The service owns the length limit,
access (groups, enabled sources, channel scope), per-user fair use, the :class:`~bot.models.Question`,
metering and the answer/feedback hooks, so no front end can skip a rule.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.answering.metered import metered
from bot.conversation.access import Access, AccessContext, AccessResolver, MemberLookup
from bot.errors import InputError, KbotError
from bot.fair_use import FairUse, FairUseExceeded
from bot.models import Answer, Feedback, Question, Turn
from bot.ports import AnswerDelta, Answerer, FeedbackRecorder, StreamingAnswerer

MAX_QUESTION_CHARS = 4000
TOO_LONG = (
    f"That message is too long for me to answer (over {MAX_QUESTION_CHARS:,} characters). "
    "Please ask a shorter question."
)
log = logging.getLogger(__name__)

# The operator's own CLI is not counted for fair use (like its stated groups, it is trusted).
FAIR_USE_EXEMPT = frozenset({"cli"})
EMPTY_QUESTION = "Ask me a question and I'll look it up in the knowledge base."


class QuestionTooLong(InputError):
    def __init__(self) -> None:
        super().__init__(f"question over {MAX_QUESTION_CHARS} characters", user_message=TOO_LONG)


class EmptyQuestion(InputError):
    def __init__(self) -> None:
        super().__init__("empty question", user_message=EMPTY_QUESTION)


def question_problem(text: str) -> InputError | None:
    """Why ``text`` cannot be asked (for front ends that must answer synchronously, e.g. Slack's ack)."""
    if not text.strip():
        return EmptyQuestion()
    if len(text) > MAX_QUESTION_CHARS:
        return QuestionTooLong()
    return None


@dataclass(slots=True)
class AskRequest:
    """One question, as a front end received it.

    ``platform``/``channel_id``/``is_direct``/``private_reply``/``can_reply_privately``/``members`` say
    where it was asked (see :class:`bot.conversation.access.AccessContext`); ``members`` is the
    platform's on-demand lookup of the channel's people. ``groups`` and ``sources`` are for trusted
    front ends only (the operator's CLI): stated groups instead of the group resolver's, and a further
    narrowing of the allowed sources (never a widening). ``repeat``: a question already asked and
    counted (e.g. Slack's "share" re-answering an ``/ask``), not counted again for fair use.
    """

    text: str
    platform: str
    user_id: str
    email: str | None = None
    display_name: str | None = None
    channel_id: str | None = None
    is_direct: bool = True
    private_reply: bool = False
    can_reply_privately: bool = True
    members: MemberLookup | None = None
    history: Sequence[Turn] = ()
    conversation_id: str | None = None
    groups: Sequence[str] | None = None
    sources: Sequence[str] | None = None
    repeat: bool = False

    def context(self) -> AccessContext:
        return AccessContext(
            self.platform,
            self.channel_id,
            is_direct=self.is_direct,
            private_reply=self.private_reply,
            can_reply_privately=self.can_reply_privately,
            member_lookup=self.members,
        )


@dataclass(slots=True)
class PreparedAsk:
    """A checked question with its access decided, not answered yet."""

    request: AskRequest
    question: Question
    access: Access

    @property
    def ephemeral(self) -> bool:
        """Only the asker may see the answer (the channel's setting or a private reply)."""
        return self.access.ephemeral


@dataclass(slots=True)
class AskResult:
    question: Question
    answer: Answer
    access: Access


class AnswerLog(Protocol):
    """Told of every answer (e.g. an audit trail); failures here never lose the answer."""

    async def answered(self, request: AskRequest, question: Question, answer: Answer) -> None: ...


class AskService:
    def __init__(
        self,
        answerer: Answerer,
        access: AccessResolver,
        *,
        feedback: FeedbackRecorder | None = None,
        answer_log: AnswerLog | None = None,
        fair_use: FairUse | None = None,
    ) -> None:
        self.answerer = metered(answerer)  # one metric event per answer, whichever front end asked
        self.access = access
        self.fair_use = fair_use
        self.feedback = feedback
        self.answer_log = answer_log

    @property
    def streams(self) -> bool:
        """Whether :meth:`stream` yields text as it is generated (else it yields only the result)."""
        return isinstance(self.answerer, StreamingAnswerer)

    async def prepare(self, request: AskRequest) -> PreparedAsk:
        """Check the text, count it for fair use and decide access. Raises :class:`QuestionTooLong` /
        :class:`EmptyQuestion` / :class:`~bot.fair_use.FairUseExceeded` (all :class:`InputError`)."""
        problem = question_problem(request.text)
        if problem is not None:
            raise problem
        if self.fair_use is not None and not request.repeat and request.platform not in FAIR_USE_EXEMPT:
            if not await self.fair_use.allow(f"{request.platform}:{request.user_id}"):
                raise FairUseExceeded()
        access = await self.access.resolve(
            user_id=request.user_id,
            email=request.email,
            display_name=request.display_name,
            context=request.context(),
            known_groups=request.groups,
        )
        if request.sources is not None:
            wanted = list(dict.fromkeys(request.sources))
            access.sources = wanted if access.sources is None else [s for s in wanted if s in access.sources]
        question = access.question(
            request.text.strip(), history=request.history, conversation_id=request.conversation_id
        )
        return PreparedAsk(request, question, access)

    async def answer(self, prepared: PreparedAsk) -> AskResult:
        answer = await self.answerer.answer(prepared.question)
        return await self._done(prepared, answer)

    async def stream(self, prepared: PreparedAsk) -> AsyncIterator[AnswerDelta | AskResult]:
        """Text deltas as they are generated (streaming backends), then the :class:`AskResult` (last)."""
        if not isinstance(self.answerer, StreamingAnswerer):
            yield await self.answer(prepared)
            return
        final: Answer | None = None
        async for item in self.answerer.stream(prepared.question):
            if isinstance(item, Answer):
                final = item
            else:
                yield item
        if final is None:
            raise KbotError("streaming answerer ended without a final Answer")
        yield await self._done(prepared, final)

    async def ask(self, request: AskRequest) -> AskResult:
        return await self.answer(await self.prepare(request))

    async def record_feedback(self, feedback: Feedback) -> None:
        if self.feedback is None:
            raise KbotError("no feedback store", user_message="Sorry, feedback isn't saved here.")
        await self.feedback.record_feedback(feedback)

    async def _done(self, prepared: PreparedAsk, answer: Answer) -> AskResult:
        if self.answer_log is not None:
            try:
                await self.answer_log.answered(prepared.request, prepared.question, answer)
            except Exception:  # noqa: BLE001 - the asker still gets the answer
                log.warning("answer log failed", exc_info=True)
        return AskResult(prepared.question, answer, prepared.access)
