"""Token prices per model (USD per million tokens) and the cost of a call.

The default table ships with kbot (``adapters/bedrock/prices.json``) with the date it was read and where
from; ``--prices FILE`` replaces it (same format). Model ids are matched after dropping an ARN's
resource prefix; a cross-region inference profile (``us.``, ``eu.``, ``global.`` ...) uses its own entry
when the table has one (Claude 4.5 geographic profiles cost 10% more than global ones), else the model's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import InputError

PROFILE_PREFIXES = ("us.", "us-gov.", "eu.", "apac.", "jp.", "au.", "ca.", "global.")
ZERO_COST = "embedded"  # the local backend: no per-token price


@dataclass(slots=True, frozen=True)
class Price:
    input_per_m: float
    output_per_m: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_m + output_tokens * self.output_per_m) / 1_000_000


@dataclass(slots=True)
class PriceTable:
    prices: dict[str, Price]
    as_of: str = ""
    source: str = ""
    notes: str = ""
    origin: str = field(default="")  # the file it was read from

    def price(self, model_id: str) -> Price:
        if model_id == ZERO_COST:
            return Price(0.0, 0.0)
        name = model_id.rsplit("/", 1)[-1]  # an ARN's resource id
        for key in (name, base_model(name)):  # a profile's own entry first (geo profiles may cost more)
            if key in self.prices:
                return self.prices[key]
        raise InputError(
            f"no price for model {model_id!r} in {self.origin or 'the price table'}: "
            f"add it to a prices file and pass --prices FILE"
        )

    def cost(self, model_id: str, input_tokens: int, output_tokens: int) -> float:
        return self.price(model_id).cost(input_tokens, output_tokens)


def base_model(model_id: str) -> str:
    """``arn:...:inference-profile/us.anthropic.x`` -> ``anthropic.x``."""
    name = model_id.rsplit("/", 1)[-1]
    for prefix in PROFILE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def load_prices(path: Path) -> PriceTable:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        models = raw["models"]
        prices = {
            str(name): Price(float(p["input_per_million"]), float(p["output_per_million"]))
            for name, p in models.items()
        }
    except OSError as exc:
        raise InputError(f"cannot read price table {path}: {exc.strerror}") from exc
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f'{path}: not a price table (expected {{"models": {{ID: {{"input_per_million": USD, '
            f'"output_per_million": USD}}}}}}): {type(exc).__name__}: {exc}'
        ) from exc
    return PriceTable(
        prices,
        as_of=str(raw.get("as_of", "")),
        source=str(raw.get("source", "")),
        notes=str(raw.get("notes", "")),
        origin=str(path),
    )
