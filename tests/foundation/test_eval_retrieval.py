from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.cli.eval_retrieval import evaluate, format_table
from adapters.wiring import App, AppOverrides
from bot.errors import InputError
from bot.metrics import mrr_at, ndcg_at, percentile, recall_at
from bot.settings import Settings
from tests.fakes import HashEmbedder


def test_metrics() -> None:
    assert recall_at(["a", "b", "c"], {"c"}, 2) == 0.0 and recall_at(["a", "b", "c"], {"c"}, 3) == 1.0
    assert mrr_at(["a", "b"], {"b"}, 10) == 0.5
    assert ndcg_at(["x", "a"], {"a"}, 10) == pytest.approx(1 / 1.5849625, rel=1e-4)
    assert percentile([1, 2, 3, 4], 0.5) == 2.5


def write_beir(folder: Path) -> None:
    folder.mkdir()
    docs = {
        "d1": "The capital of France is Paris, on the Seine.",
        "d2": "Photosynthesis converts light into chemical energy in plants.",
        "d3": "The Pacific is the largest ocean on Earth.",
    }
    lines = (json.dumps({"_id": k, "title": "", "text": v}) for k, v in docs.items())
    (folder / "corpus.jsonl").write_text("\n".join(lines))
    qs = {"q1": "capital city of France", "q2": "largest ocean", "q3": "how do plants make energy from light"}
    (folder / "queries.jsonl").write_text("\n".join(json.dumps({"_id": k, "text": v}) for k, v in qs.items()))
    (folder / "qrels.tsv").write_text("query_id\tcorpus_id\tscore\nq1\td1\t1\nq2\td3\t1\nq3\td2\t1\n")


async def test_eval_reports_three_modes(tmp_path: Path) -> None:
    write_beir(tmp_path / "beir")
    app = App(Settings(), AppOverrides(embedder=HashEmbedder()))
    res = await evaluate(app, tmp_path / "beir")
    assert res["queries"] == 3
    for mode in ("hybrid", "bm25", "dense"):
        assert 0.0 <= res[mode]["recall@5"] <= 1.0
    assert res["bm25"]["recall@1"] == 1.0  # every query shares a distinctive word with its passage
    assert "hybrid" in format_table(res)


async def test_eval_rejects_non_beir_folder(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    with pytest.raises(InputError, match="corpus.jsonl"):
        await evaluate(App(Settings(), AppOverrides(embedder=HashEmbedder())), tmp_path / "x")
