"""`sunshine chat | ask | eval | tune`: the desk, as residents and developers use it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import desk
from bot.config import Settings
from knowledge.errors import InputError
from knowledge.texts import staff

if TYPE_CHECKING:
    from bot.cli.common import Subparsers


def chat(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.console import ConsoleChat

    ConsoleChat(desk(settings)).run(input, sys.stdout)
    return 0


def _read_batch(source: str) -> list[tuple[int, str | None]]:
    """(line number, text or None when the line is not UTF-8) for every line."""
    if source == "-":
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise InputError(
                staff.CLI_CANNOT_READ.format(source=source, error=exc.strerror)
            ) from exc
    out: list[tuple[int, str | None]] = []
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        chunk = chunk.rstrip(b"\r")
        try:
            out.append((number, chunk.decode("utf-8")))
        except UnicodeDecodeError:
            out.append((number, None))
    if out and out[-1] == (len(out), ""):
        out.pop()  # the newline at the end of the file
    return out


def ask(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.answering.answers import render_plain

    found = desk(settings)

    def answer(question: str) -> str:
        reply = found.ask(question)
        if args.json:
            return json.dumps(found.as_json(reply), ensure_ascii=False)
        return render_plain(reply.card, found.entries)

    if args.batch is None:
        if not args.question:
            raise InputError(staff.CLI_ASK_WHAT)
        print(answer(" ".join(args.question)))
        return 0
    lines = _read_batch(args.batch)
    bad = 0
    progress = sys.stderr.isatty()
    for i, (number, text) in enumerate(lines, start=1):
        if text is None:
            bad += 1
            message = staff.CLI_BAD_LINE.format(number=number)
            print(staff.CLI_ERROR.format(message=message), file=sys.stderr)
            print(json.dumps({"line": number, "error": message}, ensure_ascii=False), flush=True)
            continue
        print(answer(text) + ("" if args.json else "\n"))
        if progress and (i % 50 == 0 or i == len(lines)):
            print(staff.CLI_PROGRESS.format(done=i, total=len(lines)), end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    return 1 if bad else 0


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.matching.evaluation import evaluate as score
    from knowledge.matching.evaluation import format_report, read_labelled

    matcher = desk(settings, shipped=args.shipped, learned=args.engine == "learned").matcher
    report = score(read_labelled(Path(args.file)), matcher.match)
    if args.json:
        print(json.dumps(report.to_dict(misses=args.misses), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, misses=args.misses))
    return 0


def tune(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.matching.evaluation import read_labelled
    from knowledge.matching.tuning import tune as fit

    calibration, summary = fit(
        desk(settings, shipped=args.shipped).matcher, read_labelled(Path(args.file))
    )
    Path(args.output).write_text(calibration.to_json(), encoding="utf-8")
    print(summary)
    print(f"wrote {args.output}")
    return 0


def train(args: argparse.Namespace, settings: Settings) -> int:
    from bot import wiring
    from knowledge.matching.decide import topic_decision
    from knowledge.matching.model import MODEL_FILE, save_model
    from knowledge.matching.training import describe, read_corpus
    from knowledge.matching.training import train as fit

    found = desk(settings, shipped=args.shipped, learned=False)
    corpus = read_corpus(Path(args.corpus) if args.corpus else None)
    model = fit(
        list(found.entries.entries()),
        found.matcher.featurizer,
        corpus,
        topic_decision,
        progress=lambda line: print(line, file=sys.stderr),
    )
    if args.output:
        output = Path(args.output)
    elif args.shipped:
        output = Path(__file__).resolve().parents[2] / "knowledge" / "data" / MODEL_FILE
    else:
        output = wiring.model_path(settings)
    save_model(model, output)
    print(describe(model))
    print(staff.CLI_WROTE.format(file=output))
    return 0


def register(sub: Subparsers) -> None:
    p = sub.add_parser("chat", help="talk to the desk in the terminal")
    p.set_defaults(func=chat)

    p = sub.add_parser(
        "ask",
        help="answer one question, or a file of questions",
        epilog=staff.CLI_EXAMPLE_ASK,
    )
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true", help="print one JSON object per question")
    p.add_argument("--batch", metavar="FILE", help="one question per line; - for stdin")
    p.set_defaults(func=ask)

    shipped: dict[str, Any] = {
        "action": "store_true",
        "help": "use the knowledge files in knowledge/data, not the database",
    }
    p = sub.add_parser(
        "eval",
        help="score the matcher on a labelled JSONL set",
        epilog="Example: sunshine eval ../shared/dev-questions.jsonl --misses",
    )
    p.add_argument("file")
    p.add_argument("--misses", action="store_true", help="list every miss")
    p.add_argument("--json", action="store_true")
    p.add_argument("--shipped", **shipped)
    p.add_argument(
        "--engine",
        choices=("learned", "lexical"),
        default="learned",
        help="the learned model (default) or the lexical rules alone, for comparison",
    )
    p.set_defaults(func=evaluate)

    p = sub.add_parser(
        "train",
        help="train the learned matcher on the corpus and the knowledge",
        epilog="Example: sunshine train --shipped   (developers: rebuild knowledge/data/model.npz)",
    )
    p.add_argument("--corpus", metavar="DIR", help="labelled JSONL files (default: the shipped)")
    p.add_argument("-o", "--output", help="default: SUNSHINE_DATA_DIR/model.npz")
    p.add_argument("--shipped", **shipped)
    p.set_defaults(func=train)

    p = sub.add_parser("tune", help="fit the matcher's calibration on a labelled set")
    p.add_argument("file")
    p.add_argument("-o", "--output", default="knowledge/data/calibration.json")
    p.add_argument("--shipped", **shipped)
    p.set_defaults(func=tune)
