"""Tables as rows: each row becomes one line of ``| header: value | header: value`` pairs.

Flattening a table into run-on text ("Location Cap per night Tier-1 cities … $250 All other cities
$175") loses which value belongs to which header. One line per row keeps a row together through
chunking, and the answer reader (:mod:`bot.answering.structure`) renders it as "header: value".
"""

from __future__ import annotations

from html.parser import HTMLParser

ROW_MARK = "| "


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[bool, list[str]]] = []  # (is header row, cells)
        self._cell: list[str] | None = None
        self._header = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append((False, []))
        elif tag in ("td", "th"):
            self._cell = []
            self._header = tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            if not self.rows:
                self.rows.append((False, []))
            is_header, cells = self.rows[-1]
            cells.append(" ".join("".join(self._cell).split()))
            self.rows[-1] = (is_header or self._header, cells)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[str]:
    """``<table>`` html -> one ``| header: value | …`` line per body row (first row = headers)."""
    parser = _Rows()
    parser.feed(html)
    rows = [cells for _, cells in parser.rows if any(cells)]
    if len(rows) < 2:
        return [ROW_MARK + " | ".join(c for c in cells if c) for cells in rows]
    headers, out = rows[0], []
    for cells in rows[1:]:
        pairs = []
        for i, value in enumerate(cells):
            if not value:
                continue
            header = headers[i] if i < len(headers) else ""
            pairs.append(f"{header}: {value}" if header and header != value else value)
        out.append(ROW_MARK + " | ".join(pairs))
    return out
