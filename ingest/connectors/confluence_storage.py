"""Confluence storage format (XHTML with ``ac:``/``ri:`` macros) → clean text with headings kept.

Headings become Markdown ``#`` lines (the pipeline splits sections on them); paragraphs, list items
and table rows become lines; code/plain-text macro bodies are kept; emoticons, user mentions and
macro parameters are dropped; links keep their text (or the linked page's title).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "li", "tr", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr",
          "ul", "ol", "table", "ac:structured-macro", "ac:task"}
_SKIP = {"ac:parameter", "ac:emoticon", "ri:user", "ac:placeholder", "script", "style"}
_SPACES = re.compile(r"[ \t\u00a0]+")


class _StorageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.heading_level = 0
        self.cell_index = 0
        self.link_has_body = False
        self.bullet_pending = False
        self._pending_title = ""

    def flush(self) -> None:
        text = _SPACES.sub(" ", "".join(self.current)).strip()
        self.current = []
        if not text:
            return
        if self.bullet_pending:
            text, self.bullet_pending = f"- {text}", False
        if self.heading_level:
            self.lines.append(f"{'#' * self.heading_level} {text}")
        else:
            self.lines.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
            return
        if self.skip_depth:
            return
        attr = dict(attrs)
        if tag in _BLOCK:
            self.flush()
        if re.fullmatch(r"h[1-6]", tag):
            self.heading_level = int(tag[1])
        elif tag == "li":
            self.bullet_pending = True
        elif tag == "tr":
            self.cell_index = 0
        elif tag in ("td", "th"):
            if self.cell_index:
                self.current.append(" | ")
            self.cell_index += 1
        elif tag == "time" and attr.get("datetime"):
            self.current.append(attr["datetime"] or "")
        elif tag == "ac:link":
            self.link_has_body = False
        elif tag in ("ac:link-body", "ac:plain-text-link-body"):
            self.link_has_body = True
        elif tag == "ri:page" and attr.get("ri:content-title"):
            self._pending_title = attr["ri:content-title"] or ""
        elif tag == "ri:attachment" and attr.get("ri:filename"):
            self._pending_title = attr["ri:filename"] or ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return
        self.handle_starttag(tag, attrs)
        if tag not in ("ri:page", "ri:attachment"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(self.skip_depth - 1, 0)
            return
        if self.skip_depth:
            return
        if tag == "ac:link":
            title = self._pending_title
            if title and not self.link_has_body:
                self.current.append(title)
            self._pending_title = ""
        if tag in _BLOCK:
            self.flush()
        if tag == "li":
            self.bullet_pending = False
        if re.fullmatch(r"h[1-6]", tag):
            self.heading_level = 0

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.current.append(data)

    def unknown_decl(self, data: str) -> None:  # <![CDATA[ ... ]]> in code / plain-text macros
        if data.startswith("CDATA[") and not self.skip_depth:
            self.flush()
            for line in data[6:].splitlines():
                if line.strip():
                    self.lines.append(line.rstrip())


def storage_to_text(xhtml: str) -> str:
    parser = _StorageParser()
    parser.feed(xhtml)
    parser.close()
    parser.flush()
    return "\n".join(parser.lines)
