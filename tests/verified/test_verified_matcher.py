"""The matcher without an embedder (Bedrock): the retriever's score is the similarity; the floor,
the review date, the audience and the channel's source scope all hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.models import Asker, Passage, Question
from bot.verified.answering import VerifiedMatcher
from bot.verified.models import SOURCE, ExpertRequest, VerifiedAnswer


class Repo:
    def __init__(self, *answers: VerifiedAnswer) -> None:
        self.answers = {a.id: a for a in answers}

    async def list_verified(self) -> list[VerifiedAnswer]:
        return list(self.answers.values())

    async def get_verified(self, answer_id: str) -> VerifiedAnswer | None:
        return self.answers.get(answer_id)

    async def save_verified(self, answer: VerifiedAnswer) -> None: ...

    async def remove_verified(self, answer_id: str) -> bool:
        return False

    async def save_expert_request(self, request: ExpertRequest) -> None: ...

    async def get_expert_request(self, request_id: str) -> ExpertRequest | None:
        return None

    async def claim_notification(self, request_id: str) -> bool:
        return False


class KbRetriever:
    """Bedrock-like: scores only (no dense cosine); records what it was asked."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores
        self.calls: list[dict[str, Any]] = []

    async def retrieve(self, query: str, *, k: int = 8, groups: Any = None, sources: Any = None) -> list[Passage]:
        self.calls.append({"groups": groups, "sources": sources})
        return [Passage(f"c-{i}", i, SOURCE, "t", "u", "x", s) for i, s in self.scores.items()]


def question(groups: list[str] | None = None, sources: list[str] | None = None) -> Question:
    return Question("how many vacation days", Asker("U1", groups=groups), sources=sources)


async def test_score_floor_review_date_audience_and_scope() -> None:
    good = VerifiedAnswer("good", "Vacation days?", "25.", "dana", audience=["hr"])
    yesterday = datetime.now(UTC).date() - timedelta(days=1)  # the review dates' calendar is UTC's
    stale = VerifiedAnswer("stale", "Vacation days?", "20.", "sam", review_by=yesterday)
    weak = VerifiedAnswer("weak", "Parking?", "Level 2.", "lee")
    retriever = KbRetriever({"good": 0.8, "stale": 0.95, "weak": 0.3})
    matcher = VerifiedMatcher(lambda: retriever, Repo(good, stale, weak), min_similarity=0.6)

    found = await matcher.match(question(groups=["hr"]))
    assert found is not None and found.answer.id == "good" and found.similarity == 0.8
    assert retriever.calls[-1] == {"groups": ["hr"], "sources": [SOURCE]}
    assert await matcher.match(question(groups=["engineering"])) is None  # audience
    assert await matcher.match(question(groups=["hr"], sources=["handbook"])) is None  # channel scope

    only_weak = VerifiedMatcher(lambda: KbRetriever({"weak": 0.3}), Repo(weak), min_similarity=0.6)
    assert await only_weak.match(question()) is None  # below the floor
    nothing_saved = VerifiedMatcher(lambda: retriever, Repo(), min_similarity=0.6)
    calls = len(retriever.calls)
    assert await nothing_saved.match(question()) is None and len(retriever.calls) == calls  # no retrieval at all
