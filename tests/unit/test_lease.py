"""Leases: one holder at a time, renewed by the holder, taken over once expired."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from handlers.flood import FloodLimit
from handlers.services import Services
from handlers.watchers import only_here
from knowledge.answering.desk import Desk
from knowledge.charts.cache import ChartCache
from knowledge.db import lease

NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)


def test_one_holder_at_a_time(engine: Engine) -> None:
    first = lease.acquire(engine, "outbox-sender", "a:1:x", now=NOW)
    assert first is not None and first.valid(NOW)
    assert lease.acquire(engine, "outbox-sender", "b:2:y", now=NOW) is None
    assert lease.acquire(engine, "deadline-watcher", "b:2:y", now=NOW) is not None  # another job


def test_the_holder_renews_and_a_rival_takes_over_only_after_expiry(engine: Engine) -> None:
    lease.acquire(engine, "job", "a:1:x", now=NOW)
    later = NOW + lease.TTL - dt.timedelta(seconds=1)
    renewed = lease.acquire(engine, "job", "a:1:x", now=later)
    assert renewed is not None and renewed.until == later + lease.TTL
    assert lease.acquire(engine, "job", "b:2:y", now=later + dt.timedelta(seconds=2)) is None
    taken = lease.acquire(engine, "job", "b:2:y", now=later + lease.TTL)
    assert taken is not None
    assert lease.holder_of(engine, "job", now=later + lease.TTL) == "b:2:y"
    assert lease.acquire(engine, "job", "a:1:x", now=later + lease.TTL) is None


def test_a_holder_stops_working_before_its_lease_can_expire(engine: Engine) -> None:
    held = lease.acquire(engine, "job", "a:1:x", now=NOW)
    assert held is not None
    assert held.valid(NOW + lease.TTL - lease.MARGIN - dt.timedelta(seconds=1))
    assert not held.valid(NOW + lease.TTL - lease.MARGIN)


def test_released_at_shutdown_the_job_moves_at_once(engine: Engine) -> None:
    held = lease.acquire(engine, "job", "a:1:x", now=NOW)
    assert held is not None
    lease.release(engine, held)
    assert lease.acquire(engine, "job", "b:2:y", now=NOW) is not None


def test_a_dead_process_of_this_host_is_taken_over_at_once(engine: Engine) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = f"{socket.gethostname()}:{child.pid}:zz"
    assert lease.acquire(engine, "job", dead) is not None
    assert lease.acquire(engine, "job", lease.replica_id()) is not None
    alive = f"{socket.gethostname()}:1:zz"  # pid 1 runs: its lease stands
    lease.acquire(engine, "other", alive)
    assert lease.acquire(engine, "other", lease.replica_id()) is None


def test_rivals_racing_for_a_new_lease_get_one_holder(engine: Engine) -> None:
    won: list[str] = []
    start = threading.Barrier(8)

    def rival(i: int) -> None:
        start.wait()
        if lease.acquire(engine, "race", f"r:{i}:x", now=NOW) is not None:
            won.append(str(i))

    threads = [threading.Thread(target=rival, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1


def test_two_replicas_run_a_job_once_and_the_second_takes_over(
    engine: Engine, desk: Desk, tmp_path: Path
) -> None:
    """Two processes' worth of `only_here` on one database: one worker at a time, always."""
    running: list[str] = []
    overlaps: list[list[str]] = []

    def replica(name: str) -> Services:
        return Services(
            desk=desk, engine=engine, charts=ChartCache(tmp_path), flood=FloodLimit(), replica=name
        )

    def work(name: str) -> Callable[[], Coroutine[Any, Any, None]]:
        async def job() -> None:
            running.append(name)
            if len(running) > 1:
                overlaps.append(list(running))
            try:
                await asyncio.Event().wait()
            finally:
                running.remove(name)

        return job

    async def scenario() -> None:
        first = asyncio.create_task(only_here(replica("a:1:x"), "job", work("a")))
        await asyncio.sleep(0.3)
        second = asyncio.create_task(only_here(replica("b:2:y"), "job", work("b")))
        await asyncio.sleep(lease.RENEW_EVERY + 0.5)
        assert running == ["a"]
        first.cancel()  # shutdown: the lease is released
        await asyncio.gather(first, return_exceptions=True)
        for _ in range(int(lease.RENEW_EVERY * 10) + 10):
            if running == ["b"]:
                break
            await asyncio.sleep(0.1)
        assert running == ["b"]
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)

    asyncio.run(scenario())
    assert overlaps == []
    assert lease.holder_of(engine, "job") is None
