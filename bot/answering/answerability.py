"""Does the chosen span answer *this* question, or only its neighbour?

The typical unanswerable question is topic-adjacent: "how many weeks of paid leave after a
miscarriage?" read against the parental-leave sentence matches every word but the one that makes
it specific. The reader's confidence cannot see that (all other signals are high), so three
generic checks run on the best span (:func:`bot.answering.extractive.check_answerable` tries close
runners-up before lowering the confidence):

* **focus** — "what's the X of …", "how much is the X …" ask for the attribute X: the head noun of
  that phrase must be stated by the span (or be a type word — "number", "date", "percentage" —
  that the answer's content satisfies);
* **amount** — "how much is …" / "how much does … cost/pay …" asks for money (or, when it names
  leave or time, a duration) and "… percentage?" for a percentage: the answer must hold one;
* **offer** — "does X offer/provide/cover Y?" asks whether Y exists: the span must name Y (its
  specific part: "pet" of "pet insurance").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answering.reader import SYNONYM  # the word cosine at which a span word says the term
from bot.answering.word_vectors import WordVectors
from bot.ports import Embedder
from bot.text import STOPWORDS, compact, content_words, stem, stem_key, words

PREFIX = 6  # shared leading letters that make two words one ("full-timer" / "full-time")
VOCAB = 60  # span words compared by cosine (latency)

_MONEY_Q = re.compile(
    r"\bhow much (?:is|are|was|were)\b"
    r"|\bhow much\b[^?]*\b(?:costs?|pays?|charges?|reimburse|spend|contribute|put|budget|fee|price|worth)\b",
    re.I,
)
_TIME_Q = re.compile(r"\b(?:leave|time|vacation|pto|holidays?|sick|hours?|days?|weeks?|months?|years?)\b", re.I)
_DURATION = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s*(?:hours?|days?|weeks?|months?|years?)\b",
    re.I,
)
_PERCENT_Q = re.compile(r"\bpercent(?:age)?s?\b", re.I)
_MONEY = re.compile(
    r"[$€£¥]\s?\d|\d\s?%|\b\d[\d,.]*\s*(?:dollars?|usd|eur|gbp|cents?)\b|\bpercent\b"
    r"|\b(?:free|no cost|no charge)\b",
    re.I,
)
_PERCENT = re.compile(r"\d\s?%|\bpercent\b|\bper ?cent\b", re.I)
# "what's the dress code for …", "how much is the relocation package …": the noun phrase asked for.
_FOCUS = re.compile(
    r"\b(?:(?:what|which)(?P<be>'s|\s+is|\s+are|\s+was|\s+were)?|how much(?P<much>\s+is|\s+are))\s+(?P<rest>.+)",
    re.I,
)
# "does Northwind offer pet insurance?": is there a Y — the span must name all of Y, not just its kind.
_OFFER = re.compile(
    r"\b(?:does|do|will|would|can)\s+(?:[\w'-]+\s+){1,3}?"
    r"(?:offers?|provides?|covers?|reimburses?|subsidi[sz]es?|pays? for)\s+(?P<rest>.+)",
    re.I,
)
_VAGUE = frozenset("everything anything something cost costs price fee fees".split())  # "pay for everything"
_BOUNDARIES = frozenset("per via after before during within without between among toward towards across".split())
# Heads that name the question's topic or the shape of any answer, not an attribute the answer states:
# "the name of X", "the process for X", "the policy on X".
_LIGHT_HEADS = frozenset(
    """name term word phrase type kind sort example part way process procedure policy rule rules step steps
    deal story situation status reason difference best option options guidance guideline guidelines""".split()
)
_DETERMINERS = frozenset("the a an my our your their his her this that these those".split())
# a key combination: "Ctrl+Cmd+Q", "Control + Shift + Power", "⌘K"
_KEYS = re.compile(r"\b(?:ctrl|control|cmd|command|shift|alt|option|opt|fn|win|windows|super)\s*\+|[⌘⌥⇧⌃]", re.I)
_TYPED_HEADS = {  # a head noun naming the answer's type is satisfied by content of that type
    "number": re.compile(r"\d"),
    "amount": re.compile(r"\d"),
    "rate": re.compile(r"\d"),
    "limit": re.compile(r"\d"),
    "cap": re.compile(r"\d"),
    "maximum": re.compile(r"\d"),
    "minimum": re.compile(r"\d"),
    "channel": re.compile(r"#[\w-]"),
    "contact": re.compile(r"@|\d{3}|#[\w-]"),
    "percentage": _PERCENT,
    "percent": _PERCENT,
    "year": re.compile(r"\b\d{3,4}\b"),
    "cost": re.compile(r"\d|\bfree\b", re.I),
    "price": re.compile(r"\d|\bfree\b", re.I),
    "fee": re.compile(r"\d|\bfree\b", re.I),
    "deadline": re.compile(r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I),
    "phone": re.compile(r"\d{3}"),
    "date": re.compile(r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I),
    "day": re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\d", re.I),
    "time": re.compile(r"\d|\b(?:noon|midnight|morning|afternoon|evening)\b", re.I),
    "email": re.compile(r"@"),
    "address": re.compile(r"@|\d|\b[\w-]+\.[\w-]+\.[a-z]{2,}\b"),
    "link": re.compile(r"https?://|www\.|\.\w{2,3}/"),
    "url": re.compile(r"https?://|www\.|\.\w{2,3}/"),
    "website": re.compile(r"https?://|www\.|\.\w{2,3}/"),
    "shortcut": _KEYS,
    "hotkey": _KEYS,
    "keystroke": _KEYS,
}


@dataclass(slots=True)
class Verdict:
    reason: str = ""  # "" when the span may answer; else which check failed and on which term

    @property
    def answerable(self) -> bool:
        return not self.reason


def focus_head(question: str) -> str | None:
    """Head noun of the attribute a "what's the X (of/for …)" or "how much is the X" question asks
    for. "Which X" / "what X do …" ask for an *instance* of X ("which airline" -> "Delta"), which
    need not name X, so they have no focus here; nor have "what is the X called" (a verb)."""
    m = _FOCUS.search(question.replace("\u2019", "'"))
    if m is None or not (m.group("be") or m.group("much")):
        return None
    toks = words(m.group("rest"))
    if not toks or toks[0] not in _DETERMINERS:
        return None  # "what is needed …", "what was used …": not a noun phrase
    run: list[str] = []
    for t in toks[1:]:
        if t in STOPWORDS or t in _DETERMINERS or t in _BOUNDARIES:
            break
        run.append(t)
    if not run or run[-1] in _LIGHT_HEADS or run[-1].endswith("ed"):
        return None
    return run[-1]


def offered_phrase(question: str) -> list[str]:
    """What the span must name for "does X offer/provide/cover Y?": Y's modifiers ("pet" of "pet
    insurance": the specific part; its head is often generic — "vision coverage" for the vision
    plan), or Y itself when it is one word. Y: content words up to a stopword or preposition."""
    m = _OFFER.search(question)
    if m is None:
        return []
    run: list[str] = []
    for t in words(m.group("rest")):
        if t in _DETERMINERS and not run:
            continue
        if t in STOPWORDS or t in _DETERMINERS or t in _BOUNDARIES:
            break
        run.append(t)
    run = [w for w in run if w not in _LIGHT_HEADS and w not in _VAGUE]
    return run[:-1] if len(run) > 1 else run


def states(term: str, text: str) -> bool:
    """Does ``text`` contain ``term`` (light stem, punctuation-free form, or a long shared prefix)?"""
    key, flat = stem_key(term), compact(term)
    for w in words(text):
        if stem_key(w) == key or (len(flat) > 3 and compact(w) == flat):
            return True
        c = compact(w)
        if len(flat) >= 4 and c.startswith(flat):
            return True  # "info" / "information"
        n = min(len(c), len(flat))
        if n >= PREFIX - 1 and c[: PREFIX - 1] == flat[: PREFIX - 1] and _shared(c, flat) >= min(PREFIX, n - 1):
            return True
    return False


def _shared(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class AnswerabilityCheck:
    def __init__(self, embedder: Embedder, *, synonym: float = SYNONYM) -> None:
        self.embedder = embedder
        self.synonym = synonym
        self._vectors = WordVectors(embedder)

    async def check(self, question: str, body: str, answer: str) -> Verdict:
        """``body``: the span with its label, context, title and heading; ``answer``: the text that
        would be shown (the span and the sentence it runs on into)."""
        if _PERCENT_Q.search(question) and not _PERCENT.search(answer):
            return Verdict("amount: percentage")
        if _MONEY_Q.search(question) and not _MONEY.search(answer):
            if not (_TIME_Q.search(question) and _DURATION.search(answer)):  # "how much is the leave?"
                return Verdict("amount: money")
        for word in offered_phrase(question):
            if not await self._says(word, body):
                return Verdict(f"offer: {word}")
        head = focus_head(question)
        if head is not None and not await self._says(head, body):
            typed = _TYPED_HEADS.get(stem(head)) or _TYPED_HEADS.get(head)
            if typed is None or not typed.search(answer):
                return Verdict(f"focus: {head}")
        return Verdict()

    async def _says(self, term: str, text: str) -> bool:
        if states(term, text):
            return True
        vocab = list(dict.fromkeys(content_words(text)))[:VOCAB]
        return bool(vocab) and await self._vectors.closest(term, vocab) >= self.synonym
