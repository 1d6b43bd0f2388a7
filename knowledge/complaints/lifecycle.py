"""The complaint lifecycle: the one table of transitions, and who may do what.

Every change of a complaint goes through `transition`, which refuses what the
table does not allow with a message a clerk understands; the store writes an
audit row for every transition it applies. Adapted from the 12345 hotline's
lifecycle, kept as small as a county bureau needs: an officer claims, drafts a
public reply, the supervision group (督查小组) reviews it before the resident sees
it, the resident says whether it was solved, and an unsolved or unsatisfied
answer reopens the complaint once.

Beside the table, `PERMISSIONS` says which roles may use the officers' commands
and see what is sealed: the Telegram handlers and the web views ask `permitted`
and never decide it themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from knowledge.complaints.vocabulary import (
    OFFICERS,
    SUPERVISION,
    Action,
    Identity,
    Role,
    State,
)
from knowledge.errors import Refused
from knowledge.texts import staff


@dataclass(frozen=True)
class Rule:
    action: Action
    sources: frozenset[State]
    target: State | None  # None: the state does not change
    roles: frozenset[Role]
    needs_reason: bool = False


def _rule(
    action: Action,
    sources: set[State],
    target: State | None,
    roles: frozenset[Role] | set[Role],
    *,
    reason: bool = False,
) -> Rule:
    return Rule(action, frozenset(sources), target, frozenset(roles), reason)


_WORKERS = {Role.HOTLINE, Role.HANDLER, *SUPERVISION}

# The one table. Anything not listed is refused.
RULES: dict[Action, Rule] = {
    r.action: r
    for r in (
        _rule(Action.CLAIM, {State.RECEIVED, State.REOPENED}, State.CLAIMED, _WORKERS),
        _rule(
            Action.TRANSFER,
            {State.RECEIVED, State.CLAIMED, State.REOPENED},
            State.CLAIMED,
            _WORKERS,
            reason=True,
        ),
        _rule(Action.NOTE, set(State), None, OFFICERS),
        _rule(Action.DRAFT_REPLY, {State.CLAIMED, State.REOPENED}, State.REPLY_REVIEW, _WORKERS),
        _rule(Action.APPROVE_REPLY, {State.REPLY_REVIEW}, State.REPLIED, SUPERVISION),
        _rule(Action.RETURN_REPLY, {State.REPLY_REVIEW}, State.CLAIMED, SUPERVISION, reason=True),
        _rule(
            Action.REQUEST_EXTENSION,
            {State.CLAIMED, State.REOPENED},
            None,
            {Role.HOTLINE, Role.HANDLER},
            reason=True,
        ),
        _rule(
            Action.APPROVE_EXTENSION,
            {State.CLAIMED, State.REOPENED, State.REPLY_REVIEW},
            None,
            SUPERVISION,
        ),
        _rule(
            Action.REFUSE_EXTENSION,
            {State.CLAIMED, State.REOPENED, State.REPLY_REVIEW},
            None,
            SUPERVISION,
            reason=True,
        ),
        _rule(Action.RATE, {State.REPLIED}, None, {Role.RESIDENT, Role.HOTLINE}),
        _rule(Action.REOPEN, {State.REPLIED}, State.REOPENED, {Role.RESIDENT, Role.HOTLINE}),
        _rule(Action.RECONSIDER, {State.CLOSED}, State.REOPENED, {Role.RESIDENT, Role.HOTLINE}),
        _rule(
            Action.CLOSE,
            {State.REPLIED},
            State.CLOSED,
            {Role.RESIDENT, Role.HOTLINE, Role.HANDLER, *SUPERVISION, Role.SYSTEM},
        ),
        _rule(
            Action.WITHDRAW,
            {State.RECEIVED, State.CLAIMED, State.REOPENED},
            State.WITHDRAWN,
            {Role.RESIDENT, Role.HOTLINE},
        ),
    )
}

# The actions whose words an officer types in answer to a prompt.
NEEDS_WORDS = frozenset(
    {
        Action.TRANSFER,
        Action.NOTE,
        Action.DRAFT_REPLY,
        Action.CLOSE,
        Action.RETURN_REPLY,
        Action.REQUEST_EXTENSION,
        Action.REFUSE_EXTENSION,
    }
)


def transition(state: State, action: Action, role: Role, *, reason: str = "") -> State:
    """The state after `action` by `role`, or `Refused` with the reason."""
    rule = RULES[action]
    label = staff.ACTION_LABELS[action]
    if role not in rule.roles:
        raise Refused(staff.REFUSED_ROLE.format(action=label))
    if state not in rule.sources:
        raise Refused(staff.REFUSED_STATE.format(state=staff.STATE_NAMES[state], action=label))
    if rule.needs_reason and not reason.strip():
        raise Refused(staff.REFUSED_REASON.format(action=label))
    return rule.target or state


# When someone holds several roles, the one they act in: the most specific first, so a
# handler who is also on the hotline claims as the handler (Telegram and web alike).
ROLE_PREFERENCE = (Role.HANDLER, Role.HOTLINE, Role.SUPERVISOR, Role.LEADER)


def acting_role(roles: frozenset[Role], action: Action) -> Role | None:
    """The role among `roles` in which `action` may be taken, if any."""
    for role in ROLE_PREFERENCE:
        if role in roles and role in RULES[action].roles:
            return role
    return None


def allowed_actions(state: State, role: Role) -> list[Action]:
    """What `role` may do now, in table order (for buttons)."""
    return [a for a, r in RULES.items() if state in r.sources and role in r.roles]


# The officers' card offers these, in this order, where the state allows them;
# a reply under review offers the review instead.
CARD_ACTIONS = (
    Action.CLAIM,
    Action.TRANSFER,
    Action.NOTE,
    Action.DRAFT_REPLY,
    Action.REQUEST_EXTENSION,
    Action.CLOSE,
)
REVIEW_ACTIONS = (Action.APPROVE_REPLY, Action.RETURN_REPLY, Action.NOTE)


def card_actions(state: State) -> list[Action]:
    """The buttons of the officers' card in `state`."""
    offered = REVIEW_ACTIONS if state is State.REPLY_REVIEW else CARD_ACTIONS
    return [a for a in offered if state in RULES[a].sources]


# --- permissions beside the table --------------------------------------------------------


class Permission(StrEnum):
    """What an officer may do outside the lifecycle: commands, and seeing what is sealed."""

    QUEUE = "queue"  # /queue
    TICKET = "ticket"  # /ticket N
    INTAKE = "intake"  # /intake: register a phone or walk-in complaint
    REPORT = "report"  # /report: the monthly figures
    SHOW_PHONE = "show_phone"  # the full number of a resident, to call them back (回访)
    SEE_SEALED = "see_sealed"  # a sealed reporter's name and number


PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.QUEUE: OFFICERS,
    Permission.TICKET: OFFICERS,
    Permission.INTAKE: frozenset({Role.HOTLINE, *SUPERVISION}),
    Permission.REPORT: SUPERVISION,
    Permission.SHOW_PHONE: frozenset({Role.HOTLINE, *SUPERVISION}),
    Permission.SEE_SEALED: SUPERVISION,
}


def permitted(roles: frozenset[Role], permission: Permission) -> bool:
    """Whether someone holding `roles` has `permission`."""
    return bool(roles & PERMISSIONS[permission])


def phone_permission(identity: Identity) -> Permission:
    """Who may see a resident's number: the hotline, or for a sealed report the supervisors."""
    return Permission.SEE_SEALED if identity is Identity.SEALED else Permission.SHOW_PHONE
