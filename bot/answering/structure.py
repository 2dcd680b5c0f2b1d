"""Candidate answer spans from a passage's structure: sentences, list items, lists with their
lead-in, and table rows — each with the context (heading, lead-in) that a reader needs.

Chunk text keeps one parsed element per line (see :mod:`ingest.chunking`): a paragraph, a list
item (``- ``), or a table row (``| header: value | …``, see ``adapters.parsing.tables``).
Headings and short labels are context only, never an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.models import Passage
from bot.text import split_sentences

_ITEM = re.compile(r"^(?:[-*•]|\d{1,2}[.)]|[a-h]\))\s+")  # "- x", "2. x", "b) x"
ROW_MARK = "| "
MAX_LIST_ITEMS = 10
MAX_SPAN_CHARS = 700
_END = re.compile(r"[.!?:;)\]\"'”’]$")
KEYWORDS_LINE = "Keywords: "  # a page's search keywords, kept by the Markdown parser (adapters.parsing.front_matter)
_FRONT_MATTER = re.compile(r"\b[a-z][a-z_]{2,}: ")  # "title: … keywords: … redirect_from: …"
_INLINE_BULLET = re.compile(r"(?<=[.:!?)])\s+-\s+(?=[^\s\d])")  # "… schedule. - Overtime: Yes …", not "9 a.m. - 5 p.m."
_SHORT_ITEM_BULLET = re.compile(r"\s+-\s+(?=[A-Z])")  # "following: - Used all leave - A negative …"
_SENTENCE_INSIDE = re.compile(r"[.!?]\s")
_INLINE_LETTER = re.compile(r"(?<=[.:;])\s+\(?([a-h])\)\s+")  # "three steps: a) Manager approval. b) Security …"


@dataclass(slots=True)
class Span:
    text: str  # what the answer shows
    context: str  # heading, lead-in or row label: helps matching, never shown alone
    passage: int
    line: int  # index of the line in the passage (reading order)
    order: int  # index within the line (sentence number)
    kind: str  # sentence | item | list | row
    label: str = ""  # the heading or run-in label above the span (shown before an item or row)
    score: float = 0.0
    cosine: float = 0.0
    lexical: float = 0.0


def row_text(line: str) -> str:
    """``| Label | A: 1 | B: 2`` -> ``Label — A: 1; B: 2``."""
    cells = [c.strip() for c in line[len(ROW_MARK) :].split(" | ") if c.strip()]
    if cells and ":" not in cells[0] and len(cells) > 1:
        return f"{cells[0]} — " + "; ".join(cells[1:])
    return "; ".join(cells)


def _is_metadata(line: str) -> bool:
    """Document front matter that a parser left in the text (YAML keys): context, not an answer."""
    return (
        line.startswith(("---", KEYWORDS_LINE))
        or (line[:1].islower() and len(_FRONT_MATTER.findall(line)) >= 2)
    )


def _is_question(text: str) -> bool:
    return text.rstrip("*_ )").endswith("?")


def _is_heading_like(line: str) -> bool:
    """A short line without sentence punctuation: a heading or label the parser left in the text."""
    return len(line.split()) <= 8 and not _END.search(line) and not line.startswith(ROW_MARK)


def passage_lines(text: str) -> list[str]:
    """Lines of a chunk, with hard-wrapped lines (PDF text) joined back into their paragraph."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        wrapped = (
            out
            and not _END.search(out[-1])
            and line[:1].islower()
            and not _ITEM.match(line)
            and not line.startswith(ROW_MARK)
        )
        if wrapped:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return [piece for line in out for piece in _inline_items(line)]


def _inline_items(line: str) -> list[str]:
    """A paragraph the parser ran its list into ("… schedule. - Overtime: Yes - Can be … - Credit
    hours: No") -> the paragraph and one ``- `` line per item. A dash after a sentence end starts an
    item; after a lead-in ending in ":", items without sentences inside split at every " - X"."""
    if line.startswith(ROW_MARK) or _ITEM.match(line) or _is_metadata(line):
        return [line]
    lettered = _lettered_items(line)
    if lettered:
        return lettered
    first = _INLINE_BULLET.search(line)
    if first is None:
        return [line]
    head, rest = line[: first.start()], line[first.end() :]
    short = head.endswith(":") and not _SENTENCE_INSIDE.search(rest)
    items = (_SHORT_ITEM_BULLET if short else _INLINE_BULLET).split(rest)
    return [head, *(f"- {item}" for item in items if item.strip())]


def _lettered_items(line: str) -> list[str]:
    """"… three steps: a) Manager approval. b) Security review … c) Procurement …" -> the lead-in and
    one ``- `` line per lettered item; only a run that starts at "a)" after a ":" and goes on in order."""
    marks = list(_INLINE_LETTER.finditer(line))
    if len(marks) < 2 or marks[0].group(1) != "a" or not line[: marks[0].start()].endswith(":"):
        return []
    run = [marks[0]]
    for m in marks[1:]:
        if ord(m.group(1)) == ord(run[-1].group(1)) + 1:
            run.append(m)
    if len(run) < 2:
        return []
    bounds = [m.start() for m in run[1:]] + [len(line)]
    return [line[: run[0].start()], *(f"- {line[m.end() : end].strip()}" for m, end in zip(run, bounds, strict=True))]


def spans(passage: Passage, index: int) -> list[Span]:
    lines = passage_lines(passage.text)
    heading = passage.heading if passage.heading and passage.heading != passage.title else ""
    out: list[Span] = []
    lead_in = ""  # the paragraph that introduces the following items/rows
    label = heading
    for n, line in enumerate(lines):
        if line.startswith(ROW_MARK):
            out.append(Span(row_text(line), f"{label} {lead_in}".strip(), index, n, 0, "row", label))
            continue
        item = _ITEM.match(line)
        if item:
            body = line[item.end() :].strip()
            if len(body.split()) >= 2 and not _is_question(body):  # a listed question is a link, not an answer
                out.append(Span(body, f"{label} {lead_in}".strip(), index, n, 0, "item", label))
            continue
        if _is_heading_like(line) or _is_metadata(line):
            label, lead_in = (line, "") if not _is_metadata(line) else (label, lead_in)
            continue
        if _is_question(line) and len(split_sentences(line)) == 1:  # an FAQ's question: the label of its answer
            label, lead_in = line, ""
            continue
        sentences = split_sentences(line)
        local = label
        for k, sent in enumerate(sentences):
            if len(sent.split()) < 3:  # "Premiums." — a run-in label
                local = f"{label} {sent}".strip()
                continue
            if sent.endswith(":") and k == len(sentences) - 1:
                listed = _list_after(lines, n + 1)
                if listed:
                    out.append(Span(_render_list(sent, listed), local, index, n, k, "list"))
                continue  # a lead-in is never an answer on its own
            out.append(Span(sent, local, index, n, k, "sentence"))
        lead_in = sentences[-1] if sentences else ""
    return out


def _list_after(lines: list[str], start: int) -> list[str]:
    items: list[str] = []
    for line in lines[start:]:
        item = _ITEM.match(line)
        if item:
            items.append(line[item.end() :].strip())
        elif line.startswith(ROW_MARK):
            items.append(row_text(line))
        else:
            break
        if len(items) >= MAX_LIST_ITEMS:
            break
    return items


def _render_list(lead_in: str, items: list[str]) -> str:
    out = lead_in
    for item in items:
        if len(out) + len(item) > MAX_SPAN_CHARS:
            out += "\n- …"
            break
        out += f"\n- {item}"
    return out
