"""Complaints under load: 200 complaints from 50 residents while 2,000 questions are answered.

    .venv/bin/python benchmarks/bench_complaints.py [--complainants 50] [--each 4]

`sunshine run` runs as its own process against the fake Bot API server. Two
runs: the questions alone, then the same questions while the complainants go
through the whole intake (/complain … 确认提交). Prints the questions' reply
latency p50/p95/p99 in both runs, and checks that every confirmed complaint
exists exactly once and every complainant received each ticket number.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_bot import AnswerCounter, pct, questions  # noqa: E402
from tests.fakes.telegram import FakeBotApi  # noqa: E402

TICKET = re.compile(r"TS\d{8}-\d{4}")
GROUP = -9001


def _wait(api: FakeBotApi, chat: int, needle: str, after: int, timeout: float = 120) -> int:
    """Wait (gently: the driver shares the server's process) for a new bot message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = api.bot_messages(chat)
        for index in range(after, len(messages)):
            if needle in (messages[index].text or ""):
                return index + 1
        time.sleep(0.02)
    raise TimeoutError(f"chat {chat}: no {needle!r}")


def complainant(api: FakeBotApi, chat: int, each: int, tickets: list[str]) -> None:
    seen = 0
    for n in range(each):
        api.send_text("/complain", chat_id=chat)
        seen = _wait(api, chat, "发生了什么", seen)
        api.send_text(f"第{n + 1}件：窗口工作人员上班时间不在岗，群众等了很久", chat_id=chat)
        seen = _wait(api, chat, "涉及哪个单位", seen)
        for button, next_prompt in (
            ("跳过", "什么时候"),
            ("跳过", "有照片"),
            ("照片发完了", "联系电话"),
            ("跳过", "身份方式"),
            ("匿名", "请核对"),
        ):
            api.press(chat, button)
            seen = _wait(api, chat, next_prompt, seen)
        api.press(chat, "✅ 确认提交")
        seen = _wait(api, chat, "已受理", seen)
        found = TICKET.search(api.bot_messages(chat)[seen - 1].text or "")
        assert found
        tickets.append(found.group(0))


def run(args: argparse.Namespace, data: Path, with_complaints: bool) -> dict[str, object]:
    with FakeBotApi() as api:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "SUNSHINE_DATA_DIR": str(data),
            "DATABASE_URL": f"sqlite:///{data / 'sunshine.db'}",
            "SUNSHINE_FLOOD_RATE": "0",
            "SUNSHINE_OFFICERS_CHAT_ID": str(GROUP),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
        )
        try:
            api.wait_for(lambda: any(c.method == "getUpdates" for c in api.calls), timeout=60)
            warm = AnswerCounter(api)
            for q in questions(40, seed=1):
                api.send_text(q, chat_id=99)
            api.wait_for(lambda: warm.count([99]) >= 40, timeout=60)
            tickets: list[str] = []
            threads = [
                threading.Thread(
                    target=complainant, args=(api, 50_000 + i, args.each, tickets), daemon=True
                )
                for i in range(args.complainants if with_complaints else 0)
            ]
            started = time.monotonic()
            for t in threads:
                t.start()
            askers = [10_000 + r for r in range(50)]
            pool = questions(args.questions)
            sent: dict[int, list[float]] = {c: [] for c in askers}
            for i, q in enumerate(pool):
                chat = askers[i % len(askers)]
                sent[chat].append(time.monotonic())
                api.send_text(q, chat_id=chat)
            counter = AnswerCounter(api)
            api.wait_for(lambda: counter.count(askers) >= len(pool), timeout=600)
            for t in threads:
                t.join(600)
            elapsed = time.monotonic() - started
            latencies = [
                (a - s) * 1000
                for chat in askers
                for a, s in zip(counter.at[chat], sent[chat], strict=False)
            ]
        finally:
            proc.terminate()
            proc.wait(30)
    stored: list[str] = []
    if with_complaints:
        out = subprocess.run(
            [sys.executable, "-m", "bot.cli", "complaints", "list"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{data / 'sunshine.db'}"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        stored = TICKET.findall(out)
    return {
        "latencies": latencies,
        "elapsed": elapsed,
        "acknowledged": tickets,
        "stored": stored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complainants", type=int, default=50)
    parser.add_argument("--each", type=int, default=4)
    parser.add_argument("--questions", type=int, default=2000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        alone = run(args, Path(tmp) / "alone", with_complaints=False)
        busy = run(args, Path(tmp) / "busy", with_complaints=True)
    print(f"{'run':<34}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'seconds':>9}")
    for name, result in (("questions alone", alone), ("questions + complaints", busy)):
        lat = result["latencies"]
        assert isinstance(lat, list)
        print(
            f"{name:<34}{pct(lat, 50):>9.1f}{pct(lat, 95):>9.1f}{pct(lat, 99):>9.1f}"
            f"{result['elapsed']:>9.1f}"
        )
    acknowledged, stored = busy["acknowledged"], busy["stored"]
    assert isinstance(acknowledged, list) and isinstance(stored, list)
    expected = args.complainants * args.each
    print(
        f"complaints confirmed {len(acknowledged)} / {expected}; stored {len(stored)}; "
        f"distinct tickets {len(set(stored))}; every acknowledged ticket stored: "
        f"{set(acknowledged) <= set(stored)}; lost {expected - len(set(stored))}, "
        f"doubled {len(stored) - len(set(stored))}"
    )


if __name__ == "__main__":
    main()
