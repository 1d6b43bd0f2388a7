"""A per-resident flood limit: a token bucket, so bursts of normal typing pass.

When a resident's bucket runs dry the bot says "请稍后再试" once and ignores
the rest of the burst, instead of queuing hundreds of replies. A burst or a
rate of 0 turns the limit off. Residents whose buckets have refilled are
forgotten as the limiter goes, so its memory follows the residents active now.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit: tell the resident once
    DROP = "drop"  # still over the limit: already told


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


@dataclass
class FloodLimit:
    """`burst` messages at once, then `rate` per second; a burst or rate of 0 disables it."""

    burst: int = 20
    rate: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[int, _Bucket] = field(default_factory=dict)
    _swept: float = field(default=float("-inf"))

    @property
    def off(self) -> bool:
        return self.burst <= 0 or self.rate <= 0

    def check(self, user_id: int) -> Verdict:
        if self.off:
            return Verdict.ALLOW
        now = self.clock()
        self._sweep(now)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _sweep(self, now: float) -> None:
        """Forget the refilled buckets, at most once per time it takes a bucket to refill."""
        if now - self._swept >= self.burst / self.rate:
            self._swept = now
            self.forget_idle()

    def __len__(self) -> int:
        """How many residents are tracked now."""
        return len(self._buckets)

    def forget_idle(self) -> None:
        """Drop buckets that have refilled, so memory follows active residents only."""
        now = self.clock()
        full = [
            uid
            for uid, b in self._buckets.items()
            if b.tokens + (now - b.stamp) * self.rate >= self.burst
        ]
        for uid in full:
            del self._buckets[uid]
