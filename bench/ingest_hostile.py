"""Hostile-folder ingest: every file is indexed or reported, the rest of the folder is indexed,
peak RSS stays under 1 GB.

The folder is generated at run time in a temporary directory: a zip-bomb .docx (expands to
200 MB), ``zero.txt -> /dev/zero``, a FIFO named ``pipe.md``, a symlink to a file outside the
folder, a 50 MB .txt, a 10k-bullet deck, ``--small-files`` small Markdown files and a copy of
``sample_kb/``. It is ingested with ``kbot ingest`` in this process, wired as in production
(parse worker with time and memory caps) except for the embedder (``--embedder hash`` by
default: the bench measures ingest safety, not embedding). The baseline row is the same run
over the benign files only. Peak RSS is sampled every 0.2 s over this process and all its
descendants (the parse worker), summed.

    python bench/ingest_hostile.py                      # 20k small files
    python bench/ingest_hostile.py --small-files 2000 --embedder minilm
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.cli.main import build_parser  # noqa: E402
from adapters.wiring import App  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from tests.security.hostile_files import bullet_deck, zip_bomb_docx  # noqa: E402

RSS_LIMIT_MB = 1024


class HashEmbedder:
    """Hashed bag of words: microseconds per text, so the bench measures ingest, not a model."""

    model_id = "bench-hash-v1"

    async def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.blake2b(word.encode(), digest_size=4).hexdigest(), 16) % 64] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class RssSampler(threading.Thread):
    """Peak of (this process + descendants) resident memory, from /proc."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self._done = threading.Event()

    @staticmethod
    def _tree_rss_kb() -> int:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError):
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            pid = frontier.pop()
            kids = [p for p, pp in parents.items() if pp == pid and p not in tree]
            tree.update(kids)
            frontier.extend(kids)
        total = 0
        for pid in tree:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total

    def run(self) -> None:
        while not self._done.wait(0.2):
            self.peak_kb = max(self.peak_kb, self._tree_rss_kb())

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak_kb // 1024


def build_folder(root: Path, outside: Path, small_files: int, hostile: bool) -> list[str]:
    """Writes the folder; returns the hostile files' relative paths."""
    shutil.copytree(REPO / "sample_kb", root / "sample_kb")
    for i in range(small_files):
        sub = root / "small" / f"part{i // 500:03}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"note{i:05}.md").write_text(f"# Note {i}\n\nRoom {i} is booked through the facilities desk.\n")
    if not hostile:
        return []
    zip_bomb_docx(root / "bomb.docx", expanded_mb=200)
    (root / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(root / "pipe.md")
    outside.mkdir(exist_ok=True)
    (outside / "secret.md").write_text("# Secret\n\nThe merger closes on Friday.\n")
    (root / "leak.md").symlink_to(outside / "secret.md")
    with (root / "huge.txt").open("w") as handle:
        line = "The quarterly report is due on the fifth business day of the month.\n"
        for _ in range(50 * 1024 * 1024 // len(line)):
            handle.write(line)
    slides = [(f"Rules {s}", [f"Rule {s}-{i}: limit {i} units" for i in range(100)]) for s in range(100)]
    bullet_deck(root / "deck10k.pptx", slides)
    return ["bomb.docx", "zero.txt", "pipe.md", "leak.md", "huge.txt", "deck10k.pptx"]


def every_file(root: Path) -> set[str]:
    found: set[str] = set()
    for dirpath, _dirs, files in os.walk(root):
        found.update((Path(dirpath) / f).relative_to(root).as_posix() for f in files)
    return found


async def ingest(root: Path, db: Path, embedder: Any, timeout_s: float) -> dict[str, Any]:
    settings = load_settings(kbot_db=db, kbot_parse_timeout_s=timeout_s)
    app = App(settings, **({"embedder": embedder} if embedder is not None else {}))
    args = build_parser().parse_args(["ingest", str(root), "--source", "hostile", "--json"])
    out, err = io.StringIO(), io.StringIO()
    sampler = RssSampler()
    sampler.start()
    started = time.monotonic()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = await args.handler(args, app)
        known = set(await app.store.known("hostile"))
    finally:
        wall = time.monotonic() - started
        peak = sampler.stop()
        await app.aclose()
        getattr(app.parser, "close", lambda: None)()  # the parse worker process
    warnings = [line for line in err.getvalue().splitlines() if line.startswith("kbot: warning: ")]
    reported = {line.removeprefix("kbot: warning: ").split(": ", 1)[0]: line for line in warnings}
    return {
        "rc": rc,
        "wall_s": wall,
        "peak_rss_mb": peak,
        "indexed": known,
        "reported": reported,
        "report": json.loads(out.getvalue()),
    }


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    embedder = HashEmbedder() if args.embedder == "hash" else None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for hostile in (False, True):
            name = "hostile" if hostile else "baseline"
            root = Path(tmp) / name / "kb"
            root.mkdir(parents=True)
            bad = build_folder(root, Path(tmp) / name / "outside", args.small_files, hostile)
            result = await ingest(root, Path(tmp) / name / "kbot.db", embedder, args.parse_timeout)
            files = every_file(root)
            unaccounted = sorted(files - result["indexed"] - set(result["reported"]))
            benign_missing = sorted(f for f in files - set(bad) if f not in result["indexed"])
            rows.append(
                {
                    "run": name,
                    "files": len(files),
                    "indexed": len(result["indexed"]),
                    "reported": len(result["reported"]),
                    "unaccounted": unaccounted,
                    "benign_missing": benign_missing,
                    "wall_s": round(result["wall_s"], 1),
                    "peak_rss_mb": result["peak_rss_mb"],
                    "rc": result["rc"],
                    "hostile": {
                        f: result["reported"].get(f, "indexed" if f in result["indexed"] else "?") for f in bad
                    },
                }
            )
    return rows


def main() -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-files", type=int, default=20_000)
    parser.add_argument("--embedder", choices=["hash", "minilm"], default="hash")
    parser.add_argument("--parse-timeout", type=float, default=120.0, help="KBOT_PARSE_TIMEOUT_S")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    rows = asyncio.run(main_async(args))
    print(
        f"{'run':<9} {'files':>6} {'indexed':>7} {'reported':>8} {'unaccounted':>11} {'wall s':>7} {'peak RSS MB':>11}"
    )
    for r in rows:
        print(
            f"{r['run']:<9} {r['files']:>6} {r['indexed']:>7} {r['reported']:>8} {len(r['unaccounted']):>11} "
            f"{r['wall_s']:>7.1f} {r['peak_rss_mb']:>11}"
        )
    for f, outcome in rows[-1]["hostile"].items():
        print(f"  {outcome.removeprefix('kbot: warning: ') if outcome != 'indexed' else f + ': indexed'}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    problems = [
        f"{r['run']}: {what}"
        for r in rows
        for what, bad in (
            ("files neither indexed nor reported", r["unaccounted"]),
            ("benign files not indexed", r["benign_missing"]),
            (f"peak RSS over {RSS_LIMIT_MB} MB", r["peak_rss_mb"] >= RSS_LIMIT_MB),
        )
        if bad
    ]
    print("PASS" if not problems else "FAIL: " + "; ".join(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
