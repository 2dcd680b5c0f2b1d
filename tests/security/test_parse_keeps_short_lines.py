"""Issue 19 item 2: short lines that unstructured labels as titles are kept as text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.parsing.unstructured_parser import UnstructuredParser, use_bundled_spacy_model
from tests.security.hostile_files import bullet_deck

SAMPLE_KB = Path(__file__).resolve().parents[2] / "sample_kb"
TYPES = sorted({p.suffix for p in SAMPLE_KB.rglob("*") if p.is_file()} - {".pdf"})


def _element_texts(data: bytes, name: str) -> list[str]:
    use_bundled_spacy_model()
    from unstructured.partition.auto import partition

    return [t for t in ((e.text or "").strip() for e in partition(file=io.BytesIO(data), metadata_filename=name)) if t]


@pytest.mark.parametrize("ext", TYPES)
async def test_every_element_of_every_sample_format_is_kept(ext: str) -> None:
    parser = UnstructuredParser()
    for path in sorted(SAMPLE_KB.rglob(f"*{ext}")):
        data = path.read_bytes()
        parsed = await parser.parse(data, path.name)
        kept = parsed.text + "\n" + parsed.title
        words = set(kept.split())  # tables are kept as "header: value" rows: every cell, not the flat text
        missing = [
            t for t in _element_texts(data, path.name)
            if t not in kept and not {w.rstrip(":") for w in t.split()} <= {w.rstrip(":") for w in words}
        ]
        assert not missing, f"{path.name}: dropped {missing}"


async def test_pptx_keeps_every_short_bullet(tmp_path: Path) -> None:
    deck = bullet_deck(
        tmp_path / "policy.pptx",
        [
            ("Travel", ["Hotel cap: 250 USD per night", "Meal cap: 65 USD", "Taxi: economy"]),
            ("Support", ["Helpdesk phone: 555-0199", "Hours: 8-18"]),
        ],
    )
    parsed = await UnstructuredParser().parse(deck.read_bytes(), deck.name)
    for line in ("Hotel cap: 250 USD per night", "Meal cap: 65 USD", "Helpdesk phone: 555-0199", "Hours: 8-18"):
        assert line in parsed.text


async def test_txt_of_key_value_lines_keeps_every_line() -> None:
    data = b"Contacts\n\nHelpdesk phone: 555-0199\n\nHotel cap: 250 USD per night\n\nBadge office: room 12\n"
    parsed = await UnstructuredParser().parse(data, "contacts.txt")
    for line in ("Helpdesk phone: 555-0199", "Hotel cap: 250 USD per night", "Badge office: room 12"):
        assert line in parsed.text


async def test_deck_of_many_bullets_has_text(tmp_path: Path) -> None:
    slides = [(f"Slide {s}", [f"Item {s}-{i}: value {i}" for i in range(20)]) for s in range(25)]
    deck = bullet_deck(tmp_path / "big.pptx", slides)
    parsed = await UnstructuredParser().parse(deck.read_bytes(), deck.name)
    assert "Item 0-0: value 0" in parsed.text and "Item 24-19: value 19" in parsed.text
