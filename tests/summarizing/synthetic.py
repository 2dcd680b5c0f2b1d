"""A deterministic synthetic chat thread of any length (for the memory benchmark and tests)."""

from __future__ import annotations

import random

from bot.models import Conversation, Message

_PEOPLE = ["Dana", "Raj", "Mei", "Tomas", "Aisha", "Lars", "Noor", "Felix"]
_TOPICS = [
    "the billing migration",
    "the on-call rota",
    "the Q3 roadmap",
    "the new laptop policy",
    "the search latency regression",
    "the customer onboarding flow",
    "the data retention rules",
    "the office move",
    "the SSO rollout",
    "the incident review",
]
_TEMPLATES = [
    "I looked into {topic} and the main risk is the timeline.",
    "Can you check the numbers for {topic} by Friday?",
    "I'll draft a proposal for {topic} tomorrow.",
    "We agreed to pause {topic} until the audit is done.",
    "What is the budget for {topic}?",
    "The dashboard shows {topic} improved by {n} percent this week.",
    "Let's go with the second option for {topic}.",
    "I think {topic} needs another review before we ship.",
    "Thanks, that helps a lot 👍",
    "Does anyone know who owns {topic}?",
    "Customers reported {n} tickets about {topic} yesterday.",
    "ok",
]


def synthetic_thread(messages: int, seed: int = 7) -> Conversation:
    rng = random.Random(seed)
    out = []
    for i in range(messages):
        text = rng.choice(_TEMPLATES).format(topic=rng.choice(_TOPICS), n=rng.randint(2, 40))
        ts = f"{1700000000 + 37 * i}.{i:06d}"
        out.append(
            Message(
                author=rng.choice(_PEOPLE),
                text=text,
                ts=ts,
                is_bot=i % 97 == 0,
                link=f"https://example.slack.com/archives/C0SYNTH/p{ts.replace('.', '')}",
            )
        )
    return Conversation(kind="chat", messages=out, title=f"synthetic thread ({messages} messages)")
