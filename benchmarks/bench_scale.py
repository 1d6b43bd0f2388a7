"""A large knowledge base: start-up, memory, latency and one edit, at 11 and 10,000 entries.

    .venv/bin/python benchmarks/bench_scale.py [--scale 10000] [--replicas]

Each row is a function returning one measurement; `main` prints the table and appends
it to `results/scale.txt`. Start-up is a fresh process from its first line to its first
answer, with the entries already in memory (generating the synthetic ones is timed apart
and left out: a real desk reads them from its database): *cold* has no index file for the
knowledge (the jieba and pinyin caches exist), so it tokenises every example question —
the engine as it started every time before the index was kept; *warm* finds the file.
Latency is in-process over the held-out questions, one at a time, after a warm-up pass.
The edit is `Matcher.updated` with one entry's aliases and example questions changed;
its baseline is the cold build in the same run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_bot import pct, publish  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "scale.txt"

CHILD = """
import json, logging, resource, sys, time
start = time.perf_counter()
sys.path.insert(0, {root!r}); sys.path.insert(0, {root!r} + "/benchmarks")
logging.disable(logging.WARNING)
from pathlib import Path
from bench_matching import synthetic_entries
from knowledge.base.store import shipped_entries
t = time.perf_counter()
shipped = shipped_entries()
entries = shipped + synthetic_entries(shipped, {scale})
generating = time.perf_counter() - t
from knowledge.matching.calibration import load_calibration
from knowledge.matching.decide import Matcher
from knowledge.matching.lexicon import load_lexicon
from knowledge.matching.model import load_model
matcher = Matcher(entries, load_lexicon(), load_calibration(), model=load_model(),
                  cache_dir=Path({cache!r}))
matcher.match("低保怎么申请")
total = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"startup_s": total - generating, "generating_s": generating, "rss_mib": rss}}))
"""


# A real start: the entries read from a SQLite database of the same knowledge (made by
# `SETUP`, untimed), `LiveDesk.start` to the first answer; then one entry edited in the
# database and `LiveDesk.refresh` timed until the engine answers from the edit.
SETUP = """
import sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {root!r} + "/benchmarks")
import logging; logging.disable(logging.WARNING)
from bench_matching import synthetic_entries
from knowledge.base import store
from knowledge.db.engine import ensure_schema, make_engine, open_session
from knowledge.base.store import shipped_entries
shipped = shipped_entries()
engine = make_engine("sqlite:///" + {db!r})
ensure_schema(engine)
with open_session(engine) as session:
    store.save_entries(shipped + synthetic_entries(shipped, {scale}), session=session,
                       author="bench", source="bench")
    session.commit()
"""

DATABASE_CHILD = """
import json, logging, resource, sys, time
start = time.perf_counter()
sys.path.insert(0, {root!r})
logging.disable(logging.WARNING)
from pathlib import Path
from knowledge.db.engine import make_engine
from knowledge.answering.desk import Desk, LiveDesk
from knowledge.matching.model import load_model
engine = make_engine("sqlite:///" + {db!r})
cache, model = Path({cache!r}), load_model()
t = time.perf_counter()
live = LiveDesk.start(engine, lambda entries: Desk(entries, engine=engine, cache_dir=cache,
                      model=model))
