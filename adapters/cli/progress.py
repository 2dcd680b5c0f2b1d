"""A progress bar on a terminal (tqdm), nothing otherwise."""

from __future__ import annotations

from typing import Any


class ProgressBar:
    def __init__(self, *, enabled: bool, desc: str = "indexing") -> None:
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(desc=desc, unit="doc", leave=False)

    def update(self, done: int, total: int | None) -> None:
        if self._bar is None:
            return
        if total is not None:
            self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
