"""The `sunshine` command: each subcommand is one call into knowledge/ or handlers/.

Examples:
  sunshine chat                                  talk to the desk in the terminal
  sunshine ask "结婚要带什么材料" --json           one question, one JSON object
  sunshine ask --json --batch questions.txt      one JSON object per line
  sunshine eval ../shared/dev-questions.jsonl --misses
  sunshine kb export --format xlsx -o kb.xlsx    edit in Excel, then:
  sunshine kb import kb.xlsx --author 张三
  sunshine kb history dibao | kb diff dibao 2 | kb rollback dibao 1
  sunshine kb check                              stale, unsourced, contradictory knowledge
  sunshine kb unanswered                         what residents asked that had no answer
  sunshine db init | db upgrade | db backup FILE | db restore FILE
  sunshine run                                   the Telegram bot (TELEGRAM_BOT_TOKEN)
  sunshine qr dibao -o dibao.png                 a QR code that opens an entry in the bot
  sunshine feedback --unhelpful                  residents' 👎 on answers, with comments
  sunshine complaints list --json | complaints show TS20261125-0001 | complaints erase
  sunshine report --month 2026-11 --xlsx 2026-11.xlsx
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from knowledge.complaints.lifecycle import State
from knowledge.errors import InputError, SunshineError

log = logging.getLogger("sunshine")


def _engine(settings: Settings) -> Any:
    from knowledge.db.engine import make_engine

    return make_engine(settings.database_url)


def _desk(settings: Settings, *, shipped: bool = False) -> Any:
    """The desk over the database, or over the shipped files (for developers tuning them)."""
    from knowledge.desk import Desk

    if shipped:
        from knowledge.store import shipped_entries

        return Desk(shipped_entries(), cache_dir=settings.cache_dir)
    return Desk.from_database(_engine(settings), cache_dir=settings.cache_dir)


def _ready_engine(settings: Settings) -> Any:
    """The engine, with the database created and the shipped knowledge loaded if new."""
    from knowledge.desk import prepare_database

    engine = _engine(settings)
    prepare_database(engine)
    return engine


def _session(settings: Settings) -> Any:
    from knowledge.db.engine import open_session

    return open_session(_ready_engine(settings))


# -- chat, ask, eval ---------------------------------------------------------------------


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.console import ConsoleChat

    ConsoleChat(_desk(settings)).run(input, sys.stdout)
    return 0


def _match_json(reply: Any, entries: dict[str, Any]) -> dict[str, Any]:
    from knowledge.answers import render_plain

    m = reply.match
    return {
        "intent": m.intent.value,
        "entry": m.entry,
        "aspect": m.aspect.value if m.aspect else None,
        "score": m.score,
        "text": render_plain(reply.card, entries),
        "alternatives": [
            {"entry": c.entry, "aspect": c.aspect.value if c.aspect else None, "score": c.score}
            for c in m.alternatives
        ],
        "decision": m.decision,
        "referral": m.referral.department if m.referral else None,
    }


def _read_batch(source: str) -> list[tuple[int, str | None]]:
    """(line number, text or None when the line is not UTF-8) for every line."""
    if source == "-":
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise InputError(f"无法读取 {source}：{exc.strerror}") from exc
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


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.answers import render_plain

    desk = _desk(settings)
    if args.batch is None:
        if not args.question:
            raise InputError('请给出问题，例如：sunshine ask "低保怎么申请"')
        reply = desk.ask(" ".join(args.question))
        if args.json:
            print(json.dumps(_match_json(reply, desk.entries), ensure_ascii=False))
        else:
            print(render_plain(reply.card, desk.entries))
        return 0
    lines = _read_batch(args.batch)
    bad = 0
    progress = sys.stderr.isatty()
    for i, (number, text) in enumerate(lines, start=1):
        if text is None:
            bad += 1
            message = f"第 {number} 行不是有效的 UTF-8 文本，已跳过"
            print(f"sunshine: {message}", file=sys.stderr)
            print(json.dumps({"line": number, "error": message}, ensure_ascii=False), flush=True)
            continue
        reply = desk.ask(text)
        if args.json:
            print(json.dumps(_match_json(reply, desk.entries), ensure_ascii=False))
        else:
            print(render_plain(reply.card, desk.entries) + "\n")
        if progress and (i % 50 == 0 or i == len(lines)):
            print(f"\r已处理 {i}/{len(lines)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return 1 if bad else 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.matching.evaluation import evaluate, format_report, read_labelled

    items = read_labelled(Path(args.file))
    desk = _desk(settings, shipped=args.shipped)
    report = evaluate(items, desk.matcher.match)
    if args.json:
        print(json.dumps(report.to_dict(misses=args.misses), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, misses=args.misses))
    return 0


def cmd_tune(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.matching.evaluation import read_labelled
    from knowledge.matching.tuning import tune

    desk = _desk(settings, shipped=args.shipped)
    calibration, summary = tune(desk.matcher, read_labelled(Path(args.file)))
    Path(args.output).write_text(calibration.to_json(), encoding="utf-8")
    print(summary)
    print(f"wrote {args.output}")
    return 0


# -- knowledge base ----------------------------------------------------------------------


def cmd_kb_export(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge import store
    from knowledge.transfer import export_entries

    with _session(settings) as session:
        data = export_entries(store.load_entries(session=session), args.format)
    if args.output in (None, "-"):
        if args.format == "xlsx" and sys.stdout.isatty():
            raise InputError("xlsx 是二进制文件，请用 -o 文件名.xlsx 指定输出文件")
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
        print(f"已导出到 {args.output}", file=sys.stderr)
    return 0


def cmd_kb_import(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge import store
    from knowledge.transfer import parse_file

    path = Path(args.file)
    entries = parse_file(path)
    with _session(settings) as session:
        result = store.save_entries(
            entries, session=session, author=args.author, source=f"import {path.name}"
        )
        if args.dry_run:
            session.rollback()
        else:
            session.commit()
    verb = "将" if args.dry_run else "已"
    print(
        f"{verb}新建 {len(result.created)} 个、修改 {len(result.changed)} 个条目，"
        f"{len(result.unchanged)} 个没有变化。"
    )
    for entry_id in [*result.created, *result.changed]:
        print(f"  {entry_id}")
    if args.dry_run:
        print("（试运行，数据库未改动）")
    return 0


def cmd_kb_history(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge import store

    with _session(settings) as session:
        for rev in store.history(args.entry, session=session):
            when = rev.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            print(f"#{rev.revision}  {when}  {rev.author}  ({rev.source})")
            for change in rev.changes:
                print(f"      {change}")
    return 0


def cmd_kb_diff(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge import store

    with _session(settings) as session:
        text = store.diff_revision(args.entry, args.revision, session=session)
    print(text or "（这一版与上一版相同）", end="" if text else "\n")
    return 0


def cmd_kb_rollback(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge import store

    with _session(settings) as session:
        result = store.rollback(args.entry, args.revision, session=session, author=args.author)
        session.commit()
        if not result.changed:
            print(f"{args.entry} 当前内容已与第 {args.revision} 版相同，未产生新版本。")
            return 0
        newest = store.history(args.entry, session=session)[-1].revision
    print(f"已把 {args.entry} 恢复为第 {args.revision} 版的内容（记为第 {newest} 版）。")
    return 0


def cmd_kb_check(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge import store
    from knowledge.check import PROBLEM_KINDS, check_entries

    max_age = args.max_age_days if args.max_age_days is not None else settings.stale_after_days
    with _session(settings) as session:
        entries = store.load_entries(session=session)
    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    findings = check_entries(entries, today=today, max_age_days=max_age)
    problems = [f for f in findings if f.kind in PROBLEM_KINDS]
    if args.json:
        print(json.dumps([f.__dict__ for f in findings], ensure_ascii=False, indent=2))
    else:
        titles = {
            "stale": "超过审核期限",
            "missing-basis": "缺少法律依据",
            "contradiction": "可能互相矛盾",
            "review-note": "待核实事项",
        }
        for kind, title in titles.items():
            group = [f for f in findings if f.kind == kind]
            print(f"{title}（{len(group)}）")
            for f in group:
                print(f"  [{f.entry}] {f.where}：{f.message}")
        print(f"\n共 {len(problems)} 个问题（审核期限 {max_age} 天）。")
    return 1 if problems else 0


def cmd_kb_unanswered(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge import store

    with _session(settings) as session:
        rows = store.unanswered(session=session, limit=args.limit)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "text": r.text,
                        "count": r.count,
                        "first_seen": r.first_seen.isoformat(),
                        "last_seen": r.last_seen.isoformat(),
                        "best_guess": r.best_guess,
                        "best_score": r.best_score,
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not rows:
        print("还没有未能回答的问题。")
    for r in rows:
        guess = f"  （最接近：{r.best_guess} {r.best_score:.2f}）" if r.best_guess else ""
        print(f"{r.count:>4} 次  {r.last_seen:%Y-%m-%d}  {r.text}{guess}")
    return 0


# -- database ------------------------------------------------------------------------------


def cmd_db_init(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.desk import prepare_database

    loaded = prepare_database(_engine(settings))
    print("数据库已就绪" + ("，已载入内置知识库。" if loaded else "（知识库已存在，未改动）。"))
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.db.engine import schema_version, upgrade

    engine = _engine(settings)
    before = schema_version(engine)
    upgrade(engine)
    print(f"数据库结构：{before or '（空）'} → {schema_version(engine)}")
    return 0


def cmd_db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.db.backup import backup

    size = backup(settings.database_url, Path(args.file))
    print(f"已备份到 {args.file}（{size / 1024:.0f} KB）")
    return 0


def cmd_db_restore(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.db.backup import restore

    restore(settings.database_url, Path(args.file))
    print(f"已从 {args.file} 恢复数据库。")
    return 0


# -- the bot -------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.telegram_token:
        from knowledge import texts

        print(texts.NO_TOKEN, file=sys.stderr)
        if sys.stdin.isatty() and sys.stdout.isatty():
            answer = input(texts.OPEN_CHAT_INSTEAD).strip().lower()
            if answer in ("", "y", "yes", "是", "好"):
                return cmd_chat(args, settings)
        return 2
    import signal

    from bot.app import run

    # Until the bot installs its own handlers, SIGTERM stops start-up cleanly too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
    # httpx logs every request at INFO: one line per update is ours to write.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return run(settings)


def _bot_username(args: argparse.Namespace, settings: Settings) -> str:
    username = (args.bot or settings.bot_username or "").lstrip("@")
    if username:
        return username
    if not settings.telegram_token:
        raise InputError("name the bot: --bot USERNAME (or SUNSHINE_BOT_USERNAME)")
    import asyncio

    from telegram import Bot

    async def ask() -> str:
        base_url = settings.telegram_base_url or "https://api.telegram.org/bot"
        async with Bot(settings.telegram_token or "", base_url=base_url) as bot:
            return bot.username

    return asyncio.run(ask())


def cmd_qr(args: argparse.Namespace, settings: Settings) -> int:
    import segno

    with _session(settings) as session:
        from knowledge.store import load_entries

        ids = {e.id for e in load_entries(session=session)}
    if args.entry not in ids:
        raise InputError(f"no entry {args.entry!r}; entries: {', '.join(sorted(ids))}")
    link = f"https://t.me/{_bot_username(args, settings)}?start={args.entry}"
    output = Path(args.output or f"{args.entry}.png")
    segno.make(link, error="m").save(str(output), scale=args.scale, border=4)
    print(f"{output}  →  {link}")
    return 0


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge import votes

    engine = _ready_engine(settings)
    rows = votes.recent(engine, limit=args.limit, unhelpful_only=args.unhelpful)
    if args.json:
        for r in rows:
            print(json.dumps(r.model_dump(mode="json"), ensure_ascii=False))
        return 0
    if not rows:
        print("还没有反馈。")
    for r in rows:
        vote = "👍" if r.helpful else "👎"
        where = f"{r.entry}/{r.aspect or '-'}"
        comment = f"  意见：{r.comment}" if r.comment else ""
        print(f"{r.created_at:%Y-%m-%d %H:%M} {vote} {where}  问：{r.question or '—'}{comment}")
    return 0


# -- complaints ----------------------------------------------------------------------------


def _complaint_json(c: Any, *, full: bool = False) -> dict[str, Any]:
    from knowledge.privacy import mask

    data: dict[str, Any] = {
        "ticket": c.ticket,
        "state": c.state,
        "category": c.category,
        "kind": c.kind,
        "created_at": c.created_at.isoformat(),
        "due_claim": c.due_claim.isoformat(),
        "due_reply": c.due_reply.isoformat(),
        "channel": c.channel,
    }
    if full:
        sealed = c.identity == "sealed"
        data.update(
            {
                "summary": mask(c.summary),
                "identity": c.identity,
                "responsible_office": c.responsible_office,
                "contact_phone": None if sealed or not c.contact_phone else mask(c.contact_phone),
                "reply": c.reply_text,
                "result": c.result,
                "solved": c.solved,
                "satisfaction": c.satisfaction,
                "extension_used": c.extension_used,
                "reopen_count": c.reopen_count,
            }
        )
    return data


def cmd_complaints_list(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.complaints import store as complaint_store
    from knowledge.complaints.lifecycle import STATE_LABELS, State

    engine = _ready_engine(settings)
    state = State(args.state) if args.state else None
    rows = complaint_store.listing(engine, state=state)
    if args.json:
        for c in rows:
            print(json.dumps(_complaint_json(c), ensure_ascii=False))
        return 0
    if not rows:
        print("没有投诉。")
    for c in rows:
        label = STATE_LABELS[State(c.state)]
        due = c.due_reply.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{c.ticket}  {label:<10} {c.category or '其他':<24} 答复期限 {due}  {c.channel}")
    return 0


def cmd_complaints_show(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.complaints import store as complaint_store
    from knowledge.complaints.lifecycle import STATE_LABELS, State

    engine = _ready_engine(settings)
    try:
        c = complaint_store.get(engine, args.ticket)
    except complaint_store.ComplaintNotFound as exc:
        raise InputError(f"no complaint {args.ticket}") from exc
    assert c.id is not None
    events = complaint_store.history(engine, c.id)
    if args.json:
        data = _complaint_json(c, full=True)
        data["history"] = [
            {
                "at": e.at.isoformat(),
                "actor_role": e.actor_role,
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "reason": e.reason,
            }
            for e in events
        ]
        print(json.dumps(data, ensure_ascii=False))
        return 0
    data = _complaint_json(c, full=True)
    print(f"{c.ticket}  {STATE_LABELS[State(c.state)]}")
    for key in ("category", "kind", "channel", "identity", "responsible_office", "summary"):
        print(f"  {key}: {data[key]}")
    print("  history:")
    for e in events:
        why = f"  ({e.reason})" if e.reason else ""
        print(
            f"    {e.at:%Y-%m-%d %H:%M} {e.actor_role:<10} {e.action}: "
            f"{e.from_state or '-'} → {e.to_state}{why}"
        )
    return 0


def cmd_complaints_erase(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.complaints import store as complaint_store

    engine = _ready_engine(settings)
    days = settings.retention_days if args.older_than_days is None else args.older_than_days
    erased = complaint_store.erase_personal_data(engine, older_than=dt.timedelta(days=days))
    print(f"已删除 {len(erased)} 件办结超过 {days} 天的投诉中的个人信息。")
    for ticket in erased:
        print(f"  {ticket}")
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.complaints.calendar import WorkCalendar
    from knowledge.complaints.report import figures, message, workbook

    engine = _ready_engine(settings)
    month = args.month or dt.datetime.now(dt.UTC).strftime("%Y-%m")
    try:
        report = figures.monthly_report(engine, month, calendar=WorkCalendar.load())
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    if args.xlsx:
        workbook.write_workbook(report, Path(args.xlsx))
        print(f"已写入 {args.xlsx}")
    else:
        print(message.report_text(report))
    return 0


# -- wiring ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sunshine",
        description="阳光民政咨询助手 Sunshine Desk",
        epilog=__doc__.split("\n", 2)[2] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("chat", help="talk to the desk in the terminal")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser(
        "ask",
        help="answer one question, or a file of questions",
        epilog='Example: sunshine ask "结婚要带什么材料" --json',
    )
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true", help="print one JSON object per question")
    p.add_argument("--batch", metavar="FILE", help="one question per line; - for stdin")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "eval",
        help="score the matcher on a labelled JSONL set",
        epilog="Example: sunshine eval ../shared/dev-questions.jsonl --misses",
    )
    p.add_argument("file")
    p.add_argument("--misses", action="store_true", help="list every miss")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--shipped",
        action="store_true",
        help="use the knowledge files in knowledge/data, not the database",
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("tune", help="fit the matcher's calibration on a labelled set")
    p.add_argument("file")
    p.add_argument("-o", "--output", default="knowledge/data/calibration.json")
    p.add_argument(
        "--shipped",
        action="store_true",
        help="use the knowledge files in knowledge/data, not the database",
    )
    p.set_defaults(func=cmd_tune)

    kb = sub.add_parser("kb", help="the knowledge base").add_subparsers(dest="kb", required=True)
    p = kb.add_parser(
        "export",
        help="write the whole knowledge base",
        epilog="Example: sunshine kb export --format xlsx -o kb.xlsx",
    )
    p.add_argument("--format", choices=("json", "yaml", "xlsx"), default="json")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_kb_export)
    p = kb.add_parser(
        "import",
        help="validate and load a knowledge file (one transaction)",
        epilog="Example: sunshine kb import kb.xlsx --author 张三",
    )
    p.add_argument("file")
    p.add_argument("--author", default="staff")
    p.add_argument("--dry-run", action="store_true", help="validate and report, change nothing")
    p.set_defaults(func=cmd_kb_import)
    p = kb.add_parser("history", help="revisions of an entry")
    p.add_argument("entry")
    p.set_defaults(func=cmd_kb_history)
    p = kb.add_parser("diff", help="what a revision changed")
    p.add_argument("entry")
    p.add_argument("revision", type=int)
    p.set_defaults(func=cmd_kb_diff)
    p = kb.add_parser("rollback", help="restore a revision as a new revision")
    p.add_argument("entry")
    p.add_argument("revision", type=int)
    p.add_argument("--author", default="staff")
    p.set_defaults(func=cmd_kb_rollback)
    p = kb.add_parser("check", help="stale entries, missing legal basis, contradictions")
    p.add_argument("--max-age-days", type=int)
    p.add_argument("--today", help="check as of this date (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_kb_check)
    p = kb.add_parser("unanswered", help="questions the desk could not answer")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_kb_unanswered)

    db = sub.add_parser("db", help="the database").add_subparsers(dest="db", required=True)
    p = db.add_parser("init", help="create the database and load the shipped knowledge")
    p.set_defaults(func=cmd_db_init)
    p = db.add_parser("upgrade", help="apply schema migrations")
    p.set_defaults(func=cmd_db_upgrade)
    p = db.add_parser("backup", help="copy the SQLite database while it runs")
    p.add_argument("file")
    p.set_defaults(func=cmd_db_backup)
    p = db.add_parser("restore", help="replace the SQLite database with a backup (bot stopped)")
    p.add_argument("file")
    p.set_defaults(func=cmd_db_restore)

    comp = sub.add_parser("complaints", help="the complaint queue").add_subparsers(
        dest="complaints", required=True
    )
    p = comp.add_parser("list", help="complaints by reply due time")
    p.add_argument("--state", choices=[s.value for s in State])
    p.add_argument("--json", action="store_true", help="one JSON object per complaint")
    p.set_defaults(func=cmd_complaints_list)
    p = comp.add_parser("show", help="one complaint with its history")
    p.add_argument("ticket")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_complaints_show)
    p = comp.add_parser(
        "erase", help="erase personal data of complaints closed before the retention period"
    )
    p.add_argument("--older-than-days", type=int, help="default: SUNSHINE_RETENTION_DAYS")
    p.set_defaults(func=cmd_complaints_erase)

    p = sub.add_parser(
        "report",
        help="the monthly complaint report (简报)",
        epilog="Example: sunshine report --month 2026-11 --xlsx 2026-11.xlsx",
    )
    p.add_argument("--month", help="YYYY-MM (default: this month)")
    p.add_argument("--xlsx", metavar="FILE", help="write the workbook instead of printing")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("run", help="run the Telegram bot (polling)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser(
        "qr",
        help="a QR code that opens an entry in the bot",
        epilog="Example: sunshine qr marriage-registration -o marriage.png --bot my_bot",
    )
    p.add_argument("entry")
    p.add_argument("-o", "--output")
    p.add_argument("--bot", help="the bot's username (default: SUNSHINE_BOT_USERNAME or getMe)")
    p.add_argument("--scale", type=int, default=10)
    p.set_defaults(func=cmd_qr)
    p = sub.add_parser("feedback", help="residents' 👍 / 👎 on answers")
    p.add_argument("--unhelpful", action="store_true", help="only 👎")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_feedback)
    return parser


def main(argv: Sequence[str] | None = None, *, stderr: TextIO | None = None) -> int:
    """Entry point of the `sunshine` command."""
    err = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        return int(args.func(args, settings))
    except SunshineError as exc:
        print(f"sunshine: {exc}", file=err)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
