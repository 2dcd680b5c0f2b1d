"""A real App (SQLite store + config in tmp, hashed embedder) for verified-answer tests."""

from __future__ import annotations

from pathlib import Path

from adapters.wiring import App, AppOverrides
from bot.admin.models import Actor
from bot.conversation.ask import AskRequest
from bot.models import Answer, Citation, Question
from bot.settings import load_settings
from tests.fakes import HashEmbedder

QUESTION = "How many vacation days do new employees get in their first year?"
PARAPHRASE = "how many vacation days does a new employee get during the first year"
ANSWER = "New employees get 25 vacation days in their first year, prorated from the start date."


class DocsAnswerer:
    """The documents' answer: one citation, numbered [1]."""

    async def answer(self, question: Question) -> Answer:
        return Answer(
            "The handbook covers leave [1].",
            True,
            [Citation("HR handbook", "https://wiki.example.com/hr", "Leave rules.", 0.8)],
        )


class Roster:
    """An experts channel with fixed members."""

    def __init__(self, *members: str) -> None:
        self.members = set(members)

    async def is_expert(self, actor: Actor) -> bool:
        return actor.user_id in self.members


def make_app(db: Path, **settings: object) -> App:
    base = load_settings(_env_file=None, kbot_db=db, **settings)
    return App(base, AppOverrides(embedder=HashEmbedder(), answerer=DocsAnswerer()))


def ask(text: str, groups: list[str] | None = None, user: str = "U2") -> AskRequest:
    return AskRequest(text=text, platform="cli", user_id=user, groups=groups)
