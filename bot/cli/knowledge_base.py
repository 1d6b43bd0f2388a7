"""`sunshine kb …` and `sunshine feedback`: the knowledge base, as staff keep it current."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import ready_engine, session
from bot.config import Settings
from knowledge.base import store
from knowledge.base.store import SaveResult
from knowledge.errors import InputError
from knowledge.texts import staff

if TYPE_CHECKING:
    from bot.cli.common import Subparsers


def export(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.base.transfer import export_entries

    with session(settings) as s:
        data = export_entries(store.load_entries(session=s), args.format)
    if args.output in (None, "-"):
        if args.format == "xlsx" and sys.stdout.isatty():
            raise InputError(staff.CLI_XLSX_TO_FILE)
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
        print(staff.CLI_EXPORTED.format(file=args.output), file=sys.stderr)
    return 0


def import_(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.base.transfer import parse_file

    path = Path(args.file)
    entries = parse_file(path)
    with session(settings) as s:
        result = store.save_entries(
            entries, session=s, author=args.author, source=f"import {path.name}"
        )
        if args.dry_run:
            s.rollback()
        else:
            s.commit()
    _print_saved(result, staff.CLI_IMPORT_WOULD if args.dry_run else staff.CLI_IMPORT_DONE)
    if args.dry_run:
        print(staff.CLI_DRY_RUN)
    elif result.created or result.changed:
        _model_notice(settings)
    return 0


def _print_saved(result: SaveResult, verb: str) -> None:
    """How many entries were created, changed and left as they were, and which."""
    print(
        staff.CLI_IMPORTED.format(
            verb=verb,
            created=len(result.created),
            changed=len(result.changed),
            unchanged=len(result.unchanged),
        )
    )
    for entry_id in [*result.created, *result.changed]:
        print(f"  {entry_id}")


def update(args: argparse.Namespace, settings: Settings) -> int:
    with session(settings) as s:
        done = store.update_from_shipped(session=s, source=staff.CLI_SHIPPED_SOURCE)
        s.commit()
    saved = done.saved
    _print_saved(saved, staff.CLI_IMPORT_DONE)
    if done.kept:
        print(staff.CLI_SHIPPED_KEPT)
        for entry_id in done.kept:
            print(f"  {entry_id}")
    if saved.created or saved.changed:
        _model_notice(settings)
    return 0


def _model_notice(settings: Settings) -> None:
    """Tell staff when the model no longer matches the knowledge they just changed."""
    from bot import wiring
    from knowledge.matching.model import fingerprint

    model = wiring.model(settings)
    with session(settings) as s:
        entries = store.load_entries(session=s)
    if model is None:
        return
    unknown = sorted({e.id for e in entries} - model.entries() - {"contacts"})
    if unknown:
        print(staff.CLI_MODEL_MISSING_ENTRY.format(ids="、".join(unknown)))
    elif fingerprint(entries) != model.knowledge:
        print(staff.CLI_MODEL_STALE)


def history(args: argparse.Namespace, settings: Settings) -> int:
    with session(settings) as s:
        for rev in store.history(args.entry, session=s):
            when = rev.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            print(f"#{rev.revision}  {when}  {rev.author}  ({rev.source})")
            for change in rev.changes:
                print(f"      {change}")
    return 0


def diff(args: argparse.Namespace, settings: Settings) -> int:
    with session(settings) as s:
        text = store.diff_revision(args.entry, args.revision, session=s)
    print(text or staff.CLI_SAME_AS_BEFORE, end="" if text else "\n")
    return 0


def rollback(args: argparse.Namespace, settings: Settings) -> int:
    with session(settings) as s:
        result = store.rollback(args.entry, args.revision, session=s, author=args.author)
        s.commit()
        if not result.changed:
            print(staff.CLI_ROLLBACK_SAME.format(entry=args.entry, revision=args.revision))
            return 0
        newest = store.history(args.entry, session=s)[-1].revision
    print(staff.CLI_ROLLED_BACK.format(entry=args.entry, revision=args.revision, newest=newest))
    return 0


def check(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.base.check import PROBLEM_KINDS, check_entries

    max_age = args.max_age_days if args.max_age_days is not None else settings.stale_after_days
    with session(settings) as s:
        entries = store.load_entries(session=s)
    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    findings = check_entries(entries, today=today, max_age_days=max_age)
    problems = [f for f in findings if f.kind in PROBLEM_KINDS]
    if args.json:
        print(json.dumps([f.__dict__ for f in findings], ensure_ascii=False, indent=2))
        return 1 if problems else 0
    for kind, title in staff.CLI_CHECK_KINDS.items():
        group = [f for f in findings if f.kind == kind]
        print(staff.CLI_CHECK_HEADING.format(title=title, count=len(group)))
        for f in group:
            print(staff.CLI_CHECK_ROW.format(entry=f.entry, where=f.where, message=f.message))
    print(staff.CLI_CHECK_TOTAL.format(count=len(problems), days=max_age))
    return 1 if problems else 0


def unanswered(args: argparse.Namespace, settings: Settings) -> int:
    with session(settings) as s:
        rows = store.unanswered(session=s, limit=args.limit)
    if args.json:
        found = [
            {
                "text": r.text,
                "count": r.count,
                "first_seen": r.first_seen.isoformat(),
                "last_seen": r.last_seen.isoformat(),
                "best_guess": r.best_guess,
                "best_score": r.best_score,
            }
            for r in rows
        ]
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(staff.CLI_NO_UNANSWERED)
    for r in rows:
        guess = (
            staff.CLI_UNANSWERED_GUESS.format(entry=r.best_guess, score=r.best_score or 0.0)
            if r.best_guess
            else ""
        )
        print(
            staff.CLI_UNANSWERED_ROW.format(
                count=r.count, last=r.last_seen, text=r.text, guess=guess
            )
        )
    return 0


def feedback(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.answering import votes

    rows = votes.recent(ready_engine(settings), limit=args.limit, unhelpful_only=args.unhelpful)
    if args.json:
        for r in rows:
            print(json.dumps(r.model_dump(mode="json"), ensure_ascii=False))
        return 0
    if not rows:
        print(staff.CLI_NO_VOTES)
    for r in rows:
        comment = staff.CLI_VOTE_COMMENT.format(comment=r.comment) if r.comment else ""
        print(
            staff.CLI_VOTE_ROW.format(
                at=r.created_at,
                vote="👍" if r.helpful else "👎",
                where=f"{r.entry}/{r.aspect or '-'}",
                question=r.question or staff.NONE_MARK,
                comment=comment,
            )
        )
    return 0


def register(sub: Subparsers) -> None:
    kb = sub.add_parser("kb", help="the knowledge base").add_subparsers(dest="kb", required=True)
    p = kb.add_parser(
        "export",
        help="write the whole knowledge base",
        epilog="Example: sunshine kb export --format xlsx -o kb.xlsx",
    )
    p.add_argument("--format", choices=("json", "yaml", "xlsx"), default="json")
    p.add_argument("-o", "--output")
    p.set_defaults(func=export)
    p = kb.add_parser(
        "import",
        help="validate and load a knowledge file (one transaction)",
        epilog=staff.CLI_EXAMPLE_IMPORT,
    )
    p.add_argument("file")
    p.add_argument("--author", default="staff")
    p.add_argument("--dry-run", action="store_true", help="validate and report, change nothing")
    p.set_defaults(func=import_)
    p = kb.add_parser(
        "update",
        help="bring entries up to the knowledge shipped with this version (staff edits kept)",
    )
    p.set_defaults(func=update)
    p = kb.add_parser("history", help="revisions of an entry")
    p.add_argument("entry")
    p.set_defaults(func=history)
    p = kb.add_parser("diff", help="what a revision changed")
    p.add_argument("entry")
    p.add_argument("revision", type=int)
    p.set_defaults(func=diff)
    p = kb.add_parser("rollback", help="restore a revision as a new revision")
    p.add_argument("entry")
    p.add_argument("revision", type=int)
    p.add_argument("--author", default="staff")
    p.set_defaults(func=rollback)
    p = kb.add_parser("check", help="stale entries, missing legal basis, contradictions")
    p.add_argument("--max-age-days", type=int)
    p.add_argument("--today", help="check as of this date (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=check)
    p = kb.add_parser("unanswered", help="questions the desk could not answer")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=unanswered)

    p = sub.add_parser("feedback", help="residents' 👍 / 👎 on answers")
    p.add_argument("--unhelpful", action="store_true", help="only 👎")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=feedback)
