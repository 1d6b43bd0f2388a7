"""The bot under load, through the fake Bot API server, beside a stock PTB echo bot.

    .venv/bin/python benchmarks/bench_bot.py [--residents 50] [--questions 20] [--serial 100]

Each bot runs as its own process (`sunshine run`, and `benchmarks/echo_bot.py`
as the ceiling of the stack) against the fake Bot API server, which runs in
this process and timestamps every update it hands out and every call it gets.

* load: `residents` × `questions` messages, all sent at once; answers per
  second (first question sent → last answer received) and reply latency
  (question queued → its answer's sendMessage received) p50/p95/p99;
* serial: one resident asking `serial` questions one after another (each sent
  when the previous answer arrived): latency without queueing;
* CPU milliseconds per answer of the bot process, and the share of the reply
  latency spent in our code (matching and rendering, measured in-process on
  the same questions) against HTTP and the framework.

The flood limit is off for the bots under test (`SUNSHINE_FLOOD_RATE=0`):
simulated residents type faster than people can.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.telegram import FakeBotApi  # noqa: E402


def questions(count: int, seed: int = 7) -> list[str]:
    rows = [
        json.loads(line)["q"]
        for line in (ROOT / "tests" / "data" / "holdout.jsonl").read_text().splitlines()
        if line.strip()
    ]
    rng = random.Random(seed)
    return [rng.choice(rows) for _ in range(count)]


def publish(report: str, output: Path) -> None:
    """Print a benchmark's report and append it to its results file."""
    print(report)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("a", encoding="utf-8") as fh:
        fh.write(report + "\n")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class Result:
    name: str
    answers_per_s: float
    load_ms: list[float]
    serial_ms: list[float]
    cpu_ms_per_answer: float


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _answers(api: FakeBotApi, chat: int) -> list[float]:
    """When each text answer in a chat reached the server, in order."""
    return [
        c.at
        for c in api.calls
        if c.method == "sendMessage" and c.status == 200 and c.params.get("chat_id") == chat
    ]


class AnswerCounter:
    """Counts text answers per chat, scanning only calls not seen before.

    The driver shares this process (and its GIL) with the fake server, so the
    completion check must stay cheap or it slows the server it measures.
    """

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.seen = 0
        self.at: dict[int, list[float]] = {}

    def count(self, chats: list[int]) -> int:
        calls = self.api.calls
        for call in calls[self.seen : len(calls)]:
            if call.method == "sendMessage" and call.status == 200:
                self.at.setdefault(call.params.get("chat_id"), []).append(call.at)
        self.seen = len(calls)
        return sum(len(self.at.get(c, ())) for c in chats)


def warm_up(api: FakeBotApi, timeout: float = 60) -> None:
    """Every kind of answer once (charts drawn, caches filled) before anything is measured."""
    warm_chat = 99
    for q in questions(40, seed=1):
        api.send_text(q, chat_id=warm_chat)
    warm = AnswerCounter(api)
    api.wait_for(lambda: warm.count([warm_chat]) >= 40, timeout=timeout)
    time.sleep(0.5)


@dataclass
class Load:
    """All residents' questions sent at once, and when each was answered."""

    started: float
    last: float
    total: int
    latencies: list[float]
    counter: AnswerCounter

    @property
    def rate(self) -> float:
        return self.total / (self.last - self.started)


def load(api: FakeBotApi, residents: int, each: int, timeout: float = 300) -> Load:
    """`residents` × `each` questions sent at once; latency = question queued → answer sent."""
    chats = [10_000 + r for r in range(residents)]
    pool = questions(residents * each)
    sent: dict[int, list[float]] = {c: [] for c in chats}
    started = time.monotonic()
    for i in range(each):
        for r, chat in enumerate(chats):
            sent[chat].append(time.monotonic())
            api.send_text(pool[r * each + i], chat_id=chat)
    total = residents * each
    counter = AnswerCounter(api)
    api.wait_for(lambda: counter.count(chats) >= total, timeout=timeout)
    latencies: list[float] = []
    last = started
    for chat in chats:
        answers = _answers(api, chat)[:each]
        latencies += [(a - s) * 1000 for a, s in zip(answers, sent[chat], strict=True)]
        last = max(last, answers[-1])
    return Load(started, last, total, latencies, counter)


