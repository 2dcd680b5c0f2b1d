"""Burst benchmark for the Slack adapter: N concurrent signed events plus Slack-style retries.

Runs the real ``kbot serve`` aiohttp app on 127.0.0.1 against a local fake Slack Web API, with a
slow fake answerer (so answering is much slower than Slack's 3-second ack deadline), and checks:
every ack under 3 s, and exactly one answer per event (retries never answer twice).

    python bench/slack_burst.py [--events 100] [--retries 2] [--answer-delay 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.slack.fake_slack_api import BOT_USER_ID  # noqa: E402
from tests.slack.support import FakeAnswerer, SlackHarness  # noqa: E402

ACK_DEADLINE = 3.0


@dataclass
class BurstResult:
    events: int
    requests: int
    ack_p50: float
    ack_p99: float
    ack_max: float
    non_200: int
    answers: int
    duplicates: int
    missing: int
    seconds: float

    def report(self) -> str:
        return (
            f"events={self.events} requests={self.requests} ack_p50={self.ack_p50 * 1000:.1f}ms "
            f"ack_p99={self.ack_p99 * 1000:.1f}ms ack_max={self.ack_max * 1000:.1f}ms non_200={self.non_200} "
            f"answers={self.answers} duplicates={self.duplicates} missing={self.missing} "
            f"total={self.seconds:.1f}s"
        )


def _event(i: int) -> dict:
    ts = f"{1700000000 + i}.000100"
    return {
        "token": "xxxxxxxxxxxxxxxxxxxxxxxx",
        "team_id": "T111",
        "api_app_id": "A111",
        "type": "event_callback",
        "event_id": f"EvBurst{i:05d}",
        "event_time": 1700000000 + i,
        "authed_users": [BOT_USER_ID],
        "event": {
            "type": "app_mention",
            "user": "W222",
            "text": f"<@{BOT_USER_ID}> question number {i}?",
            "ts": ts,
            "event_ts": ts,
            "channel": "C111",
            "team": "T111",
        },
    }


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def burst(events: int = 100, retries: int = 2, answer_delay: float = 1.0) -> BurstResult:
    with tempfile.TemporaryDirectory(prefix="kbot-burst-") as tmp:
        return await _burst(events, retries, answer_delay, Path(tmp) / "kbot.db")


async def _burst(events: int, retries: int, answer_delay: float, db: Path) -> BurstResult:
    # One user sends every event: fair use off, so every reply counted is a real answer.
    settings = {"kbot_db": db, "kbot_fair_use_questions": 0}
    harness = SlackHarness(answerer=FakeAnswerer(delay=answer_delay), settings=settings)
    async with harness as slack:
        latencies: list[float] = []
        statuses: list[int] = []

        async def send(i: int, retry: int | None) -> None:
            if retry is not None:
                await asyncio.sleep(0.05 * retry)  # retries trail the original, overlapping its work
            started = time.perf_counter()
            status, _ = await slack.post_event(_event(i), retry=retry)
            latencies.append(time.perf_counter() - started)
            statuses.append(status)

        started = time.perf_counter()
        jobs = [send(i, None) for i in range(events)]
        jobs += [send(i, r) for i in range(events) for r in range(1, retries + 1)]
        await asyncio.gather(*jobs)
        await slack.settle()
        seconds = time.perf_counter() - started
        per_thread = Counter(c.args["thread_ts"] for c in slack.api.of("chat.postMessage"))
        return BurstResult(
            events=events,
            requests=len(latencies),
            ack_p50=statistics.median(latencies),
            ack_p99=_percentile(latencies, 99),
            ack_max=max(latencies),
            non_200=sum(1 for s in statuses if s != 200),
            answers=sum(per_thread.values()),
            duplicates=sum(n - 1 for n in per_thread.values()),
            missing=events - len(per_thread),
            seconds=seconds,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--retries", type=int, default=2, help="retries sent per event (X-Slack-Retry-Num)")
    parser.add_argument("--answer-delay", type=float, default=1.0, help="seconds the fake backend takes")
    args = parser.parse_args()
    result = asyncio.run(burst(args.events, args.retries, args.answer_delay))
    print(result.report())
    ok = result.ack_max < ACK_DEADLINE and result.duplicates == 0 and result.missing == 0 and not result.non_200
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
