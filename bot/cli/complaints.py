"""`sunshine complaints …` and `sunshine report`: the complaint queue and the monthly report."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import bureau, ready_engine
from bot.config import Settings
from knowledge.complaints.vocabulary import Identity, State
from knowledge.errors import ComplaintNotFound, InputError
from knowledge.texts import staff

if TYPE_CHECKING:
    from bot.cli.common import Subparsers
    from knowledge.db.models import Complaint


def _json(c: Complaint, *, full: bool = False) -> dict[str, Any]:
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
        sealed = c.identity == Identity.SEALED
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


def listing(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.complaints import store

    rows = store.listing(ready_engine(settings), state=State(args.state) if args.state else None)
    if args.json:
        for c in rows:
            print(json.dumps(_json(c), ensure_ascii=False))
        return 0
    if not rows:
        print(staff.CLI_NO_COMPLAINTS)
    for c in rows:
        print(
            staff.CLI_COMPLAINT_ROW.format(
                ticket=c.ticket,
                state=staff.STATE_NAMES[State(c.state)],
                category=c.category or staff.OTHER_CATEGORY,
                due=c.due_reply.astimezone().strftime("%Y-%m-%d %H:%M"),
                channel=c.channel,
            )
        )
    return 0


def show(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.complaints import store

    engine = ready_engine(settings)
    try:
        c = store.get(engine, args.ticket)
    except ComplaintNotFound as exc:
        raise InputError(staff.CLI_NO_COMPLAINT.format(ticket=args.ticket)) from exc
    assert c.id is not None
    events = store.history(engine, c.id)
    data = _json(c, full=True)
    if args.json:
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
    print(f"{c.ticket}  {staff.STATE_NAMES[State(c.state)]}")
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


def erase(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.complaints import store

    days = settings.retention_days if args.older_than_days is None else args.older_than_days
    erased = store.erase_personal_data(ready_engine(settings), older_than=dt.timedelta(days=days))
    print(staff.CLI_ERASED.format(count=len(erased), days=days))
    for ticket in erased:
        print(f"  {ticket}")
    return 0


def report(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.complaints.calendar import month_of
    from knowledge.complaints.report import figures, message, workbook
    from knowledge.db.models import utcnow

    month = args.month or month_of(utcnow())
    monthly = figures.monthly_report(
        ready_engine(settings), month, calendar=bureau(settings).calendar
    )
    if args.xlsx:
        workbook.write_workbook(monthly, Path(args.xlsx))
        print(staff.CLI_WROTE.format(file=args.xlsx))
    else:
        print(message.report_text(monthly))
    return 0


def register(sub: Subparsers) -> None:
    comp = sub.add_parser("complaints", help="the complaint queue").add_subparsers(
        dest="complaints", required=True
    )
    p = comp.add_parser("list", help="complaints by reply due time")
    p.add_argument("--state", choices=[s.value for s in State])
    p.add_argument("--json", action="store_true", help="one JSON object per complaint")
    p.set_defaults(func=listing)
    p = comp.add_parser("show", help="one complaint with its history")
    p.add_argument("ticket")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=show)
    p = comp.add_parser(
        "erase", help="erase personal data of complaints closed before the retention period"
    )
    p.add_argument("--older-than-days", type=int, help="default: SUNSHINE_RETENTION_DAYS")
    p.set_defaults(func=erase)

    p = sub.add_parser(
        "report",
        help=staff.CLI_HELP_REPORT,
        epilog="Example: sunshine report --month 2026-11 --xlsx 2026-11.xlsx",
    )
    p.add_argument("--month", help="YYYY-MM (default: this month, China time)")
    p.add_argument("--xlsx", metavar="FILE", help="write the workbook instead of printing")
    p.set_defaults(func=report)
