"""Two real ``kbot serve`` processes on one state store behave as one bot (SQLite file; DynamoDB via moto).

Starting a pair of replicas takes seconds, so one pair runs every scenario in turn (each on its own
threads, users and conversations); the SIGKILL scenario gets a fresh pair.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer

from bot.fair_use import FAIR_USE_REPLY
from tests.bedrock.fake_bedrock import Gate, Stream
from tests.bedrock.replies import converse_stream
from tests.replicas.cluster import feedback_click, mention
from tests.replicas.conftest import Cluster, script_answers
from tests.teams.conftest import FakeConnector


def answers(cluster: Cluster, events: list[dict[str, Any]]) -> dict[str, int]:
    """Answers (posts with sources and buttons; not error or fair-use replies) in these events' threads."""
    threads = {e["event"]["ts"] for e in events}
    return dict(
        Counter(
            c.args["thread_ts"]
            for c in cluster.slack.of("chat.postMessage")
            if c.args.get("blocks") and c.args.get("thread_ts") in threads
        )
    )


async def answered(cluster: Cluster, events: list[dict[str, Any]], within: float = 60) -> None:
    deadline = time.monotonic() + within
    while len(answers(cluster, events)) < len(events):
        assert time.monotonic() < deadline, f"unanswered: {answers(cluster, events)}"
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)  # a duplicate would come right behind


async def test_two_replicas_behave_as_one_bot(cluster: Cluster) -> None:
    script_answers(cluster.bedrock, 40)
    await retries_on_the_other_replica_are_not_answered_again(cluster)
    await twenty_events_raced_on_both_replicas_are_answered_once_each(cluster)
    await a_thumbs_up_on_b_records_the_question_answered_on_a(cluster)
    await a_teams_follow_up_on_b_uses_the_turn_answered_on_a(cluster)
    await fair_use_counts_a_users_questions_across_replicas(cluster)
    assert cluster.bedrock.errors == []


async def retries_on_the_other_replica_are_not_answered_again(cluster: Cluster) -> None:
    event = mention(1)
    assert await cluster.client.event(cluster.a, event) == 200
    for retry in (1, 2, 3):
        assert await cluster.client.event(cluster.b, event, retry=retry) == 200
    await answered(cluster, [event])
    await asyncio.sleep(2)  # past the 2 s lease: a completed claim still holds
    assert await cluster.client.event(cluster.b, event, retry=3) == 200
    await asyncio.sleep(1)
    assert answers(cluster, [event]) == {event["event"]["ts"]: 1}


async def twenty_events_raced_on_both_replicas_are_answered_once_each(cluster: Cluster) -> None:
    events = [mention(100 + i) for i in range(20)]
    statuses = await asyncio.gather(
        *(cluster.client.event(replica, event) for event in events for replica in (cluster.a, cluster.b))
    )
    assert set(statuses) == {200}
    await answered(cluster, events)
    assert answers(cluster, events) == {e["event"]["ts"]: 1 for e in events}


async def a_thumbs_up_on_b_records_the_question_answered_on_a(cluster: Cluster) -> None:
    event = mention(200, user="W222", text="how do I request a laptop?")
    assert await cluster.client.event(cluster.a, event) == 200
    await answered(cluster, [event])
    (post,) = [p for p in cluster.slack.of("chat.postMessage") if p.args.get("thread_ts") == event["event"]["ts"]]
    (button,) = [
        e
        for b in post.args["blocks"]
        if b.get("block_id") == "kbot_feedback"
        for e in b["elements"]
        if e["action_id"] == "kbot_feedback_up"
    ]
    click = feedback_click(
        button["value"],
        user="W333",
        channel="C111",
        message_ts="1700000999.000100",
        response_url=f"{cluster.slack.base_url}/hooks/T111/click",
    )
    assert await cluster.client.interaction(cluster.b, click) == 200
    saved = await wait_for_feedback(cluster.db)
    assert saved["question"] == "how do I request a laptop?"
    assert saved["answer"].startswith("Request it in the IT portal") and saved["rating"] == "up"
    assert [c["uri"] for c in saved["citations"]] == ["https://it.example.com/kb/laptops"]  # only A's record has them


