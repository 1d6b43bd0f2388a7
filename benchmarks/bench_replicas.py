"""Replicas under load by webhook: one on SQLite, one on PostgreSQL, two on PostgreSQL.

    .venv/bin/python benchmarks/bench_replicas.py [--residents 50] [--questions 20]

Each configuration runs `sunshine run --webhook` processes against the fake Bot API,
which delivers updates by webhook as Telegram does (per chat in order, up to 40 at
once); with two replicas a round-robin balancer (tests/fakes/balancer.py, what Caddy
does in deploy/compose.yaml) spreads the deliveries. Load: `residents` × `questions`
sent at once; answers per second (first question → last answer) and reply latency
(question queued → its answer's sendMessage) p50/p99. The one-replica SQLite row is
the baseline: on this 2-core machine the point is the overhead of a shared database
and of claiming updates from it, not scaling (two replicas share the same two cores
with PostgreSQL and the load generator).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_bot import _cpu_seconds, load, pct, publish, warm_up  # noqa: E402
from tests.fakes.balancer import Balancer  # noqa: E402
from tests.fakes.telegram import FakeBotApi  # noqa: E402
from tests.harness import free_port  # noqa: E402

SECRET = "bench-replicas"


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def postgres_url(name: str) -> str:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "postgres.sh"), name],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def run(
    name: str,
    database: str,
    replicas: int,
    args: argparse.Namespace,
    data: Path,
    *,
    via: str = "balancer",
    code: Path | None = None,
) -> dict[str, Any]:
    """One configuration; `via`: "balancer", "direct" (the webhook at the replica) or
    "polling" (`sunshine run` without --webhook: the reference of bench_bot.py); `code`:
    another checkout whose bot runs instead (a baseline: `git archive REV | tar -x -C DIR`)."""
    with FakeBotApi() as api:
        ports = [free_port() for _ in range(replicas)]
        balancer = Balancer([f"http://127.0.0.1:{p}" for p in ports]).start()
        front = balancer.url if via == "balancer" else f"http://127.0.0.1:{ports[0]}"
        public = f"{front}/telegram/webhook"
        webhook = [] if via == "polling" else ["--webhook", public]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SUNSHINE_", "TELEGRAM_"))},
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_FILE_URL": api.base_file_url,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "SUNSHINE_DATA_DIR": str(data),
            "DATABASE_URL": database,
            "SUNSHINE_FLOOD_RATE": "0",
            "SUNSHINE_LOG_LEVEL": "INFO",
            **({"PYTHONPATH": str(code)} if code is not None else {}),
        }
        sunshine = str(ROOT / ".venv" / "bin" / "sunshine")
        subprocess.run(
            [sunshine, "db", "init"], env=env, cwd=data, check=True, stdout=subprocess.DEVNULL
        )
        procs = [
            subprocess.Popen(
                [sunshine, "run", *webhook, "--host", "127.0.0.1", "--port", str(p)],
                cwd=data,
                env=env,
                stderr=subprocess.DEVNULL,
            )
            for p in ports
        ]
        try:
            if via == "polling":
                api.wait_for(lambda: any(c.method == "getUpdates" for c in api.calls), 120)
            else:
                api.wait_for(lambda: all(healthy(p) for p in ports), timeout=120)
                api.wait_for(lambda: api.webhook_url == public, timeout=60)
            warm_up(api, timeout=120)
            delivered = len(api.deliveries)
            forwarded = dict(balancer.forwarded)
            cpu_bots = sum(_cpu_seconds(proc.pid) for proc in procs)
            cpu_fake = time.process_time()
            done = load(api, args.residents, args.questions, timeout=600)
            started, last, total, latencies = done.started, done.last, done.total, done.latencies
            cpu_bots = sum(_cpu_seconds(proc.pid) for proc in procs) - cpu_bots
            cpu_fake = time.process_time() - cpu_fake
            posts = api.deliveries[delivered:]
            forwarded = {b: n - forwarded[b] for b, n in balancer.forwarded.items()}
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
            balancer.stop()
    return {
        "name": name,
        "rate": total / (last - started),
        "p50": pct(latencies, 50),
        "p99": pct(latencies, 99),
        "shares": (sorted(forwarded.values(), reverse=True) if via == "balancer" else [len(posts)]),
        "at_once": api.most_deliveries_at_once,
        # When the last update was delivered (answered 200), and the last one answered:
        # how far the deliveries ran ahead of the handlers.
        "delivered_s": max((d.at for d in posts), default=started) - started,
        "answered_s": last - started,
        # CPU per answer of the replicas, and of this process (the fake Bot API, the
        # balancer, the driver): on 2 cores one steals from the other.
        "cpu_bots": cpu_bots * 1000 / total,
        "cpu_fake": cpu_fake * 1000 / total,
    }


def commits(connections: int = 40, total: int = 1000, busy: bool = False) -> list[str]:
    """Webhook commits alone, in-process on SQLite: `connections` deliveries at once, each
    waiting for its commit before the next, as the Bot API sends them (no HTTP, no bot).

    Rows: a transaction per update in the default executor (the code before group commit,
    the baseline) and `DurableUpdateQueue.deliver`. `busy`: the default executor is kept
    occupied meanwhile by 50 ms jobs, as the handlers' chart drawing occupies it.
    """
    import asyncio
    import statistics

    from telegram import Update

    from bot.inbox import store as inbox
    from bot.inbox.queue import DurableUpdateQueue
    from knowledge.db.engine import ensure_schema, make_engine

    def payload(update_id: int) -> dict[str, Any]:
        chat = {"id": 10_000 + update_id % connections, "type": "private", "first_name": "R"}
        message = {"message_id": update_id, "date": 0, "chat": chat, "text": "低保怎么申请"}
        return {"update_id": update_id, "message": message}

    async def one(name: str, tmp: str) -> str:
        engine = make_engine(f"sqlite:///{tmp}/{name}.db")
        ensure_schema(engine)
        queue = DurableUpdateQueue(engine)
        loop = asyncio.get_running_loop()
        stop = False

        async def occupy() -> None:
            while not stop:
                await asyncio.to_thread(time.sleep, 0.05)

        async def old(update_id: int, body: dict[str, Any]) -> None:
            if await asyncio.to_thread(inbox.store, engine, update_id, body):
                queue.put_nowait(Update.de_json(body, None))

        async def new(update_id: int, body: dict[str, Any]) -> None:
            await queue.deliver(Update.de_json(body, None), body)

        deliver = old if name == "old" else new
        waits: list[float] = []

        async def connection(first: int) -> None:
            for update_id in range(first, total, connections):
                body = payload(update_id)
                begun = loop.time()
                await deliver(update_id, body)
                waits.append((loop.time() - begun) * 1000)

        fillers = [asyncio.create_task(occupy()) for _ in range(8 if busy else 0)]
        started = loop.time()
        await asyncio.gather(*(connection(c) for c in range(connections)))
        elapsed = loop.time() - started
        stop = True
        await asyncio.gather(*fillers)
        engine.dispose()
        assert queue.qsize() == total
        waits.sort()
        return (
            f"| {'a transaction each (before)' if name == 'old' else 'group commit'} "
            f"| {'busy' if busy else 'idle'} | {total / elapsed:.0f} "
            f"| {statistics.median(waits):.1f} | {waits[int(len(waits) * 0.99)]:.1f} |"
        )

    with tempfile.TemporaryDirectory() as tmp:
        return [asyncio.run(one(name, tmp)) for name in ("old", "new")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument(
        "--only",
        choices=["all", "sqlite", "commits"],
        default="all",
        help="sqlite: the one-replica SQLite rows only (polling, direct, by the balancer); "
        "commits: webhook commits alone, in this process",
    )
    parser.add_argument(
        "--baseline-code",
        type=Path,
        help="a checkout of an earlier revision: adds its webhook rows (no balancer, balancer)",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks/results/replicas.txt")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    if args.only == "commits":
        lines = [
            f"bench_replicas commits {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} "
            "cores · 40 deliveries at once, 1,000 updates, SQLite",
            "",
            "| commit | default executor | updates/s | p50 ms | p99 ms |",
            "|---|---|---|---|---|",
            *commits(),
            *commits(busy=True),
        ]
        publish("\n".join(lines) + "\n", args.output)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        configurations = [
            ("1 replica, SQLite (baseline)", "a", 1, "balancer"),
            ("polling, SQLite (bench_bot's mode)", "p", 1, "polling"),
            ("1 replica, SQLite, no balancer", "d", 1, "direct"),
        ]
        if args.baseline_code is not None:
            label = args.baseline_code.name
            configurations += [
                (f"1 replica, SQLite, no balancer, code of {label}", "b", 1, "direct"),
                (f"1 replica, SQLite, code of {label}", "c", 1, "balancer"),
            ]
        if args.only == "all":
            configurations += [
                ("1 replica, PostgreSQL", postgres_url("bench_replicas_1"), 1, "balancer"),
                ("2 replicas, PostgreSQL", postgres_url("bench_replicas_2"), 2, "balancer"),
            ]
        for i, (name, db, n, via) in enumerate(configurations):
            code = args.baseline_code if "code of" in name else None
            data = Path(tmp) / f"run-{i}"
            data.mkdir(parents=True, exist_ok=True)
            if len(db) == 1:  # a SQLite file of its own
                (Path(tmp) / db).mkdir(exist_ok=True)
                db = f"sqlite:///{tmp}/{db}/sunshine.db"
            rows.append(run(name, db, n, args, data, via=via, code=code))
    base = rows[0]["rate"]
    lines = [
        f"bench_replicas {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · "
        f"{os.cpu_count()} cores · {args.residents} residents × {args.questions} questions "
        "at once, by webhook",
        "",
        "| configuration | answers/s | vs baseline | p50 ms | p99 ms | deliveries per replica "
        "| most at once | all delivered / answered s "
        "| CPU ms/answer: replicas / fake+balancer |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['rate']:.0f} | {r['rate'] / base:.0%} | {r['p50']:.0f} | "
            f"{r['p99']:.0f} | {' / '.join(str(s) for s in r['shares'])} | {r['at_once']} | "
            f"{r['delivered_s']:.1f} / {r['answered_s']:.1f} | "
            f"{r['cpu_bots']:.2f} / {r['cpu_fake']:.2f} |"
        )
    publish("\n".join(lines) + "\n", args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
