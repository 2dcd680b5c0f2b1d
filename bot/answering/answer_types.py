"""What kind of answer a question asks for, and how well a span supplies it.

The frame is read from the question's leading wh-phrase — the one that opens a clause ("I'm
moving next month, *who* do I tell?"), not a "when" inside it ("what schedule am I on *when* I
join?"). A span's fit is graded: 1.0 when it states the asked-for kind of thing (a duration for
"how long", an address for "who do I tell", a rule for "can I …?"), 0.5 for a weaker sign (any
number for "how long"), 0.0 otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = (
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|sixty"
    r"|ninety|a few|several|half an?)"
)
_UNIT = r"(?:second|minute|hour|day|business day|work ?day|week|month|year|pay period|semester|quarter)s?"
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|half|once|twice)\b", re.I)
_DURATION = re.compile(
    rf"\b{_NUM}[\s-]+(?:\w+[\s-]+)?{_UNIT}\b|\b(?:forever|indefinitely|permanently|no time limit|never expires?)\b",
    re.I,
)
_MONEY = re.compile(r"[$€£]\s?\d|\d\s?%|\b\d[\d,.]*\s?(?:dollars|usd|percent)\b", re.I)
_DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d|\b(?:monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)s?\b|\b\d{1,2}[:/]\d{2}\b|\b(?:19|20)\d{2}\b|\b\d{1,2} ?(?:am|pm)\b|\b(?:noon|midnight)\b",
    re.I,
)
_WHEN_WORDS = re.compile(
    rf"\b(?:daily|weekly|monthly|annually|yearly|quarterly|each|every|before|after|within|until|by the|once|"
    rf"at the (?:start|end|beginning)|end of|start of|beginning of)\b|{_DURATION.pattern}",
    re.I,
)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://|\d{3}[-. )]\d{3}[-. ]\d{4}|(?:^|\s)#[a-z][\w-]+", re.I)
_CONTACT_WORDS = re.compile(r"\b(?:email|e-mail|call|contact|ask|reach out|notify)\b", re.I)
_IDENTIFIER = re.compile(r"\b[A-Z0-9][A-Z0-9&./-]{1,}\b|\b\w*\d\w*\b|[\"“][^\"”]{2,40}[\"”]|\b[A-Z][a-z]+[A-Z]\w*")

_IMPERATIVE = re.compile(  # a sentence that opens with a verb, roughly: not a pronoun, article or subject + verb
    r"^(?!(?:you|your|it|its|this|that|these|those|the|there|if|a|an|for|to|in|on|at|when|we|our|all|each|every"
    r"|some|most|many|after|before|as|by|with|once|while|since|because|so|and|or|but)\b)[a-z]+\b"
    r"(?! (?:is|are|was|were|will|can|may|must|should|has|have|had|do|does)\b)",
    re.I,
)
_CLAUSE_START = re.compile(r"(?:^|[,;:?!.(]\s*|\s[-–—]\s*|\b(?:and|but|so|or|then)\s+)(?=\w)", re.I)
_WH = re.compile(
    r"(how [a-z]+|how|what's|whats|what|when|where|who|whom|whose|which|why"
    r"|can|could|may|do|does|did|is|are|am|should|will|would|must|have|has)\b",
    re.I,
)
_NOT_DEGREE = frozenset(
    "do does did can could should would will is are was were am to come about i we you they it".split()
)
_LIMIT_WHAT = re.compile(
    r"\bwhat(?:'s| is| are)? the (?:max\w*|min\w*|limit|cap|amount|rate|percentage|cost|price)\b", re.I
)
_IDENT_WHAT = re.compile(r"\b(?:what|which)(?:'s| is| are)? (?:the )?(?:\w+ )?(form|code|number|name|id)\b", re.I)
_PROCEDURE = re.compile(
    r"^(?:how (?:do|can|should|would) (?:i|we)|how to)\b"
    r"|^what (?:do|should|must) (?:i|we) (?:need to |have to )?(?:do|tell|include|bring|send|provide)\b"
    r"|^what (?:are|is) the (?:steps|process|procedure)\b",
    re.I,
)
_CONTACT_WHAT = re.compile(r"\b(?:which|what) (?:email|address|channel|team|office|phone)\b", re.I)


@dataclass(frozen=True, slots=True)
class AnswerType:
    name: str
    full: re.Pattern[str]  # a span that states this kind of answer
    partial: re.Pattern[str] | None = None  # a weaker sign of it
    needs: str = ""  # a word the span must also hold for a full fit ("what form …" -> "form")
    kinds: tuple[str, ...] = ()  # span kinds that fit fully whatever their text (steps: a list)

    def fit(self, text: str, kind: str = "sentence") -> float:
        if kind in self.kinds:
            return 1.0
        full = self.full.search(text) is not None
        if full and (not self.needs or self._needed(text)):
            return 1.0
        if full or (self.partial is not None and self.partial.search(text)):
            return 0.5
        return 0.0


    def _needed(self, text: str) -> bool:
        """The needed word is there; for an identifier, right next to one ("OPM Form 630", "code #670"),
        not anywhere in a sentence that also names something in capitals ("fill out the forms … VLTP")."""
        if self.name != "identifier":
            return re.search(rf"\b{self.needs}", text, re.I) is not None
        ident, word = self.full.pattern, rf"(?i:{self.needs})s?"
        gap = r"(?:\W+\w+){0,3}?\W+"  # at most three words between: "T-TECH … as your organizational code"
        near = rf"\b{word}\b\W{{0,3}}(?:#\s?|(?i:no)\.?\s?)?(?:{ident})|(?:{ident}){gap}{word}\b"
        return re.search(near, text) is not None


QUANTITY = AnswerType("quantity", _NUMBER)
DURATION = AnswerType("duration", _DURATION, _NUMBER)
FREQUENCY = AnswerType(
    "frequency",
    re.compile(rf"\b(?:every|each|per|daily|weekly|monthly|annually|yearly|once|twice)\b|{_DURATION.pattern}", re.I),
    _NUMBER,
)
DATE = AnswerType("date", _DATE, _WHEN_WORDS)
CONTACT = AnswerType("contact", _ADDRESS, _CONTACT_WORDS)
IDENTIFIER = AnswerType("identifier", _IDENTIFIER)
STEPS = AnswerType("steps", _IMPERATIVE, re.compile(r"."), kinds=("list", "item"))  # a list, a step, "Submit …"


def frame(question: str) -> str:
    """The question's asking phrase, lower-cased ("how long", "who", "can"); "" if it has none."""
    found: list[str] = []
    for start in _CLAUSE_START.finditer(question):
        m = _WH.match(question, start.end())
        if m and not re.match(r"\s+about\b", question[m.end() :]):  # "what about …?": elliptical, no frame
            found.append(" ".join(m.group(1).lower().split()))
    # A clause-initial wh-word wins over a leading yes/no auxiliary ("do you know how long …").
    for phrase in found:
        if phrase.split()[0] in (
            "how",
            "what",
            "what's",
            "whats",
            "when",
            "where",
            "who",
            "whom",
            "whose",
            "which",
            "why",
        ):
            return phrase
    return found[0] if found else ""


def answer_type(question: str) -> AnswerType | None:
    """The kind of answer ``question`` asks for, from its frame; None when any span may answer."""
    phrase = frame(question)
    q = question.lower()
    if phrase in ("how long", "how soon"):
        return DURATION
    if phrase == "how often":
        return FREQUENCY
    if phrase in ("when", "how early", "how late") or re.search(r"\bwhat (?:day|date|time)\b|\bby when\b", q):
        return DATE
    degree = phrase.startswith("how ") and phrase.split()[1] not in _NOT_DEGREE  # "how much", "how negative"
    if degree or (phrase.startswith("what") and _LIMIT_WHAT.search(q)):
        return QUANTITY
    if phrase in ("who", "whom") or _CONTACT_WHAT.search(q):
        return CONTACT
    ident = _IDENT_WHAT.search(q)
    if phrase in ("what", "which", "what's", "whats") and ident:
        return AnswerType("identifier", _IDENTIFIER, needs=ident.group(1).lower())
    if _PROCEDURE.search(question.strip()):
        return STEPS
    return None  # yes/no ("can I …?") and open questions: a rule sentence did not rank better (docs/benchmarks.md)
