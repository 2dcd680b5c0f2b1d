"""Light extractive compression: a chat line rewritten in the third person with the speaker's name.

``Amanda: I baked cookies`` -> ``Amanda baked cookies``. Only pronouns, the verb agreeing with them
and leading filler words change; the content words stay the ones that were said.
"""

from __future__ import annotations

import re

_FILLER = re.compile(
    r"^(?:(?:ok(?:ay)?|oh|ah|well|yeah|yes|yep|yup|no|nope|so|hey|hi|hello|haha+|hah|lol|hmm+|um+|"
    r"sure|alright|right|wow|great|cool|fine|thanks|thx|btw|anyway|and|but|also|actually|listen|look)\b[\s,.!…-]*)+",
    re.IGNORECASE,
)
_KEEP_VERBS = {
    "can",
    "will",
    "would",
    "should",
    "could",
    "must",
    "might",
    "may",
    "shall",
    "did",
    "had",
    "was",
    "need",
    "cannot",
    "can't",
    "won't",
    "wouldn't",
    "didn't",
    "couldn't",
    "shouldn't",
    "wasn't",
    "hadn't",
    "also",
    "just",
    "really",
    "still",
    "already",
    "never",
    "always",
    "only",
    "guess",
    "think",
}
_IRREGULAR = {
    "am": "is",
    "have": "has",
    "do": "does",
    "don't": "doesn't",
    "haven't": "hasn't",
    "go": "goes",
    "'m": " is",
    "'ve": " has",
    "'ll": " will",
    "'d": " would",
    "’m": " is",
    "’ve": " has",
    "’ll": " will",
    "’d": " would",
    "need": "needs",
    "guess": "guesses",
    "think": "thinks",
}
_I_CONTRACTION = re.compile(r"\bI(['’](?:m|ve|ll|d))\b")
_I_VERB = re.compile(r"\bI\s+([A-Za-z'’]+)")
_POSSESSIVE = re.compile(r"\b(?:my|My)\b")
_OBJECT = re.compile(r"\b(?:me|myself)\b")
_YOU_AUX = {
    "are": "is",
    "were": "was",
    "have": "has",
    "do": "does",
    "don't": "doesn't",
    "haven't": "hasn't",
    "aren't": "isn't",
    "weren't": "wasn't",
    "'re": " is",
    "’re": " is",
    "'ve": " has",
    "’ve": " has",
    "'ll": " will",
    "’ll": " will",
    "'d": " would",
    "’d": " would",
}
_YOU_CONTRACTION = re.compile(r"\b[Yy]ou(['’](?:re|ve|ll|d))\b")
_YOU_VERB = re.compile(
    r"\b[Yy]ou\s+(are|were|have|do|don't|haven't|aren't|weren't|need|want|know|like|think|"
    r"can|will|should|could|would|must|might|did|didn't|can't|won't|said|got|look|sound|"
    r"mean|remember|forgot|feel)\b"
)
_YOU_QUESTION = re.compile(r"\b(do|does|did|are|were|have|has|can|will|would|could|should)\s+you\b", re.IGNORECASE)
_QUESTION_AUX = {"do": "does", "are": "is", "were": "was", "have": "has"}
_WE_CONTRACTION = re.compile(r"\b[Ww]e(['’](?:ll|re|ve|d))\b")
_WE_AUX = {"ll": "will", "re": "are", "ve": "have", "d": "would"}
_WE = re.compile(r"\b(?:we|We|us)\b")
_YOUR = re.compile(r"\b[Yy]our\b")
_YOU = re.compile(r"\b[Yy]ou\b")


_LEAD_PHRASE = re.compile(
    r"^(?:(?:(?:just )?a (?:quick )?reminder(?: that)?|this is (?:a|to) (?:reminder|confirm)(?: that)?"
    r"|i (?:would like|wanted|want|just wanted) to (?:let you know|remind you|inform you)(?: that)?"
    r"|as (?:you know|discussed)|attached (?:is|are)|here (?:is|are)|please|pls|fyi|just|also|so|ok"
    r")\b[\s,:]*)+",
    re.IGNORECASE,
)


def strip_lead(sentence: str) -> str:
    """Drop a leading courtesy phrase (``FYI,`` ``Just a reminder that``); keep the rest verbatim."""
    rest = _LEAD_PHRASE.sub("", sentence.strip()).strip()
    return (rest[:1].upper() + rest[1:]) if rest else sentence.strip()


def _third_person(verb: str) -> str:
    low = verb.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low in _KEEP_VERBS or low.endswith("ed") or not low.isalpha():
        return verb
    if re.search(r"(?:s|sh|ch|x|z|o)$", low):
        return verb + "es"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    return verb + "s"


def _second_person(text: str, speaker: str, addressee: str) -> str:
    def inverted(match: re.Match[str]) -> str:
        aux = match.group(1)
        new = _QUESTION_AUX.get(aux.lower(), aux.lower())
        return f"{new.capitalize() if aux[0].isupper() else new} {addressee}"

    text = _YOU_QUESTION.sub(inverted, text)
    text = _WE_CONTRACTION.sub(lambda m: f"{speaker} and {addressee} {_WE_AUX[m.group(1).lower()[1:]]}", text)
    text = _WE.sub(f"{speaker} and {addressee}", text)
    text = _YOU_CONTRACTION.sub(lambda m: addressee + _YOU_AUX[m.group(1).lower()], text)
    text = _YOU_VERB.sub(lambda m: f"{addressee} {_YOU_AUX.get(m.group(1).lower()) or _third_person(m.group(1))}", text)
    text = _YOUR.sub(f"{addressee}'s", text)
    return _YOU.sub(addressee, text)


def third_person(sentence: str, speaker: str, addressee: str | None = None) -> str:
    """Rewrite the first person of ``speaker`` (and the second person, when the one person spoken
    to is known) into the third person; strip leading filler."""
    text = _FILLER.sub("", sentence.strip()).strip() or sentence.strip()
    if addressee:
        text = _second_person(text, speaker, addressee)
    text = _I_CONTRACTION.sub(lambda m: speaker + _IRREGULAR.get(m.group(1).lower(), m.group(1)), text)
    text = _I_VERB.sub(lambda m: f"{speaker} {_third_person(m.group(1))}", text)
    text = re.sub(r"\bI\b", speaker, text)
    text = _POSSESSIVE.sub(f"{speaker}'s", text)
    text = _OBJECT.sub(speaker, text)
    if not text.startswith(speaker):
        text = f"{speaker}: {text[:1].upper()}{text[1:]}" if text else speaker
    if text and text[-1] not in ".!?":
        text += "."
    return text