live.desk.ask("低保怎么申请", record=False)
end = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
edits = []
if {edit!r}:
    from knowledge.base import store
    from knowledge.db.engine import open_session
    target_id = list(live.desk.entries)[len(live.desk.entries) // 2]
    for i in range(3):
        target = live.desk.entries[target_id]
        alias = f"新增别名{{i}}"
        edited = target.model_copy(update={{"aliases": [*target.aliases, alias],
                                            "questions": [*target.questions, alias + "怎么办"]}})
        with open_session(engine) as session:
            store.save_entries([edited], session=session, author="bench", source="bench")
            session.commit()
        swapped = []
        live.listeners[:] = [lambda desk: swapped.append(time.perf_counter())]
        t0 = time.perf_counter()
        live.refresh()
        edits.append((swapped[0] - t0, time.perf_counter() - t0))
        assert alias in live.desk.matcher.index.topics
print(json.dumps({{"startup_s": end - start, "live_s": end - t, "rss_mib": rss, "edits": edits}}))
"""


def _run(code: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True, text=True, cwd=ROOT
    )
    out = done.stdout.strip().splitlines()
    result: dict[str, Any] = json.loads(out[-1]) if out else {}
    return result


def database_start(scale: int) -> list[tuple[str, str]]:
    """A fresh process to its first answer, the knowledge read from a SQLite database (its
    index file made by a first start), and one entry's edit reaching the engine."""
    cache = _fresh_cache(scale)
    db = str(cache / "kb.db")
    try:
        _run(SETUP.format(root=str(ROOT), db=db, scale=scale))

        def child(edit: bool) -> dict[str, Any]:
            code = DATABASE_CHILD.format(root=str(ROOT), db=db, cache=str(cache), edit=edit)
            return _run(code)

        child(False)  # makes the entries' summaries and the index file
        runs = [child(False) for _ in range(3)]
        edited = child(True)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    n = scale + 11
    return [
        (
            f"start-up from SQLite, {n:,} entries (LiveDesk.start)",
            _fastest(runs, "LiveDesk.start {live_s:.2f} s"),
        ),
        (
            f"one entry edited in SQLite, {n:,} entries (LiveDesk.refresh)",
            ", ".join(f"{swap:.2f} s" for swap, _ in edited["edits"])
            + " to the swap; with the save after it "
            + ", ".join(f"{total:.2f} s" for _, total in edited["edits"]),
        ),
    ]


def _child(scale: int, cache: Path) -> dict[str, Any]:
    return _run(CHILD.format(root=str(ROOT), scale=scale, cache=str(cache)))


def _fastest(runs: list[dict[str, Any]], detail: str = "") -> str:
    """The fastest of repeated starts, the others in brackets, and the highest peak RSS."""
    best = min(runs, key=lambda r: r["startup_s"])
    each = ", ".join(f"{r['startup_s']:.2f}" for r in runs)
    extra = f"; {detail.format(**best)}" if detail else ""
    return (
        f"{best['startup_s']:.2f} s (of {each}{extra})"
        f", peak RSS {max(r['rss_mib'] for r in runs):.0f} MiB"
    )


def _fresh_cache(scale: int) -> Path:
    """A cache folder with jieba's and the pinyin table's caches made, and no index file."""
    cache = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    _child(0, cache)
    for index in cache.glob("index-*"):
        shutil.rmtree(index)
    return cache


def startup(scale: int) -> list[tuple[str, str]]:
    """Fresh process to first answer and its peak RSS: no index file, then with one."""
    cache = _fresh_cache(scale)
    try:
        cold = _child(scale, cache)
        warm = [_child(scale, cache) for _ in range(3)]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    n = scale + 11
    return [
        (
            f"start-up, {n:,} entries, cold (baseline: builds everything)",
            f"{cold['startup_s']:.2f} s, peak RSS {cold['rss_mib']:.0f} MiB",
        ),
        (f"start-up, {n:,} entries in memory, index file found", _fastest(warm)),
    ]


def latency_and_edit(scale: int) -> list[tuple[str, str]]:
    """Per-question latency over the held-out questions, and one entry's edit, in-process."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    logging.disable(logging.WARNING)
    from bench_matching import LABELLED, rapidfuzz_baseline, synthetic_entries

    from knowledge.base.store import shipped_entries
    from knowledge.matching.calibration import load_calibration
    from knowledge.matching.decide import Matcher
    from knowledge.matching.evaluation import read_labelled
    from knowledge.matching.lexicon import load_lexicon
    from knowledge.matching.model import load_model

    shipped = shipped_entries()
    entries = shipped + synthetic_entries(shipped, scale)
    questions = [i.question for path in LABELLED if path.exists() for i in read_labelled(path)]
    cache = _fresh_cache(scale)
    try:
        _child(scale, cache)  # writes the index file
        matcher = Matcher(
            entries, load_lexicon(), load_calibration(), model=load_model(), cache_dir=cache
        )

        def timed(fn: Callable[[str], object], sample: list[str]) -> list[float]:
            for q in sample[: min(50, len(sample) // 2)]:
                fn(q)
            times = []
            for q in sample:
                t = time.perf_counter()
                fn(q)
                times.append((time.perf_counter() - t) * 1000)
            return times

        engine = timed(matcher.match, questions)
        fuzzy = timed(rapidfuzz_baseline(entries), questions[:20])
        target = entries[-1]
        edited = target.model_copy(
            update={
                "aliases": [*target.aliases, "新增别名"],
                "questions": [*target.questions, "新增别名怎么办理"],
            }
        )
        edits = []
        for _ in range(3):
            t = time.perf_counter()
            matcher.updated([*entries[:-1], edited])
            edits.append(time.perf_counter() - t)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    n = scale + 11
    return [
        (
            f"per question, {n:,} entries ({len(engine)} questions)",
            f"p50 {statistics.median(engine):.2f} ms, p99 {pct(engine, 99):.2f} ms",
        ),
        (
            f"per question, rapidfuzz WRatio baseline ({len(fuzzy)} questions)",
            f"p50 {statistics.median(fuzzy):.1f} ms, p99 {pct(fuzzy, 99):.1f} ms",
        ),
        (
            f"one entry edited, {n:,} entries (Matcher.updated)",
            ", ".join(f"{t:.2f} s" for t in edits),
        ),
    ]


def replicas() -> str:
    """The replicas' table: the same load as `bench_replicas.py` (one place for it)."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "bench_replicas.py"),
                "--output",
                str(Path(tmp) / "replicas.txt"),
            ],
            capture_output=True,
            check=True,
            text=True,
            cwd=ROOT,
        )
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10_000, help="synthetic entries")
    parser.add_argument("--only", choices=["database"], help="only the start from a database")
    parser.add_argument(
        "--replicas",
        action="store_true",
        help="also answers/s and p99 of one replica on SQLite, one and two on PostgreSQL "
        "(bench_replicas.py, whose table is added to the results)",
    )
    args = parser.parse_args()
    if args.only == "database":
        rows = database_start(args.scale)
    else:
        rows = [
            *startup(0),
            *startup(args.scale),
            *database_start(args.scale),
            *latency_and_edit(args.scale),
        ]
    header = (
        f"{datetime.date.today()}  {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    width = max(len(name) for name, _ in rows)
    table = "\n".join([header, *(f"{name:<{width}}  {value}" for name, value in rows)])
    if args.replicas:
        table += "\n\n" + replicas()
    publish(table + "\n", RESULTS)


if __name__ == "__main__":
    main()
