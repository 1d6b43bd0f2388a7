"""Speed and quality of the matcher, with two plain baselines in the same run.

    .venv/bin/python benchmarks/bench_matching.py                 # shipped knowledge
    .venv/bin/python benchmarks/bench_matching.py --scale 10000   # plus 10,000 synthetic entries

Prints, for the learned engine, the lexical engine it replaced (the same
process, `Matcher.lexical_match`), and a plain rank_bm25 and a plain rapidfuzz
baseline over the same knowledge: entry accuracy on the held-out sets (and the
shared development set where present), and per-question latency (p50, p99,
max). For the engine also: build time, start-up to first answer of a fresh
`sunshine ask` process, and peak RSS. Latency is measured in-process, one
question at a time, after one warm-up pass. With `--scale` the learned model
does not know the synthetic entries, so the lexical rules decide (as they do
for any entry added after the last `sunshine train`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.base.schema import Entry  # noqa: E402
from knowledge.base.store import shipped_entries  # noqa: E402
from knowledge.matching.calibration import load_calibration  # noqa: E402
from knowledge.matching.decide import Matcher  # noqa: E402
from knowledge.matching.evaluation import Labelled, read_labelled  # noqa: E402
from knowledge.matching.lexicon import load_lexicon  # noqa: E402
from knowledge.matching.model import load_model  # noqa: E402

# The held-out sets (never trained on) and, where present, the shared development set.
LABELLED = [
    ROOT.parent / "shared" / "dev-questions.jsonl",
    ROOT / "tests" / "data" / "heldout" / "a.jsonl",
    ROOT / "tests" / "data" / "heldout" / "b.jsonl",
    ROOT / "tests" / "data" / "holdout.jsonl",
]
POOL = (
    "安百宝北贝本毕边彪宾博财参草策层昌超辰承驰崇初川春淳聪翠达黛丹道德迪典鼎东栋端朵恩帆方菲丰"
    "芬枫凤福富钢高歌庚耕功固冠光广桂国海涵翰浩禾和恒弘鸿厚华桦怀欢焕辉惠吉嘉佳坚建江杰洁金锦"
)


def synthetic_entries(base: Sequence[Entry], count: int, seed: int = 1) -> list[Entry]:
    """Clones of the shipped entries under invented names, so the index grows realistically."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        source = base[i % len(base)]
        name = "".join(rng.choice(POOL) for _ in range(rng.randint(2, 4)))
        terms = sorted(
            {source.title, *source.aliases, *(s.term for s in source.synonyms)},
            # Longest first, ties by text: a set's order changes per process, and the
            # entries must be the same in every process (the index file is keyed by them).
            key=lambda t: (-len(t), t),
        )

        def rename(text: str, terms: list[str] = terms, name: str = name) -> str:
            for term in terms:
                text = text.replace(term, name)
            return text

        out.append(
            source.model_copy(
                update={
                    "id": f"{source.id}-syn{i}",
                    "title": f"{name}事项",
                    "aliases": [name, f"{name}业务"],
                    "synonyms": [],
                    "questions": [rename(q) for q in source.questions],
                    "aspect_questions": {
                        a: [rename(q) for q in qs] for a, qs in source.aspect_questions.items()
                    },
                }
            )
        )
    return out


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(
    fn: Callable[[str], str | None], questions: Sequence[str]
) -> tuple[list[str | None], list[float]]:
    for q in questions[:50]:
        fn(q)  # warm-up
    answers, times = [], []
    for q in questions:
        t = time.perf_counter()
        answers.append(fn(q))
        times.append((time.perf_counter() - t) * 1000)
    return answers, times


def accuracy(items: Sequence[Labelled], answers: Sequence[str | None]) -> float:
    scoped = [(i, a) for i, a in zip(items, answers, strict=True) if i.entry]
    return sum(i.entry == a for i, a in scoped) / len(scoped)


def bm25_baseline(entries: Sequence[Entry]) -> Callable[[str], str | None]:
    import jieba
    from rank_bm25 import BM25Okapi

    docs, owners = [], []
    for e in entries:
        for text in [
            e.title,
            *e.aliases,
            *e.questions,
            *(q for qs in e.aspect_questions.values() for q in qs),
        ]:
            docs.append(jieba.lcut(text))
            owners.append(e.id)
    bm25 = BM25Okapi(docs)

    def answer(q: str) -> str | None:
        scores = bm25.get_scores(jieba.lcut(q))
        best = max(range(len(scores)), key=scores.__getitem__)
        return owners[best] if scores[best] > 0 else None

    return answer


