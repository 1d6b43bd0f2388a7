"""The back office's menu: what each role sees, derived from the same requirements as the pages."""

from __future__ import annotations

from handlers.web.context import Requirement
from knowledge.complaints.lifecycle import Permission
from knowledge.staff.accounts import Account
from knowledge.staff.roles import Capability

MENU: list[tuple[str, str, Requirement]] = [
    ("/staff/", "工作台", Requirement()),
    ("/staff/entries", "知识库", Requirement(Capability.EDIT_KNOWLEDGE)),
    ("/staff/reviews", "待审核", Requirement(Capability.REVIEW_KNOWLEDGE)),
    ("/staff/unanswered", "未答问题", Requirement(Capability.SEE_UNANSWERED)),
    ("/staff/complaints", "投诉办理", Requirement(permission=Permission.QUEUE)),
    ("/staff/report", "月度报告", Requirement(permission=Permission.REPORT)),
    ("/staff/accounts", "账号与审计", Requirement(Capability.MANAGE_ACCOUNTS)),
]


def staff_nav(who: Account | None) -> list[tuple[str, str]]:
    if who is None:
        return []
    return [(href, label) for href, label, needs in MENU if needs.allows(who.role)]
