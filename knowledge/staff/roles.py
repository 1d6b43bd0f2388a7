"""Back-office roles and what each may do: one table, read by the web views and the CLI.

The five roles are the jobs of the bureau's people, not levels: an editor writes
knowledge, a reviewer approves it, an officer handles complaints, the supervision
group (supervisor) decides escalations and sees sealed identities, an admin manages
accounts. An admin may do everything, but — like everyone — never approve their own change.
"""

from __future__ import annotations

from enum import StrEnum

from knowledge.complaints.lifecycle import Permission, permitted
from knowledge.complaints.vocabulary import Role


class WebRole(StrEnum):
    EDITOR = "editor"
    REVIEWER = "reviewer"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Capability(StrEnum):
    EDIT_KNOWLEDGE = "edit_knowledge"  # edit an aspect, upload a workbook: a pending change
    REVIEW_KNOWLEDGE = "review_knowledge"  # approve or return others' pending changes
    SEE_UNANSWERED = "see_unanswered"  # unanswered questions, 👎 comments, kb check
    MANAGE_ACCOUNTS = "manage_accounts"  # accounts and the audit log


CAPABILITIES: dict[WebRole, frozenset[Capability]] = {
    WebRole.EDITOR: frozenset({Capability.EDIT_KNOWLEDGE, Capability.SEE_UNANSWERED}),
    WebRole.REVIEWER: frozenset(
        {Capability.EDIT_KNOWLEDGE, Capability.REVIEW_KNOWLEDGE, Capability.SEE_UNANSWERED}
    ),
    WebRole.OFFICER: frozenset(),
    WebRole.SUPERVISOR: frozenset(),
    WebRole.ADMIN: frozenset(Capability),
}

# The complaint lifecycle's roles a back-office account acts in: what it may do to a
# complaint, see of one, and which officers' pages it may open is then decided by
# `lifecycle.RULES` and `lifecycle.PERMISSIONS`, exactly as for a Telegram officer.
COMPLAINT_ROLES: dict[WebRole, frozenset[Role]] = {
    WebRole.EDITOR: frozenset(),
    WebRole.REVIEWER: frozenset(),
    WebRole.OFFICER: frozenset({Role.HOTLINE, Role.HANDLER}),
    WebRole.SUPERVISOR: frozenset({Role.SUPERVISOR}),
    WebRole.ADMIN: frozenset({Role.HOTLINE, Role.HANDLER, Role.SUPERVISOR}),
}


def can(role: WebRole, capability: Capability) -> bool:
    return capability in CAPABILITIES[role]


def may(role: WebRole, permission: Permission) -> bool:
    """A lifecycle permission (the queue, the report, a sealed identity) for a web role."""
    return permitted(COMPLAINT_ROLES[role], permission)
