"""Does the span name a *different* member of the category the question narrows to?

"Can I take bereavement leave when my pet dies?" read against "… bereavement leave for the passing
of your child" matches everything but the constraint: the span names a neighbour of the asked term
("child" for "pet", "birth" for "miscarriage") and never the asked term itself. Word vectors alone
cannot tell a neighbour that contradicts ("child" for "pet") from one that includes or restates
("family" for "grandmother", "court" for "summons"): both sit at a middling cosine. The swap test
can: rewrite the answer to name the asked term in the neighbour's place; if that rewrite fits the
question much better than the answer does (:data:`GAIN` of sentence cosine), the answer is about the
neighbour, not the asked term. A hypernym or paraphrase swapped in changes little — the answer
already said it.

Only rare asked terms (IDF ≥ :data:`RARE` of the largest) that the cited document never states are tested, against
specific span words (IDF ≥ :data:`SPECIFIC`) not in the question, so the extra embedding runs on few
questions (latency: docs/benchmarks.md, "Fourth pass (abstention)").
"""

from __future__ import annotations

import math
import re

import numpy as np

from bot.answering.answerability import SYNONYM, states
from bot.answering.reader import TermStats, term_weights
from bot.answering.word_vectors import WordVectors
from bot.ports import Embedder
from bot.text import content_words

# IDF thresholds as shares of the knowledge base's largest IDF (a term in no chunk), so that "rare"
# means the same on a 60-chunk and a 3,000-chunk base (on the handbook: 6.0 and 5.0, df <= 6 and <= 17).
RARE = 0.70  # an asked term worth testing: few chunks use it ("miscarriage", "pet")
SPECIFIC = 0.58  # a span word that may be a rival member ("child"), not a generic hypernym ("someone")
NEIGHBOUR = 0.40  # word cosine from which a span word is a neighbour of the asked term (< SYNONYM)
GAIN = 0.12  # sentence cosine the swapped-in answer must gain over the answer to call it a contrast
MAX_SWAPS = 4  # rewrites embedded per question part (latency)
_NOT_TERMS = frozenset("him her hers his himself herself them themselves".split())  # pronouns: no constraint


class ContrastCheck:
    def __init__(self, embedder: Embedder, stats: TermStats | None) -> None:
        self.embedder = embedder
        self.stats = stats
        self._vectors = WordVectors(embedder)

    async def check(self, question: str, weights: dict[str, float], answer: str, document: str) -> str:
        """``weights``: the question's term IDFs; ``answer``: the text that would be shown;
        ``document``: everything retrieved from the cited document (span, labels, title included).
        Returns "" or "contrast: asked -> named"."""
        if self.stats is None:
            return ""
        total, _ = await self.stats.term_document_frequencies([])
        top = math.log((total + 1) / 0.5)  # the IDF of a term no chunk has (reader.term_weights)
        asked = [
            t
            for t, w in weights.items()
            if w >= RARE * top and t not in _NOT_TERMS and "'" not in t and not states(t, document)
        ]
        if not asked:
            return ""
        qwords = set(weights)
        span = [w for w in dict.fromkeys(content_words(answer)) if w not in qwords]
        span = [w for w in span if not any(states(q, w) for q in qwords)]
        if not span:
            return ""
        await self._vectors.embed([*asked, *span])
        pairs: list[tuple[float, str, str]] = []
        for t in asked:
            sims = [(float(self._vectors[w] @ self._vectors[t]), w) for w in span]
            if max(sims)[0] >= SYNONYM:
                continue  # the answer says it in other words
            # a name's rival is a name ("Christmas" for "Easter"); a common noun is its class ("chatbots")
            kind = _named(t, question)
            pairs += [(c, t, w) for c, w in sims if c >= NEIGHBOUR and _named(w, answer) == kind]
        if not pairs:
            return ""
        idf = await term_weights(" ".join(w for _, _, w in pairs), self.stats)
        pairs = sorted((p for p in pairs if idf.get(p[2], 0.0) >= SPECIFIC * top), reverse=True)[:MAX_SWAPS]
        if not pairs:
            return ""
        swapped = [re.sub(rf"(?<![\w-]){re.escape(w)}(?![\w-])", t, answer, flags=re.I) for _, t, w in pairs]
        vecs = await self.embedder.embed([question, answer, *swapped])
        base = float(np.dot(vecs[0], vecs[1]))
        for (_, t, w), vec in zip(pairs, vecs[2:], strict=True):
            if float(np.dot(vecs[0], vec)) - base >= GAIN:
                return f"contrast: {t} -> {w}"
        return ""


def _named(word: str, text: str) -> bool:
    """Is ``word`` written as a name in ``text`` (capitalised somewhere other than a sentence start)?
    "ChatGPT" is a name; "chatbots", its class, is not — a different kind of word, not a rival."""
    for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, flags=re.I):
        if any(ch.isupper() for ch in m.group()) and not re.search(r"(?:^|[.!?:]\s+)$", text[: m.start()]):
            return True
    return False
