"""A smaller run of bench/slack_burst.py: concurrent signed events plus retries."""

from __future__ import annotations

from bench.slack_burst import ACK_DEADLINE, burst


async def test_burst_acks_fast_and_answers_each_event_once(payloads: None) -> None:
    result = await burst(events=30, retries=2, answer_delay=0.5)
    assert result.requests == 90 and result.non_200 == 0
    assert result.ack_max < ACK_DEADLINE, result.report()
    assert result.answers == 30 and result.duplicates == 0 and result.missing == 0, result.report()
