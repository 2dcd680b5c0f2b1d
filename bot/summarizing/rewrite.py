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
_KEEP_VERBS = {"can", "will", "would", "should", "could", "must", "might", "may", "shall", "did", "had",
               "was", "need", "cannot", "can't", "won't", "wouldn't", "didn't", "couldn't", "shouldn't",
               "wasn't", "hadn't", "also", "just", "really", "still", "already", "never", "always", "only",
               "guess", "think"}
_IRREGULAR = {"am": "is", "have": "has", "do": "does", "don't": "doesn't", "haven't": "hasn't", "go": "goes",
              "'m": " is", "'ve": " has", "'ll": " will", "'d": " would", "’m": " is", "’ve": " has",
              "’ll": " will", "’d": " would", "need": "needs", "guess": "guesses", "think": "thinks"}
_I_CONTRACTION = re.compile(r"\bI(['’](?:m|ve|ll|d))\b")
_I_VERB = re.compile(r"\bI\s+([A-Za-z'’]+)")
_POSSESSIVE = re.compile(r"\b(?:my|My)\b")
_OBJECT = re.compile(r"\b(?:me|myself)\b")


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


def third_person(sentence: str, speaker: str) -> str:
    """Rewrite the first person of ``speaker`` into the third person; strip leading filler."""
    text = _FILLER.sub("", sentence.strip()).strip() or sentence.strip()
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