def rapidfuzz_baseline(entries: Sequence[Entry]) -> Callable[[str], str | None]:
    from rapidfuzz import fuzz, process

    texts, owners = [], []
    for e in entries:
        for text in [
            e.title,
            *e.aliases,
            *e.questions,
            *(q for qs in e.aspect_questions.values() for q in qs),
        ]:
            texts.append(text)
            owners.append(e.id)

    def answer(q: str) -> str | None:
        found = process.extractOne(q, texts, scorer=fuzz.WRatio)
        return owners[found[2]] if found else None

    return answer


MEASURED_ASK = (
    "import resource, sys\n"
    "from bot.cli import main\n"
    "main(['ask', '低保怎么申请', '--json'])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)


def startup_seconds(repeats: int = 3) -> tuple[list[float], float]:
    """Wall time and peak RSS (MiB) of a fresh `sunshine ask` process, caches already made."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/s.db",
            "SUNSHINE_CACHE_DIR": f"{tmp}/cache",
        }
        cmd = [sys.executable, "-c", MEASURED_ASK]
        subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=True)  # first use
        times, rss = [], 0.0
        for _ in range(repeats):
            t = time.perf_counter()
            done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=True)
            times.append(time.perf_counter() - t)
            rss = max(rss, int(done.stderr.decode().split()[-1]) / 1024)
        return times, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=0, help="add this many synthetic entries")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    shipped = shipped_entries()
    entries = shipped + synthetic_entries(shipped, args.scale) if args.scale else shipped
    items = [i for path in LABELLED if path.exists() for i in read_labelled(path)]
    questions = [i.question for i in items]

    with tempfile.TemporaryDirectory() as cache:
        Matcher(
            shipped[:1], load_lexicon(), load_calibration(), cache_dir=Path(cache)
        )  # warm caches
        t = time.perf_counter()
        matcher = Matcher(
            entries,
            load_lexicon(),
            load_calibration(),
            model=load_model(),  # serves the shipped entries; at scale the lexical rules decide
            cache_dir=Path(cache),
        )
        build = time.perf_counter() - t
        first = time.perf_counter()
        matcher.match(questions[0])
        first_answer = time.perf_counter() - first + build

    results = {}
    if matcher.model is not None:
        engine_answers, engine_times = timed(lambda q: matcher.match(q).entry, questions)
        results["learned engine"] = (accuracy(items, engine_answers), engine_times)
    lexical_answers, lexical_times = timed(lambda q: matcher.lexical_match(q).entry, questions)
    results["lexical (before)"] = (accuracy(items, lexical_answers), lexical_times)
    rss_engine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for name, make in (("rank_bm25", bm25_baseline), ("rapidfuzz WRatio", rapidfuzz_baseline)):
        answer = make(entries)
        sample = questions if len(entries) < 1000 else questions[:100]
        got, times = timed(answer, sample)
        results[name] = (accuracy(items[: len(sample)], got), times)

    report = {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "entries": len(entries),
        "questions": len(questions),
        "engine_build_s": round(build, 3),
        "engine_first_answer_s": round(first_answer, 3),
        "peak_rss_mib_after_engine": round(rss_engine, 1),
        "systems": {
            name: {
                "entry_accuracy": round(acc, 4),
                "p50_ms": round(statistics.median(t), 3),
                "p99_ms": round(percentile(t, 99), 3),
                "max_ms": round(max(t), 3),
                "n": len(t),
            }
            for name, (acc, t) in results.items()
        },
    }
    if not args.scale:
        times, rss = startup_seconds()
        report["process_startup_to_first_answer_s"] = [round(x, 3) for x in times]
        report["process_peak_rss_mib"] = round(rss, 1)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(f"machine: {report['machine']}")
    print(f"entries: {len(entries)}   questions: {len(questions)}")
    print(
        f"engine build {build:.3f} s, first answer after {first_answer:.3f} s, "
        f"peak RSS {rss_engine:.0f} MiB"
    )
    if "process_startup_to_first_answer_s" in report:
        print(
            f"fresh `sunshine ask` process: {report['process_startup_to_first_answer_s']} s, "
            f"peak RSS {report['process_peak_rss_mib']} MiB"
        )
    print(f"{'system':<18} {'entry acc':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'n':>5}")
    for name, row in report["systems"].items():  # type: ignore[attr-defined]
        print(
            f"{name:<18} {row['entry_accuracy'] * 100:8.1f}% {row['p50_ms']:8.3f} "
            f"{row['p99_ms']:8.3f} {row['max_ms']:8.3f} {row['n']:>5}"
        )


if __name__ == "__main__":
    main()
