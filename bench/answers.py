"""Cited-answer quality on the bundled sample knowledge base (bench/sample_kb_questions.jsonl).

    python bench/answers.py

Indexes sample_kb/ into a temporary store, asks 24 answerable and 6 unanswerable questions, and
compares in the same run (see ``kbot eval answers`` for the systems):
  * reader — the embedded answerer (cites the expected file / abstains when unsupported);
  * legacy — the first embedded answerer (sentence similarity only);
  * top1   — baseline: always answers from the best retrieved passage, never abstains.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.cli.eval_answers import systems  # noqa: E402
from adapters.wiring import App  # noqa: E402
from bot.models import Question  # noqa: E402
from ingest.connectors.folder import FolderConnector  # noqa: E402


async def main() -> int:
    questions = [json.loads(x) for x in (REPO / "bench" / "sample_kb_questions.jsonl").read_text().splitlines() if x]
    with tempfile.TemporaryDirectory() as tmp:
        app = App.from_env(kbot_db=Path(tmp) / "kb.db")
        pipeline, _, _ = app.ingest_pipeline()
        kb = REPO / "sample_kb"
        await pipeline.sync(FolderConnector("sample_kb", kb, supports=app.parser.supports), source="sample_kb")
        scores: dict[str, list[int]] = {}
        for name, answerer in systems(app, ["reader", "legacy", "top1"]).items():
            scores[name] = [0, 0, 0]  # right file, correct abstain, wrong
            for q in questions:
                answer = await answerer.answer(Question(q["question"]))
                cited = answer.citations[0].uri if answer.grounded and answer.citations else None
                if q["answerable"] and cited == q["expected_file"]:
                    scores[name][0] += 1
                elif not q["answerable"] and cited is None:
                    scores[name][1] += 1
                else:
                    scores[name][2] += 1
                    print(f"  {name} miss {q['id']}: {answer.text[:100]!r}", file=sys.stderr)
        await app.aclose()
    n_ans = sum(q["answerable"] for q in questions)
    n_un = len(questions) - n_ans
    print(f"{'system':<10} {'answerable: right file':>24} {'unanswerable: abstained':>25} {'accuracy':>9}")
    for name, (right, abstained, _) in scores.items():
        acc = (right + abstained) / len(questions)
        print(f"{name:<10} {right:>17}/{n_ans:<6} {abstained:>18}/{n_un:<6} {acc:>9.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
