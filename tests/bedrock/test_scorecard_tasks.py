"""``kbot eval scorecard --task summaries|condense`` on the fake Bedrock endpoint, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.errors import InputError
from tests.bedrock.fake_bedrock import Stream
from tests.bedrock.replies import converse_reply, converse_stream, kb_result, retrieve_reply
from tests.bedrock.scorecard_world import PASSAGES, STRONG, WEAK, run_scorecard, scorecard_args

DATA = Path(__file__).parent / "data"
GOOD_SUMMARIES = {
    "budget": "Anna and Ben hold the budget review tomorrow at 10am in room 4; Anna brings the Q3 numbers.",
    "deploy": "The deploy failed on a database migration; Carl rolls back and opens a ticket, Dina checks it.",
}


def _summary_stream(params: dict[str, Any]) -> Stream:
    prompt = json.dumps(params["messages"]).lower()
    topic = "budget" if "budget" in prompt else "deploy"
    if params["modelId"] == STRONG:
        text = json.dumps({"tldr": GOOD_SUMMARIES[topic], "key_points": [{"text": "agreed", "message": 2}]})
    elif topic == "budget":
        text = "Sure! Here is a summary: they talked."  # not the JSON object asked for
    else:
        text = json.dumps({"tldr": "People chatted about work."})
    return converse_stream([text], tokens=(400, 80))


async def test_summaries_rank_by_rouge_and_count_invalid_structured_output(
    fake_bedrock, bedrock_settings, tmp_path, capsys
):
    fake_bedrock.respond("ConverseStream", _summary_stream)
    args = scorecard_args(tmp_path, "--task", "summaries", "--data", str(DATA / "scorecard_samsum.jsonl"), "--json")

    assert await run_scorecard(bedrock_settings, args) == 0

    strong, weak = json.loads(capsys.readouterr().out)["models"]
    assert (strong["model"], weak["model"]) == (STRONG, WEAK)
    assert strong["metrics"]["valid"] == 1.0 and weak["metrics"]["valid"] == 0.5
    assert strong["metrics"]["rouge1"] > 0.5 > weak["metrics"]["rouge1"]
    assert strong["metrics"]["rouge2"] > weak["metrics"]["rouge2"]
    assert strong["metrics"]["rougeL"] > weak["metrics"]["rougeL"]
    assert weak["errors"] == 0 and weak["output_tokens"] == 80  # an invalid summary is still paid for
    assert weak["worst"][0]["item_id"] == "d1" and "not the expected JSON" in weak["worst"][0]["text"]


async def test_condense_scores_whether_the_rewritten_follow_up_finds_the_gold_document(
    fake_bedrock, bedrock_settings, tmp_path, capsys
):
    def condense(params: dict[str, Any]):
        prompt = json.dumps(params["messages"]).lower()
        if params["modelId"] == WEAK:
            return converse_reply("how often?", tokens=(90, 5))
        return converse_reply("How often are laptops refreshed?" if "laptop" in prompt else "Parental leave weeks?")

    def retrieve(params: dict[str, Any]):
        query = params["retrievalQuery"]["text"].lower()
        hits = [p for p in PASSAGES if p[0].split()[1 if "leave" in p[0] else 0].lower().rstrip("s") in query]
        return retrieve_reply(*(kb_result(t, uri=u, title=n) for t, u, n in hits or PASSAGES[2:]))

    fake_bedrock.respond("Converse", condense)
    fake_bedrock.respond("Retrieve", retrieve)
    data = DATA / "scorecard_followups.jsonl"
    args = scorecard_args(tmp_path, "--task", "condense", "--data", str(data), "--json")

    assert await run_scorecard(bedrock_settings, args) == 0

    report = json.loads(capsys.readouterr().out)
    strong, weak = report["models"]
    assert report["items"] == 2  # only the follow-ups (items with history)
    assert strong["model"] == STRONG and strong["metrics"]["gold_retrieved"] == 1.0
    assert weak["metrics"]["gold_retrieved"] == 0.0
    assert {c["modelId"] for c in fake_bedrock.calls("Converse")} == {STRONG, WEAK}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--concurrency", "0"], "--concurrency must be at least 1"),
        (["--max-cost", "0"], "--max-cost must be more than 0"),
        (["--data", "missing.jsonl"], "no such evaluation set"),
        (["--prices", "missing.json"], "cannot read price table"),
        (["--task", "summaries"], "cannot tell the format of scorecard_answers.jsonl: pass --format"),
    ],
)
async def test_bad_input_is_one_clear_error_before_any_call(fake_bedrock, bedrock_settings, tmp_path, extra, message):
    with pytest.raises(InputError, match=message):
        await run_scorecard(bedrock_settings, scorecard_args(tmp_path, *extra))
    assert fake_bedrock.requests == []


async def test_real_cli_process_stops_at_the_budget_with_one_line_and_exit_code_3(fake_bedrock, tmp_path):
    from tests.bedrock.scorecard_world import DATA, script_world
    from tests.bedrock.test_bedrock_cli import _kbot

    billing = script_world(fake_bedrock)
    code, out, err = await _kbot(
        fake_bedrock, tmp_path, "eval", "scorecard", "--models", f"{STRONG},{WEAK}", "--data", str(DATA),
        "--max-cost", "0.02", "--concurrency", "1",
    )  # fmt: skip
    assert code == 3, err
    assert out.splitlines()[0] == "scorecard: answers" and "Traceback" not in err
    stops = [line for line in err.splitlines() if line.startswith("kbot: scorecard stopped:")]
    assert len(stops) == 1 and "run again to resume" in stops[0]
    assert billing.cost() <= 0.02 and (tmp_path / ".kbot" / "scorecard" / "results.jsonl").exists()