def run_bot(name: str, command: list[str], args: argparse.Namespace, data: Path) -> Result:
    with FakeBotApi() as api:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_FILE_URL": api.base_file_url,
            "SUNSHINE_DATA_DIR": str(data),
            "DATABASE_URL": f"sqlite:///{data / 'sunshine.db'}",
            "SUNSHINE_FLOOD_RATE": "0",
            "SUNSHINE_LOG_LEVEL": "INFO",  # as deployed: one line per update
        }
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        try:
            api.wait_for(lambda: any(c.method == "getUpdates" for c in api.calls), timeout=60)
            warm_up(api)

            # Load: all residents at once.
            cpu_before = _cpu_seconds(proc.pid)
            done = load(api, args.residents, args.questions)
            latencies, rate, total = done.latencies, done.rate, done.total
            counter = done.counter
            cpu = (_cpu_seconds(proc.pid) - cpu_before) * 1000 / total

            # Serial: one resident, one question at a time.
            serial: list[float] = []
            chat = 7
            for n, q in enumerate(questions(args.serial, seed=3), start=1):
                t0 = time.monotonic()
                api.send_text(q, chat_id=chat)
                api.wait_for(lambda n=n: counter.count([chat]) >= n, timeout=30)
                serial.append((counter.at[chat][n - 1] - t0) * 1000)
        finally:
            proc.terminate()
            proc.wait(30)
    return Result(name, rate, latencies, serial, cpu)


def our_code_ms(sample: list[str]) -> float:
    """Median in-process time of matching and rendering a question (no HTTP, no cache)."""
    from handlers.render import card_html
    from knowledge.answering.answers import reply_for
    from knowledge.answering.desk import Desk
    from knowledge.base.store import shipped_entries

    desk = Desk(shipped_entries())

    def answer(q: str) -> None:
        card_html(reply_for(desk.matcher.match(q), desk.entries))

    for q in sample:
        answer(q)
    times = []
    for q in sample:
        t0 = time.perf_counter()
        answer(q)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--serial", type=int, default=100)
    parser.add_argument("--profile", metavar="FILE", help="cProfile `sunshine run` into FILE")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"load: {args.residents} residents x {args.questions} questions at once; "
        f"serial: {args.serial} questions one after another"
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        echo = run_bot(
            "echo bot (stock PTB)",
            [sys.executable, str(ROOT / "benchmarks" / "echo_bot.py")],
            args,
            Path(tmp) / "echo",
        )
        results.append(echo)
        command = [sys.executable, "-m", "bot.cli", "run"]
        if args.profile:
            command[1:1] = ["-m", "cProfile", "-o", args.profile]
        ours = run_bot("sunshine run", command, args, Path(tmp) / "bot")
        results.append(ours)
    header = (
        f"{'bot':<22}{'answers/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'serial p50':>11}{'serial p99':>11}{'CPU ms/ans':>11}"
    )
    print(header)
    for r in results:
        print(
            f"{r.name:<22}{r.answers_per_s:>10.0f}{pct(r.load_ms, 50):>9.1f}"
            f"{pct(r.load_ms, 95):>9.1f}{pct(r.load_ms, 99):>9.1f}"
            f"{pct(r.serial_ms, 50):>11.1f}{pct(r.serial_ms, 99):>11.1f}"
            f"{r.cpu_ms_per_answer:>11.2f}"
        )
    ours_code = our_code_ms(questions(300, seed=5))
    serial_p50 = pct(ours.serial_ms, 50)
    print(
        f"throughput vs echo: {ours.answers_per_s / echo.answers_per_s:.0%} (target >= 75%); "
        f"load p99 vs echo: {pct(ours.load_ms, 99) / pct(echo.load_ms, 99):.2f}x (target <= 1.5x)"
    )
    print(
        f"our code (match + render, in-process median, uncached): {ours_code:.2f} ms = "
        f"{ours_code / serial_p50:.0%} of the serial reply latency {serial_p50:.1f} ms; "
        f"the rest is HTTP, the framework and the database; CPU per answer "
        f"{ours.cpu_ms_per_answer:.2f} ms against the echo bot's {echo.cpu_ms_per_answer:.2f} ms"
    )


if __name__ == "__main__":
    main()
