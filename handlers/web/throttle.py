"""Throttles, per process and in memory: failed sign-ins per address, the public status API.

The account lock in the database (`knowledge.staff.accounts`) is what holds
across replicas; these only keep one address from hammering one process.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from dataclasses import dataclass, field

from handlers.flood import FloodLimit, Verdict


@dataclass
class FailureWindow:
    """At most `limit` failed sign-ins per address in `seconds` (on top of the account lock)."""

    limit: int = 10
    seconds: float = 600.0
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def blocked(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        times = self._failures.get(address)
        if not times:
            return False
        while times and now - times[0] > self.seconds:
            times.popleft()
        if not times:
            del self._failures[address]
        return len(times) >= self.limit

    def fail(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._failures.setdefault(address, deque()).append(now)
        if len(self._failures) > 10_000:  # forget the oldest addresses first
            self._failures.pop(next(iter(self._failures)))


@dataclass
class AddressLimit:
    """A token bucket per client address (the public status API)."""

    limit: FloodLimit = field(default_factory=lambda: FloodLimit(burst=20, rate=1.0))

    def allow(self, address: str) -> bool:
        key = int.from_bytes(hashlib.blake2b(address.encode(), digest_size=8).digest(), "big")
        return self.limit.check(key) is Verdict.ALLOW
