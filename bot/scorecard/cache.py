"""Results cached by task + model + item in an append-only JSONL file, so a stopped run resumes free.

One line per finished item, flushed as it finishes; a line cut short by a crash is ignored.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("kbot.scorecard")


def cache_key(task: str, model: str, item_id: str) -> str:
    return f"{task}\x1f{model}\x1f{item_id}"


class ResultCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                try:
                    row = json.loads(line)
                    self._entries[cache_key(row["task"], row["model"], row["item_id"])] = row
                except (json.JSONDecodeError, KeyError, TypeError):
                    log.warning("%s:%d: unreadable cache line ignored", path, n)

    def get(self, task: str, model: str, item_id: str) -> dict[str, Any] | None:
        return self._entries.get(cache_key(task, model, item_id))

    def put(self, row: dict[str, Any]) -> None:
        self._entries[cache_key(row["task"], row["model"], row["item_id"])] = row
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()

    def __len__(self) -> int:
        return len(self._entries)
