"""Replicas benchmark: one ``kbot serve`` vs two on one state store, side by side in one run.

Each configuration gets the same load: N signed Slack events at once (own thread each), plus
Slack-style retries (``X-Slack-Retry-Num``) trailing each original and sent to ANOTHER replica
when there is one, the way retries land behind a load balancer. The backend is the local fake
Bedrock with a fixed model latency. Reported: answers per second, duplicates (must be 0),
missing answers (must be 0), ack p50/p99.

    python bench/replicas.py [--events 200] [--retries 2] [--model-delay 0.5] [--store sqlite|dynamodb]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.bedrock.fake_bedrock import FakeBedrock, Json  # noqa: E402
from tests.bedrock.replies import converse_stream, retrieve_reply  # noqa: E402
from tests.replicas.cluster import (  # noqa: E402
    Client,
    Replica,
    dynamodb_state_env,
    free_port,
    mention,
    replica_env,
    start_replica,
    stop_replicas,
    wait_healthy,
)
from tests.replicas.conftest import LAPTOP  # noqa: E402
from tests.slack.fake_slack_api import FakeSlackApi  # noqa: E402


@dataclass
class Run:
    replicas: int
    events: int
    requests: int
    answers: int
    duplicates: int
    missing: int
    seconds: float
    ack_p50: float
    ack_p99: float

    @property
    def answers_per_second(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def run(replica_count: int, events: int, retries: int, model_delay: float, state_env: dict[str, str]) -> Run:
    with tempfile.TemporaryDirectory(prefix="kbot-replicas-") as tmp_dir:
        tmp = Path(tmp_dir)
        slack = await FakeSlackApi().start()
        slack.errors["chat.startStream"] = "feature_not_enabled"  # one chat.postMessage per answer
        bedrock = FakeBedrock()
        await bedrock.start()
        bedrock.script("Retrieve", *[Json(retrieve_reply(LAPTOP).body, delay=model_delay) for _ in range(events * 2)])
        bedrock.script(
            "ConverseStream", *[converse_stream(["Request it in the IT portal [1]."]) for _ in range(events * 2)]
        )
        env = replica_env(tmp, slack_api=slack.api_url, bedrock=bedrock.url, KBOT_FAIR_USE_QUESTIONS="0", **state_env)
        replicas: list[Replica] = [await start_replica(chr(65 + i), env, tmp) for i in range(replica_count)]
        try:
            await wait_healthy(replicas)
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
                client = Client(session)
                statuses: list[int] = []

                async def send(i: int, retry: int | None) -> None:
                    if retry:
                        await asyncio.sleep(0.05 * retry)  # retries trail the original, overlapping its work
                    target = replicas[(i + (retry or 0)) % replica_count]
                    statuses.append(await client.event(target, mention(i), retry=retry))

                started = time.perf_counter()
                await asyncio.gather(*(send(i, r) for i in range(events) for r in [None, *range(1, retries + 1)]))
                with contextlib.suppress(AssertionError):  # missing answers are counted below
                    await slack.wait_for("chat.postMessage", count=events, within=120)
                seconds = time.perf_counter() - started
                await asyncio.sleep(1.0)  # duplicates would arrive right behind
            per_thread = Counter(c.args["thread_ts"] for c in slack.of("chat.postMessage") if c.args.get("blocks"))
            return Run(
                replicas=replica_count,
                events=events,
                requests=len(statuses),
                answers=sum(per_thread.values()),
                duplicates=sum(n - 1 for n in per_thread.values()),
                missing=events - len(per_thread),
                seconds=seconds,
                ack_p50=statistics.median(client.latencies),
                ack_p99=_percentile(client.latencies, 99),
            )
        finally:
            await stop_replicas(replicas)
            await slack.stop()
            await bedrock.stop()


async def start_moto() -> tuple[asyncio.subprocess.Process, str]:
    """moto's DynamoDB server in its own process (in a thread of this one it would share our GIL)."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "moto.server",
        "-H",
        "127.0.0.1",
        "-p",
        str(port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                async with session.get(f"{endpoint}/moto-api/"):
                    return proc, endpoint
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    proc.kill()
    raise SystemExit("moto server did not start")


async def main_async(args: argparse.Namespace) -> list[Run]:
    moto = None
    if args.store == "dynamodb":
        moto, endpoint = await start_moto()
    try:
        runs = []
        for count in (1, 2):
            state_env = dynamodb_state_env(endpoint) if moto is not None else {}
            runs.append(await run(count, args.events, args.retries, args.model_delay, state_env))
        return runs
    finally:
        if moto is not None:
            moto.kill()
            await moto.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--retries", type=int, default=2, help="retries per event, sent to another replica")
    parser.add_argument("--model-delay", type=float, default=0.5, help="seconds the fake Bedrock takes to retrieve")
    parser.add_argument("--store", choices=("sqlite", "dynamodb"), default="sqlite")
    args = parser.parse_args()
    runs = asyncio.run(main_async(args))
    print(f"store={args.store} events={args.events} retries/event={args.retries} model_delay={args.model_delay}s")
    print(
        f"{'replicas':>8} {'requests':>8} {'answers':>7} {'dup':>4} {'missing':>7} {'answers/s':>9} "
        f"{'ack_p50_ms':>10} {'ack_p99_ms':>10}"
    )
    for r in runs:
        print(
            f"{r.replicas:>8} {r.requests:>8} {r.answers:>7} {r.duplicates:>4} {r.missing:>7} "
            f"{r.answers_per_second:>9.1f} {r.ack_p50 * 1000:>10.1f} {r.ack_p99 * 1000:>10.1f}"
        )
    ok = all(r.duplicates == 0 and r.missing == 0 and r.ack_p99 < 3.0 for r in runs)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
