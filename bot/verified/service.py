"""``VerifiedAnswers``: save, edit, remove, list, export and import verified answers.

Who may change one: a member of the experts channel (the platform's :class:`ExpertRoster`) or a
kbot admin; the CLI operator always. Every change, denial and refused input is audited; bad input
changes nothing. Each answer is kept in the config store and written to the knowledge store as a
document of the ``verified`` source (through the same sink as every other document).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

from bot.admin.models import Actor, AuditEntry
from bot.admin.ports import AuditLog
from bot.admin.service import AdminService
from bot.errors import InputError, NotFoundError, PermissionDenied
from bot.ports import DocumentSink
from bot.verified.models import SOURCE, ExpertRequest, VerifiedAnswer
from bot.verified.ports import ExpertRoster, VerifiedRepository
from bot.verified.validation import clean_answer, clean_audience, clean_question, parse_review_date

_NOT_IN_NAME = re.compile(r"[<>*_~`|\[\]]")
NOT_ALLOWED = "Only members of the experts channel or kbot admins can save or change verified answers."
_KEEP = object()


class VerifiedAnswers:
    def __init__(
        self,
        repo: VerifiedRepository,
        audit: AuditLog,
        admin: AdminService,
        sink: Callable[[], DocumentSink],
    ) -> None:
        self.repo = repo
        self.audit = audit
        self.admin = admin
        self._sink = sink

    # --- rights and audit ----------------------------------------------------------------
    async def may_edit(self, actor: Actor, roster: ExpertRoster | None = None) -> bool:
        if await self.admin.is_admin(actor):
            return True
        return roster is not None and await roster.is_expert(actor)

    async def _require(self, actor: Actor, action: str, target: str, roster: ExpertRoster | None) -> None:
        if not await self.may_edit(actor, roster):
            await self._audit(actor, action, target, "denied", "not an expert or admin")
            raise PermissionDenied(f"{actor.audit_name} may not {action}", user_message=NOT_ALLOWED)

    async def _audit(self, actor: Actor, action: str, target: str, outcome: str, detail: str = "") -> None:
        entry = AuditEntry(actor.audit_name, action, target[:200], outcome, detail[:500], datetime.now(UTC))
        await self.audit.append_audit(entry)

    async def _checked(
        self, actor: Actor, action: str, target: str, build: Callable[[], VerifiedAnswer]
    ) -> VerifiedAnswer:
        try:
            return build()
        except InputError as exc:
            await self._audit(actor, action, target, "invalid", str(exc))
            raise

    async def _write(self, answer: VerifiedAnswer) -> None:
        """Knowledge store first: if it fails, the config store still holds the previous state."""
        sink = self._sink()
        await sink.upsert([answer.document()])
        await sink.finish(SOURCE)
        await self.repo.save_verified(answer)

    # --- changes -------------------------------------------------------------------------
    async def save(
        self,
        actor: Actor,
        *,
        question: str,
        answer: str,
        expert: str,
        expert_id: str = "",
        audience: Iterable[str] | str | None = None,
        review_by: str | date | None = None,
        request_id: str | None = None,
        link: str | None = None,
        roster: ExpertRoster | None = None,
    ) -> VerifiedAnswer:
        """Save (or, for the same expert request, replace) a verified answer."""
        answer_id = f"req-{request_id}" if request_id else uuid.uuid4().hex[:12]
        await self._require(actor, "answers.save", answer_id, roster)

        def build() -> VerifiedAnswer:
            return VerifiedAnswer(
                id=answer_id,
                question=clean_question(question),
                answer=clean_answer(answer),
                expert=_name(expert) or _name(actor.display_name) or actor.user_id,
                expert_id=expert_id,
                audience=clean_audience(audience),
                review_by=parse_review_date(review_by),
                saved_by=actor.audit_name,
                request_id=request_id,
                link=link,
            )

        saved = await self._checked(actor, "answers.save", answer_id, build)
        await self._write(saved)
        await self._audit(actor, "answers.save", saved.id, "ok", f"expert={saved.expert}")
        return saved

    async def edit(
        self,
        actor: Actor,
        answer_id: str,
        *,
        question: str | None = None,
        answer: str | None = None,
        audience: Iterable[str] | str | None | object = _KEEP,
        review_by: str | date | None | object = _KEEP,
        roster: ExpertRoster | None = None,
    ) -> VerifiedAnswer:
        await self._require(actor, "answers.edit", answer_id, roster)
        current = await self.repo.get_verified(answer_id)
        if current is None:
            await self._audit(actor, "answers.edit", answer_id, "invalid", "not found")
            raise NotFoundError(f"no verified answer '{answer_id}'")

        def build() -> VerifiedAnswer:
            return VerifiedAnswer(
                id=current.id,
                question=clean_question(current.question if question is None else question),
                answer=clean_answer(current.answer if answer is None else answer),
                expert=current.expert,
                expert_id=current.expert_id,
                created=current.created,
                audience=current.audience if audience is _KEEP else clean_audience(audience),  # type: ignore[arg-type]
                review_by=current.review_by if review_by is _KEEP else parse_review_date(review_by),  # type: ignore[arg-type]
                saved_by=actor.audit_name,
                request_id=current.request_id,
                link=current.link,
            )

        edited = await self._checked(actor, "answers.edit", answer_id, build)
        await self._write(edited)
        await self._audit(actor, "answers.edit", answer_id, "ok")
        return edited

    async def remove(self, actor: Actor, answer_id: str, roster: ExpertRoster | None = None) -> None:
        await self._require(actor, "answers.remove", answer_id, roster)
        if await self.repo.get_verified(answer_id) is None:
            await self._audit(actor, "answers.remove", answer_id, "invalid", "not found")
            raise NotFoundError(f"no verified answer '{answer_id}'")
        sink = self._sink()
        await sink.delete(SOURCE, [answer_id])
        await sink.finish(SOURCE)
        await self.repo.remove_verified(answer_id)
        await self._audit(actor, "answers.remove", answer_id, "ok")

    # --- reading (admins) ----------------------------------------------------------------------
    async def list_answers(self, actor: Actor, *, needs_review: bool = False) -> list[VerifiedAnswer]:
        await self.admin.require_admin(actor, "answers.list")
        found = sorted(await self.repo.list_verified(), key=lambda a: (a.created, a.id))
        return [a for a in found if a.needs_review()] if needs_review else found

    async def show(self, actor: Actor, answer_id: str) -> VerifiedAnswer:
        await self.admin.require_admin(actor, "answers.show", answer_id)
        found = await self.repo.get_verified(answer_id)
        if found is None:
            raise NotFoundError(f"no verified answer '{answer_id}'")
        return found

    async def export(self, actor: Actor) -> list[str]:
        """One JSON object per line, oldest first (``kbot answers import`` reads it back exactly)."""
        answers = await self.list_answers(actor)
        await self._audit(actor, "answers.export", "", "ok", f"{len(answers)} answer(s)")
        return [json.dumps(a.to_dict(), ensure_ascii=False, sort_keys=True) for a in answers]

    async def import_lines(self, actor: Actor, lines: Iterable[str]) -> int:
        """All lines are checked before anything is written: one bad line changes nothing."""
        await self.admin.require_admin(actor, "answers.import")
        answers: list[VerifiedAnswer] = []
        try:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    record = VerifiedAnswer.from_dict(json.loads(line))
                    clean_question(record.question)
                    clean_answer(record.answer)
                    clean_audience(record.audience)
                except (ValueError, InputError) as exc:
                    raise InputError(f"line {number}: {exc}") from exc
                answers.append(record)
        except InputError as exc:
            await self._audit(actor, "answers.import", "", "invalid", str(exc))
            raise
        sink = self._sink()
        if answers:
            await sink.upsert([a.document() for a in answers])
            await sink.finish(SOURCE)
        for record in answers:
            await self.repo.save_verified(record)
        await self._audit(actor, "answers.import", "", "ok", f"{len(answers)} answer(s)")
        return len(answers)

    # --- expert requests -------------------------------------------------------------------
    async def open_request(self, platform: str, question: str, asker_id: str, where: dict[str, str]) -> ExpertRequest:
        request = ExpertRequest(uuid.uuid4().hex[:12], platform, question, asker_id, dict(where))
        await self.repo.save_expert_request(request)
        return request

    async def request(self, request_id: str) -> ExpertRequest | None:
        return await self.repo.get_expert_request(request_id) if request_id else None

    async def claim_notification(self, request_id: str) -> bool:
        return await self.repo.claim_notification(request_id)


def _name(name: str | None) -> str:
    """An expert's display name as shown in "Verified by @name": no markup of any platform."""
    return " ".join(_NOT_IN_NAME.sub("", name or "").split()).lstrip("@")[:80]
