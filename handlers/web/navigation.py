"""The back office's menu: what each role sees, derived from the same requirements as the pages."""

from __future__ import annotations

from handlers.web.context import Requirement
from knowledge.complaints.lifecycle import Permission
from knowledge.staff.accounts import Account
from knowledge.staff.roles import Capability
from knowledge.texts import web as texts

MENU: list[tuple[str, str, Requirement]] = [
    ("/staff/", texts.MENU["/staff/"], Requirement()),
    ("/staff/entries", texts.MENU["/staff/entries"], Requirement(Capability.EDIT_KNOWLEDGE)),
    ("/staff/reviews", texts.MENU["/staff/reviews"], Requirement(Capability.REVIEW_KNOWLEDGE)),
    ("/staff/unanswered", texts.MENU["/staff/unanswered"], Requirement(Capability.SEE_UNANSWERED)),
    (
        "/staff/complaints",
        texts.MENU["/staff/complaints"],
        Requirement(permission=Permission.QUEUE),
    ),
    ("/staff/report", texts.MENU["/staff/report"], Requirement(permission=Permission.REPORT)),
    ("/staff/accounts", texts.MENU["/staff/accounts"], Requirement(Capability.MANAGE_ACCOUNTS)),
]


def staff_nav(who: Account | None) -> list[tuple[str, str]]:
    if who is None:
        return []
    return [(href, label) for href, label, needs in MENU if needs.allows(who.role)]
