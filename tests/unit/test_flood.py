"""The per-resident flood limit: bursts pass, a flood is told once, idle residents are forgotten."""

from __future__ import annotations

from handlers.flood import FloodLimit, Verdict


def test_flood_limit_allows_a_burst_warns_once_then_refills() -> None:
    now = [0.0]
    limit = FloodLimit(burst=3, rate=1.0, clock=lambda: now[0])
    verdicts = [limit.check(1) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert limit.check(2) is Verdict.ALLOW  # residents are limited one by one
    now[0] += 1.0
    assert limit.check(1) is Verdict.ALLOW
    now[0] += 100
    limit.forget_idle()
    assert limit.check(1) is Verdict.ALLOW


def test_flood_limit_off() -> None:
    limit = FloodLimit(burst=1, rate=0)
    assert all(limit.check(1) is Verdict.ALLOW for _ in range(100))


def test_a_burst_of_zero_turns_the_limit_off() -> None:
    """As the README and .env.example say of SUNSHINE_FLOOD_BURST=0."""
    limit = FloodLimit(burst=0, rate=1.0)
    assert all(limit.check(1) is Verdict.ALLOW for _ in range(100))


def test_residents_who_went_quiet_are_forgotten_without_being_asked() -> None:
    """Memory follows the residents active now, not everyone since the bot started."""
    now = [0.0]
    limit = FloodLimit(burst=20, rate=1.0, clock=lambda: now[0])
    for user in range(10_000):
        limit.check(user)
        now[0] += 0.01
    now[0] += 60.0  # every bucket has refilled
    for user in range(10_000, 10_100):
        limit.check(user)
        now[0] += 0.01
    assert len(limit) <= 200
