"""Verified answers in the core: shown first when they match, audience and review date honoured,
rights and bad input refused (audited, nothing changed), JSONL export/import exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.admin.models import Actor
from bot.errors import InputError, PermissionDenied
from tests.verified.support import ANSWER, PARAPHRASE, QUESTION, Roster, ask, make_app

CLI = Actor("ops", "cli")
DANA = Actor("UDANA", "slack", display_name="dana")
MALLORY = Actor("UMAL", "slack")


async def test_matching_verified_answer_comes_first_marked_with_its_citation(tmp_path: Path) -> None:
    app = make_app(tmp_path / "k.db")
    saved = await app.verified.save(DANA, question=QUESTION, answer=ANSWER, expert="dana", roster=Roster("UDANA"))
    result = await app.ask.ask(ask(PARAPHRASE))
    text = result.answer.text
    assert text.startswith("✅ **Verified by @dana on "), text
    assert f"{saved.created.day} {saved.created:%b %Y}" in text
    assert ANSWER in text and "The handbook covers leave [2]." in text
    assert [c.uri for c in result.answer.citations] == [saved.uri, "https://wiki.example.com/hr"]
    unrelated = await app.ask.ask(ask("Where do I file travel expense reports?"))
    assert "Verified" not in unrelated.answer.text
    await app.aclose()


async def test_audience_limits_who_sees_it(tmp_path: Path) -> None:
    app = make_app(tmp_path / "k.db")
    await app.verified.save(CLI, question=QUESTION, answer=ANSWER, expert="dana", audience="hr,managers")
    assert "Verified" in (await app.ask.ask(ask(PARAPHRASE, groups=["hr"]))).answer.text
    outside = await app.ask.ask(ask(PARAPHRASE, groups=["engineering"]))
    assert "Verified" not in outside.answer.text
    assert all(not c.uri.startswith("kbot://") for c in outside.answer.citations)
    await app.aclose()


async def test_past_review_date_not_first_and_listed_for_review(tmp_path: Path) -> None:
    app = make_app(tmp_path / "k.db")
    old = await app.verified.save(
        CLI, question=QUESTION, answer=ANSWER, expert="dana", review_by=datetime.now(UTC).date() - timedelta(days=1)
    )
    fresh = await app.verified.save(CLI, question="Who approves travel?", answer="Your manager.", expert="sam")
    assert "Verified" not in (await app.ask.ask(ask(PARAPHRASE))).answer.text
    assert [a.id for a in await app.verified.list_answers(CLI, needs_review=True)] == [old.id]
    assert {a.id for a in await app.verified.list_answers(CLI)} == {old.id, fresh.id}
    await app.verified.edit(CLI, old.id, review_by="never")
    assert "Verified" in (await app.ask.ask(ask(PARAPHRASE))).answer.text
    await app.aclose()


async def test_non_expert_non_admin_cannot_save_or_edit_and_is_audited(tmp_path: Path) -> None:
    app = make_app(tmp_path / "k.db")
    roster = Roster("UDANA")
    with pytest.raises(PermissionDenied) as denied:
        await app.verified.save(MALLORY, question=QUESTION, answer=ANSWER, expert="mal", roster=roster)
    assert "experts channel" in denied.value.user_message
    saved = await app.verified.save(DANA, question=QUESTION, answer=ANSWER, expert="dana", roster=roster)
    with pytest.raises(PermissionDenied):
        await app.verified.edit(MALLORY, saved.id, answer="Nobody gets vacation.", roster=roster)
    with pytest.raises(PermissionDenied):
        await app.verified.remove(MALLORY, saved.id, roster=roster)
    assert [a.answer for a in await app.verified.list_answers(CLI)] == [ANSWER]
    audit = await app.config.list_audit(10)
    denials = [(e.actor, e.action, e.outcome) for e in audit if e.outcome == "denied"]
    assert ("slack:UMAL", "answers.save", "denied") in denials
    assert ("slack:UMAL", "answers.edit", "denied") in denials
    assert ("slack:UMAL", "answers.remove", "denied") in denials
    await app.aclose()


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("   ", "empty"),
        ("x" * 50_000, "too long"),
        ("<!channel> everyone read this", "markup"),
        ("see <script>alert(1)</script>", "markup"),
        ("[click](javascript:alert(1))", "markup"),
    ],
)
async def test_bad_input_gets_a_clear_message_and_changes_nothing(tmp_path: Path, answer: str, says: str) -> None:
    app = make_app(tmp_path / "k.db")
    saved = await app.verified.save(CLI, question=QUESTION, answer=ANSWER, expert="dana")
    before = await app.verified.export(CLI)
    with pytest.raises(InputError) as bad:
        await app.verified.save(
            DANA, question="Another question?", answer=answer, expert="dana", roster=Roster("UDANA")
        )
    assert says in bad.value.user_message and "Nothing was saved" in bad.value.user_message
    with pytest.raises(InputError):
        await app.verified.edit(DANA, saved.id, answer=answer, roster=Roster("UDANA"))
    assert await app.verified.export(CLI) == before
    assert await app.store.source_counts() == {"verified": 1}
    assert any(e.outcome == "invalid" and e.action == "answers.edit" for e in await app.config.list_audit(10))
    await app.aclose()


async def test_export_import_round_trips_exactly_into_a_fresh_store(tmp_path: Path) -> None:
    first = make_app(tmp_path / "a.db")
    await first.verified.save(
        CLI, question=QUESTION, answer=ANSWER, expert="dana", audience="hr", review_by="2030-01-31"
    )
    await first.verified.save(
        DANA,
        question="Who approves travel? «ünïcode»",
        answer="Your manager.\nThen HR.",
        expert="dana",
        roster=Roster("UDANA"),
    )
    lines = await first.verified.export(CLI)
    fresh = make_app(tmp_path / "b.db")
    assert await fresh.verified.import_lines(CLI, lines) == 2
    assert await fresh.verified.export(CLI) == lines
    assert await fresh.store.source_counts() == {"verified": 2}
    assert "Verified by @dana" in (await fresh.ask.ask(ask(PARAPHRASE, groups=["hr"]))).answer.text
    with pytest.raises(InputError, match="line 2"):
        await fresh.verified.import_lines(CLI, [lines[0], '{"id": "x"}'])
    assert await fresh.verified.export(CLI) == lines
    await first.aclose()
    await fresh.aclose()


async def test_the_asker_is_told_once(tmp_path: Path) -> None:
    app = make_app(tmp_path / "k.db")
    request = await app.verified.open_request("slack", QUESTION, "U1", {"channel": "C1", "thread_ts": "1.2"})
    assert await app.verified.claim_notification(request.id) is True
    assert await app.verified.claim_notification(request.id) is False
    assert (await app.verified.request(request.id)).notified  # type: ignore[union-attr]
    await app.aclose()
