"""The web under load: an entry page and /api/ask, beside a bare endpoint of the same framework.

    .venv/bin/python benchmarks/bench_web.py [--clients 50] [--requests 3000]

`sunshine web` (a fresh SQLite database with the shipped knowledge) and
`benchmarks/bare_web.py` (Starlette returning a fixed string) each run as their
own process with the same uvicorn settings; this process is the load generator:
`clients` concurrent aiohttp sessions share `requests` requests per target.
Targets: the bare endpoint, an entry page (the eleven entries in turn),
`/api/ask` with questions from tests/data/holdout.jsonl asked before (the steady
state: residents repeat themselves, and the desk keeps 4,096 matches) and with the
1,145 held-out questions each new to the process (the matcher's full cost), and
the home page. The bare endpoint runs first and last; the faster run is the baseline.
The load generator shares the machine's cores with the server: absolute
figures understate a server alone; compare rows of one run.

The issue's bars: entry page p99 ≤ 50 ms; /api/ask ≥ half the bare endpoint's requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_bot import publish  # noqa: E402
from knowledge.vocabulary import ENTRY_IDS  # noqa: E402
from tests.harness import free_port  # noqa: E402


def wait_ready(url: str, timeout: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


def questions(*files: str, seed: int = 11) -> list[str]:
    rows = [
        json.loads(line)["q"]
        for name in files
        for line in (ROOT / "tests" / "data" / name).read_text().splitlines()
        if line.strip()
    ]
    random.Random(seed).shuffle(rows)
    return rows


async def load(base: str, paths: list[str], clients: int, *, warm: bool = True) -> dict[str, float]:
    """`clients` workers take the paths in turn; latency of each request, overall rate.

    `warm`: every distinct path is requested once first, so the run measures the steady
    state (a question asked before, a page rendered before); without it, first-use costs
    are in the figures (each question new to the process).
    """
    queue = list(reversed(paths))
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base, connector=connector) as session:

        async def worker() -> None:
            nonlocal errors
            while queue:
                path = queue.pop()
                started = time.perf_counter()
                async with session.get(path) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        # Warm-up: every distinct path once, so first-use costs are not in the figures.
        for path in dict.fromkeys(paths) if warm else ():
            async with session.get(path) as response:
                await response.read()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": pct(0.50),
        "p99": pct(0.99),
        "mean": statistics.fmean(latencies) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "web.txt")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUNSHINE_", "DATABASE_URL"))}
    env.update({"SUNSHINE_DATA_DIR": str(work), "SUNSHINE_LOG_LEVEL": "WARNING"})
    site_port, bare_port = free_port(), free_port()
    sunshine = ROOT / ".venv" / "bin" / "sunshine"
    site = subprocess.Popen(
        [str(sunshine), "web", "--port", str(site_port)],
        env=env,
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bare = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "bare_web.py"), str(bare_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows: list[tuple[str, dict[str, float]]] = []
    try:
        wait_ready(f"http://127.0.0.1:{site_port}/healthz")
        wait_ready(f"http://127.0.0.1:{bare_port}/")
        n = args.requests
        asked = questions("holdout.jsonl")
        ask_paths = [f"/api/ask?q={urllib.parse.quote(asked[i % len(asked)])}" for i in range(n)]
        fresh = questions("heldout/a.jsonl", "heldout/b.jsonl")
        fresh_paths = [f"/api/ask?q={urllib.parse.quote(q)}" for q in fresh]
        entry_paths = [f"/entries/{ENTRY_IDS[i % len(ENTRY_IDS)]}" for i in range(n)]
        targets = [
            ("bare Starlette endpoint (baseline)", bare_port, ["/"] * n, True),
            ("entry page /entries/{id}", site_port, entry_paths, True),
            ("/api/ask, questions asked before", site_port, ask_paths, True),
            ("/api/ask, every question new", site_port, fresh_paths, False),
            ("home page /", site_port, ["/"] * n, True),
            ("bare Starlette endpoint, again", bare_port, ["/"] * n, True),
        ]
        for name, port, paths, warm in targets:
            result = asyncio.run(load(f"http://127.0.0.1:{port}", paths, args.clients, warm=warm))
            rows.append((name, result))
    finally:
        for process in (site, bare):
            process.terminate()
            process.wait(timeout=10)
    # The faster of the two bare runs (before and after the others): the stricter baseline.
    bare_rps = max(rows[0][1]["rps"], rows[-1][1]["rps"])
    lines = [
        f"bench_web {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · "
        f"{os.cpu_count()} cores · {args.clients} clients · {args.requests} requests per target",
        "",
        "| target | requests/s | vs bare | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['rps'] / bare_rps:.0%} | {r['p50']:.1f} | "
            f"{r['p99']:.1f} | {r['errors']:.0f} |"
        )
    entry, ask, fresh_ask = rows[1][1], rows[2][1], rows[3][1]
    lines += [
        "",
        f"bar: entry page p99 {entry['p99']:.1f} ms (≤ 50): "
        f"{'met' if entry['p99'] <= 50 else 'NOT met'}",
        f"bar: /api/ask {ask['rps'] / bare_rps:.0%} of the bare endpoint (≥ 50 %): "
        f"{'met' if ask['rps'] >= bare_rps / 2 else 'NOT met'} "
        f"(every question new: {fresh_ask['rps'] / bare_rps:.0%})",
    ]
    publish("\n".join(lines) + "\n", args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