async def a_teams_follow_up_on_b_uses_the_turn_answered_on_a(cluster: Cluster) -> None:
    connector = FakeConnector()
    server = TestServer(connector.app(), host="127.0.0.1")
    await server.start_server()
    try:
        connector.url = str(server.make_url("")).rstrip("/")
        first = teams_message(connector.url, "m1", "How do I request a laptop?")
        assert await cluster.client.teams(cluster.a, first) == 200
        await connector.wait_for(lambda: any(p.body.get("type") == "message" for p in connector.posts()), 30)
        # A keeps the turn right after posting the answer; the user's follow-up comes once it is kept
        await kept_turns(cluster, "teams:" + first["conversation"]["id"])
        assert await cluster.client.teams(cluster.b, teams_message(connector.url, "m2", "and for a monitor?")) == 200
        await connector.wait_for(lambda: sum(p.body.get("type") == "message" for p in connector.posts()) >= 2, 30)
    finally:
        await server.close()
    (condense,) = cluster.bedrock.calls("Converse")  # only a follow-up with history is condensed
    prompt = json.dumps(condense["messages"])
    assert "How do I request a laptop?" in prompt and "IT portal" in prompt and "monitor" in prompt


async def fair_use_counts_a_users_questions_across_replicas(cluster: Cluster) -> None:
    events = [mention(400 + i, user="WBUSY") for i in range(4)]  # KBOT_FAIR_USE_QUESTIONS=3
    for i, event in enumerate(events):
        assert await cluster.client.event((cluster.a, cluster.b)[i % 2], event) == 200
        await asyncio.sleep(0.5)
    other = mention(410, user="WOTHER")
    assert await cluster.client.event(cluster.a, other) == 200
    await answered(cluster, [*events[:3], other])
    threads = {e["event"]["ts"] for e in events}
    posts = [p for p in cluster.slack.of("chat.postMessage") if p.args.get("thread_ts") in threads]
    assert sum(bool(p.args.get("blocks")) for p in posts) == 3
    assert [p.args["text"] for p in posts if not p.args.get("blocks")] == [FAIR_USE_REPLY]


async def test_a_replica_killed_mid_answer_is_answered_once_by_the_retry_on_the_other(cluster: Cluster) -> None:
    gate = Gate(timeout=60)
    cluster.bedrock.script(
        "ConverseStream", Stream([gate, *converse_stream(["Request it in the IT portal [1]."]).events])
    )
    script_answers(cluster.bedrock, 2)
    event = mention(300)
    assert await cluster.client.event(cluster.a, event) == 200
    for _ in range(300):  # A is now waiting on the model, mid-answer
        if cluster.bedrock.calls("ConverseStream"):
            break
        await asyncio.sleep(0.1)
    cluster.a.kill()
    await cluster.a.proc.wait()
    assert await cluster.client.event(cluster.b, event, retry=1) == 200  # A's lease still runs: dropped
    await asyncio.sleep(2.5)  # KBOT_CLAIM_LEASE_SECONDS=2: nobody renews A's claim any more
    assert await cluster.client.event(cluster.b, event, retry=2) == 200
    await answered(cluster, [event])
    gate.event.set()
    assert await cluster.client.event(cluster.b, event, retry=3) == 200  # done now: never again
    await asyncio.sleep(1)
    assert answers(cluster, [event]) == {event["event"]["ts"]: 1}
    assert len(cluster.bedrock.calls("ConverseStream")) == 2  # A's, cut off, and B's


async def kept_turns(cluster: Cluster, thread: str, within: float = 20.0) -> None:
    state = cluster.state()
    try:
        deadline = time.monotonic() + within
        while not await state.turns(thread):
            assert time.monotonic() < deadline, f"no turns kept for {thread}"
            await asyncio.sleep(0.1)
    finally:
        close = getattr(state, "close", None)  # the SQLite store holds a connection; DynamoDB's client nothing
        if close is not None:
            await close()


async def wait_for_feedback(db: Path, within: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            rows = conn.execute("SELECT data FROM cfg_feedback").fetchall()
        if rows:
            return dict(json.loads(rows[0][0]))
        await asyncio.sleep(0.2)
    raise AssertionError("no feedback recorded")


def teams_message(service_url: str, activity_id: str, text: str) -> dict[str, Any]:
    """A personal-chat message as the Bot Connector sends it (emulator mode: no token)."""
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": "2026-11-30T10:00:00.000Z",
        "serviceUrl": service_url + "/",
        "channelId": "msteams",
        "from": {"id": "29:user-dana", "name": "Dana", "aadObjectId": "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"},
        "conversation": {"conversationType": "personal", "id": "a:personal-chat-dana", "tenantId": "tenant-1"},
        "recipient": {"id": "28:kbot", "name": "kbot"},
        "textFormat": "plain",
        "text": text,
        "channelData": {"tenant": {"id": "tenant-1"}},
        "locale": "en-US",
    }
