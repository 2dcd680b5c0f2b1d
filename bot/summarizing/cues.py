"""Cue phrases that mark decisions, action items and questions in a conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DECISION = re.compile(
    r"\b(?:we(?:'ll| will|'re going to| are going to)? go(?:ing)? with|let'?s go with"
    r"|we(?:'ve| have)? decided|(?:it'?s |is )?decided\b|\bagreed\b|we agree|final decision|decision is"
    r"|settled on|we'?ll use"
    r"|going forward we|approved\b|sign(?:ed)? off on|the plan is|we(?:'re| are) going with|let'?s do\b)",
    re.IGNORECASE,
)
_NOT_DECISION = re.compile(r"\b(?:not agreed|haven'?t decided|not decided|undecided|disagree)\b", re.IGNORECASE)
_SELF_ACTION = re.compile(
    r"^(?:ok(?:ay)?,?\s+|sure,?\s+|yes,?\s+|fine,?\s+)?"
    r"(?:i(?:'ll| will| am going to|'m going to| can)|will do\b|let me)\s+(?P<task>.+)$",
    re.IGNORECASE,
)
_ADDRESS = r"(?:@(?P<{0}>[\w.-]+(?: [A-Z][\w.-]*)?)\s*,?\s*|(?P<{0}v>[A-Z][\w.-]*(?: [A-Z][\w.-]*)?)\s*,\s*)?"
_REQUEST = re.compile(
    "^"
    + _ADDRESS.format("mention")
    + r"(?i:(?:hey,?\s+)?(?:can|could|would|will)\s+you(?:\s+please)?)\s+(?P<task>.+?)\??$"
    "|^" + _ADDRESS.format("mention2") + r"(?i:please)\s+(?P<task2>.+)$",
)
_NEED = re.compile(r"\b(?:we|you|someone) (?:need|have|must|should) (?:to )?(?P<task>.+)$", re.IGNORECASE)
_ACTION_LABEL = re.compile(r"^(?:action item|todo|to-do|ai)\s*[:\-]\s*(?P<task>.+)$", re.IGNORECASE)
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DUE = re.compile(
    r"\b(?:by|before|until|till|due|no later than|on)\s+"
    r"(?P<due>(?:the\s+)?(?:end of (?:the )?(?:day|week|month)"
    rf"|eod|eow|cob|tomorrow(?: morning| afternoon| evening)?|tonight|today|next {_WEEKDAY}|next week"
    rf"|next month|this {_WEEKDAY}|{_WEEKDAY},? {_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?"
    rf"|{_WEEKDAY}(?: morning| afternoon| evening)?|{_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {_MONTH}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|noon|\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)))\b",
    re.IGNORECASE,
)
_TRIVIAL_QUESTION = re.compile(
    r"^(?:how are you|how r u|what'?s up|sup|really|right|ok(?:ay)?|yes|no|why|what|huh|sure|and you|you\?|"
    r"wanna|u there|are you there|ready|hm+|eh)\W*$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class ActionCue:
    owner: str | None  # None: unknown; filled by the caller from the message context
    task: str
    due: str | None
    addressed: bool  # a request to someone else (owner is the addressee, not the author)
    mention: str | None = None


def is_decision(sentence: str) -> bool:
    return bool(_DECISION.search(sentence)) and not _NOT_DECISION.search(sentence) and not sentence.endswith("?")


_BARE_DUE = re.compile(
    rf"\b(?P<due>tomorrow(?: morning| afternoon| evening)?|tonight|next week|next month|next {_WEEKDAY}"
    r"|end of (?:the )?(?:day|week|month)|eod|eow)\b",
    re.IGNORECASE,
)


def due_date(sentence: str) -> str | None:
    match = _DUE.search(sentence) or _BARE_DUE.search(sentence)
    return match.group("due").strip() if match else None


def _tidy_task(task: str) -> str:
    task = task.strip().rstrip("?.! ")
    task = re.sub(r"^(?:please|also|just)\s+", "", task, flags=re.IGNORECASE)
    return task[:1].lower() + task[1:] if task[:2] != task[:2].upper() else task


def action_cue(sentence: str) -> ActionCue | None:
    """An action item stated in ``sentence``: a commitment (``I'll ...``) or a request (``can you ...``)."""
    text = sentence.strip()
    if match := _SELF_ACTION.match(text):
        task = match.group("task")
        if len(task.split()) < 2 or text.endswith("?"):
            return None
        return ActionCue(owner=None, task=_tidy_task(task), due=due_date(text), addressed=False)
    if match := _REQUEST.match(text):
        task = match.group("task") or match.group("task2")
        mention = next(
            (match.group(g) for g in ("mention", "mentionv", "mention2", "mention2v") if match.group(g)), None
        )
        if len(task.split()) < 2:
            return None
        return ActionCue(owner=None, task=_tidy_task(task), due=due_date(text), addressed=True, mention=mention)
    if match := _ACTION_LABEL.match(text):
        return ActionCue(owner=None, task=_tidy_task(match.group("task")), due=due_date(text), addressed=False)
    due = due_date(text)
    if due and (match := _NEED.search(text)) and not text.endswith("?"):
        return ActionCue(owner=None, task=_tidy_task(match.group("task")), due=due, addressed=False)
    return None


def is_question(sentence: str) -> bool:
    text = sentence.strip()
    return text.endswith("?") and not _TRIVIAL_QUESTION.match(text) and len(text.split()) >= 3
