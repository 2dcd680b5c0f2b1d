"""One contract, both conversation-state stores: claims with leases, turns, answers, sessions, counters."""

from __future__ import annotations

import asyncio

from bot.claims import try_claim
from bot.fair_use import check_fair_use
from bot.models import Turn
from bot.state import AnswerRecord, ConversationState
from tests.state.conftest import Clock


async def test_implements_the_port(state: ConversationState) -> None:
    assert isinstance(state, ConversationState)


async def test_a_key_is_claimed_once_and_never_again_after_completion(state: ConversationState, clock: Clock) -> None:
    assert await state.claim("ev1", "a", lease_seconds=30, ttl_seconds=3600)
    assert not await state.claim("ev1", "b", lease_seconds=30, ttl_seconds=3600)  # a is working on it
    await state.complete("ev1", "a")
    clock.now += 600  # long after the lease: completed work is still never redone
    assert not await state.claim("ev1", "b", lease_seconds=30, ttl_seconds=3600)
    assert await state.claim("ev2", "b", lease_seconds=30, ttl_seconds=3600)
    clock.now += 3601  # after the TTL the key is forgotten
    assert await state.claim("ev1", "c", lease_seconds=30, ttl_seconds=3600)


async def test_a_dead_holders_claim_is_taken_over_after_its_lease(state: ConversationState, clock: Clock) -> None:
    assert await state.claim("ev", "dead", lease_seconds=30, ttl_seconds=3600)
    clock.now += 20
    assert not await state.claim("ev", "retry", lease_seconds=30, ttl_seconds=3600)
    clock.now += 11
    assert await state.claim("ev", "retry", lease_seconds=30, ttl_seconds=3600)
    assert not await state.renew("ev", "dead", lease_seconds=30)  # the old holder lost it
    await state.complete("ev", "dead")  # a late completion by the loser changes nothing ...
    clock.now += 31
    assert await state.claim("ev", "third", lease_seconds=30, ttl_seconds=3600)  # ... retry's lease ran out


async def test_renewing_keeps_a_live_holders_claim(state: ConversationState, clock: Clock) -> None:
    assert await state.claim("ev", "live", lease_seconds=30, ttl_seconds=3600)
    for _ in range(5):
        clock.now += 20
        assert await state.renew("ev", "live", lease_seconds=30)
        assert not await state.claim("ev", "retry", lease_seconds=30, ttl_seconds=3600)
    await state.complete("ev", "live")
    assert not await state.renew("ev", "live", lease_seconds=30)


async def test_racing_claims_have_exactly_one_winner(state: ConversationState) -> None:
    wins = await asyncio.gather(*(state.claim("race", f"o{i}", lease_seconds=30, ttl_seconds=60) for i in range(8)))
    assert sum(wins) == 1


async def test_turns_are_capped_and_expire(state: ConversationState, clock: Clock) -> None:
    assert await state.turns("t1") == []
    for i in range(4):
        await state.add_turns("t1", [Turn("user", f"q{i}"), Turn("assistant", f"a{i}")], max_turns=6, ttl_seconds=100)
    assert [t.text for t in await state.turns("t1")] == ["q1", "a1", "q2", "a2", "q3", "a3"]
    assert await state.turns("t2") == []
    clock.now += 90
    await state.add_turns("t2", [Turn("user", "x")], max_turns=6, ttl_seconds=100)
    clock.now += 20
    assert await state.turns("t1") == []  # expired
    assert await state.turns("t2") == [Turn("user", "x")]
    await state.forget_turns("t2")
    assert await state.turns("t2") == []


async def test_answer_records_round_trip_and_expire(state: ConversationState, clock: Clock) -> None:
    record = AnswerRecord(
        "How many vacation days?",
        "25 days [1].",
        [{"title": "Leave policy", "url": "https://w/leave"}],
        "U1",
        "C1",
        "1700000000.000100",
        grounded=True,
    )
    await state.put_answer("r1", record, ttl_seconds=60)
    assert await state.get_answer("r1") == record
    assert await state.get_answer("nope") is None
    clock.now += 61
    assert await state.get_answer("r1") is None


async def test_session_ids(state: ConversationState, clock: Clock) -> None:
    assert await state.session_id("th") is None
    await state.put_session_id("th", "sess-1", ttl_seconds=60)
    assert await state.session_id("th") == "sess-1"
    await state.forget_session_id("th")
    assert await state.session_id("th") is None
    await state.put_session_id("th", "sess-2", ttl_seconds=60)
    clock.now += 61
    assert await state.session_id("th") is None


async def test_counters_count_atomically_and_restart_after_ttl(state: ConversationState, clock: Clock) -> None:
    counts = await asyncio.gather(*(state.bump("c", ttl_seconds=60) for _ in range(5)))
    assert sorted(counts) == [1, 2, 3, 4, 5]
    clock.now += 61
    assert await state.bump("c", ttl_seconds=60) == 1


async def test_fair_use_limits_each_user_per_window(state: ConversationState, clock: Clock) -> None:
    allowed = [await check_fair_use(state, "U1", limit=3, window_seconds=60, now=clock.now) for _ in range(4)]
    assert allowed == [True, True, True, False]
    assert await check_fair_use(state, "U2", limit=3, window_seconds=60, now=clock.now)  # others unaffected
    assert await check_fair_use(state, "U1", limit=3, window_seconds=60, now=clock.now + 60)  # next window
    assert await check_fair_use(state, "U1", limit=0, window_seconds=60)  # 0 = off


async def test_held_claim_completes_on_success_and_not_on_cancellation(state: ConversationState, clock: Clock) -> None:
    held = await try_claim(state, "done", lease_seconds=30)
    assert held is not None and await try_claim(state, "done") is None
    async with held:
        pass
    clock.now += 60
    assert await try_claim(state, "done") is None  # completed: never again

    cancelled = await try_claim(state, "cut", lease_seconds=30)
    assert cancelled is not None

    async def work() -> None:
        async with cancelled:
            await asyncio.sleep(10)

    task = asyncio.create_task(work())
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    clock.now += 31
    assert await try_claim(state, "cut") is not None  # shut down mid-work: a retry may finish it


async def test_a_live_holder_keeps_its_claim_past_the_lease_by_renewing(tmp_path) -> None:
    """Real time: the holder works for 3 leases; a retry meanwhile (another replica) never gets it."""
    from adapters.state.sqlite_state import SqliteConversationState

    mine, theirs = SqliteConversationState(tmp_path / "s.db"), SqliteConversationState(tmp_path / "s.db")
    held = await try_claim(mine, "slow", lease_seconds=0.3)
    assert held is not None
    async with held:
        for _ in range(6):
            await asyncio.sleep(0.15)
            assert await try_claim(theirs, "slow", lease_seconds=0.3) is None
    await asyncio.sleep(0.4)
    assert await try_claim(theirs, "slow", lease_seconds=0.3) is None  # completed: never again
    await mine.close()
    await theirs.close()
