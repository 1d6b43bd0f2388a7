"""The complaint lifecycle: states, who may do what, and the one table of transitions.

Every change of a complaint goes through `transition`, which refuses what the
table does not allow with a message a clerk understands; the store writes an
audit row for every transition it applies. Adapted from the 12345 hotline's
lifecycle (see ../shared/complaints-design.md §8), kept as small as a county
bureau needs: an officer claims, drafts a public reply, the supervision group
(督查小组) reviews it before the resident sees it, the resident says whether it
was solved, and an unsolved or unsatisfied answer reopens the complaint once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path


class State(StrEnum):
    RECEIVED = "received"  # 已受理: in the queue, nobody has claimed it
    CLAIMED = "claimed"  # 办理中: an office and officer have it
    REPLY_REVIEW = "reply_review"  # 答复审核中: a public reply waits for the supervision group
    REPLIED = "replied"  # 已答复: the resident has the reply; waiting for their feedback
    REOPENED = "reopened"  # 重新办理: unsolved, unsatisfied or 复核
    CLOSED = "closed"  # 已办结
    WITHDRAWN = "withdrawn"  # 已撤回


class Role(StrEnum):
    RESIDENT = "resident"
    HOTLINE = "hotline"  # 监督咨询电话 officers: take phone complaints, claim, transfer
    HANDLER = "handler"  # 承办 officers: claim, reply, ask for more time
    SUPERVISOR = "supervisor"  # 督查小组: review replies, approve extensions, see sealed identities
    LEADER = "leader"  # 督查小组组长: all a supervisor may, and is told of every 督办
    SYSTEM = "system"  # timers and the bot itself


class Action(StrEnum):
    CLAIM = "claim"
    TRANSFER = "transfer"
    NOTE = "note"
    DRAFT_REPLY = "draft_reply"
    APPROVE_REPLY = "approve_reply"
    RETURN_REPLY = "return_reply"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    FEEDBACK = "feedback"  # the resident's 解决/满意 answers
    REOPEN = "reopen"  # unsolved or unsatisfied: back to the officers, once
    REVIEW = "review"  # 复核: the resident reopens a closed complaint, once, within 15 days
    CLOSE = "close"  # 办结 with a result
    WITHDRAW = "withdraw"


STATE_LABELS: dict[State, str] = {
    State.RECEIVED: "已受理，等待分派",
    State.CLAIMED: "办理中",
    State.REPLY_REVIEW: "答复审核中",
    State.REPLIED: "已答复，等待您的评价",
    State.REOPENED: "重新办理中",
    State.CLOSED: "已办结",
    State.WITHDRAWN: "已撤回",
}

ACTION_LABELS: dict[Action, str] = {
    Action.CLAIM: "认领",
    Action.TRANSFER: "转办",
    Action.NOTE: "内部备注",
    Action.DRAFT_REPLY: "回复",
    Action.APPROVE_REPLY: "审核通过",
    Action.RETURN_REPLY: "退回",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "批准延期",
    Action.REFUSE_EXTENSION: "不同意延期",
    Action.FEEDBACK: "评价",
    Action.REOPEN: "重新办理",
    Action.REVIEW: "申请复核",
    Action.CLOSE: "办结",
    Action.WITHDRAW: "撤回",
}

# For staff reading an audit trail (/ticket, the report's workbook).
ROLE_LABELS: dict[str, str] = {
    Role.RESIDENT.value: "居民",
    Role.HOTLINE.value: "监督电话",
    Role.HANDLER.value: "承办人",
    Role.SUPERVISOR.value: "督查小组",
    Role.LEADER.value: "督查组长",
    Role.SYSTEM.value: "系统",
}
EVENT_LABELS: dict[str, str] = {"submit": "提交", **{a.value: ACTION_LABELS[a] for a in Action}}

OFFICERS = frozenset({Role.HOTLINE, Role.HANDLER, Role.SUPERVISOR, Role.LEADER})
SUPERVISION = frozenset({Role.SUPERVISOR, Role.LEADER})
OPEN_STATES = frozenset({State.RECEIVED, State.CLAIMED, State.REPLY_REVIEW, State.REOPENED})


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


# The one table. Anything not listed is refused.
RULES: dict[Action, Rule] = {
    r.action: r
    for r in (
        _rule(
            Action.CLAIM,
            {State.RECEIVED, State.REOPENED},
            State.CLAIMED,
            {Role.HOTLINE, Role.HANDLER, *SUPERVISION},
        ),
        _rule(
            Action.TRANSFER,
            {State.RECEIVED, State.CLAIMED, State.REOPENED},
            State.CLAIMED,
            {Role.HOTLINE, Role.HANDLER, *SUPERVISION},
            reason=True,
        ),
        _rule(Action.NOTE, set(State), None, OFFICERS),
        _rule(
            Action.DRAFT_REPLY,
            {State.CLAIMED, State.REOPENED},
            State.REPLY_REVIEW,
            {Role.HOTLINE, Role.HANDLER, *SUPERVISION},
        ),
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
        _rule(Action.FEEDBACK, {State.REPLIED}, None, {Role.RESIDENT, Role.HOTLINE}),
        _rule(Action.REOPEN, {State.REPLIED}, State.REOPENED, {Role.RESIDENT, Role.HOTLINE}),
        _rule(Action.REVIEW, {State.CLOSED}, State.REOPENED, {Role.RESIDENT, Role.HOTLINE}),
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


class TransitionRefused(Exception):
    """An action the lifecycle does not allow; the message says why, in Chinese."""


def transition(state: State, action: Action, role: Role, *, reason: str = "") -> State:
    """The state after `action` by `role`, or TransitionRefused with the reason."""
    rule = RULES[action]
    label = ACTION_LABELS[action]
    if role not in rule.roles:
        raise TransitionRefused(f"您的身份不能{label}。")
    if state not in rule.sources:
        raise TransitionRefused(f"投诉当前状态为“{STATE_LABELS[state]}”，不能{label}。")
    if rule.needs_reason and not reason.strip():
        raise TransitionRefused(f"{label}需要填写理由。")
    return rule.target or state


def allowed_actions(state: State, role: Role) -> list[Action]:
    """What `role` may do now, in table order (for buttons)."""
    return [a for a, r in RULES.items() if state in r.sources and role in r.roles]


@dataclass(frozen=True)
class Limits:
    """Time limits in working days (claim, reply, one extension) and the 复核 window in days.

    `feedback_days`: how long the bot waits for a resident's rating of a reply
    before the hotline calls them instead (回访), in working days.
    """

    claim_days: int = 1
    reply_days: int = 5
    extension_max_days: int = 10
    review_window_days: int = 15
    feedback_days: int = 3


@dataclass(frozen=True)
class Policy:
    """The limits per category (an entry id, or None for complaints about anything else)."""

    default: Limits = Limits()
    by_category: tuple[tuple[str, Limits], ...] = ()

    def limits(self, category: str | None) -> Limits:
        return dict(self.by_category).get(category or "", self.default)


@dataclass(frozen=True)
class Staff:
    """Who is an officer, in which role and office: Telegram user ids from configuration.

    Ids, never usernames: a username can be changed or taken over, an id cannot.
    """

    hotline: frozenset[int] = frozenset()
    handlers: tuple[tuple[int, str], ...] = ()  # (user id, office name)
    supervisors: frozenset[int] = frozenset()
    leader: int | None = None
    officers_chat_id: int | None = None

    def roles(self, user_id: int) -> frozenset[Role]:
        found: set[Role] = set()
        if user_id in self.hotline:
            found.add(Role.HOTLINE)
        if any(uid == user_id for uid, _ in self.handlers):
            found.add(Role.HANDLER)
        if user_id in self.supervisors or user_id == self.leader:
            found.add(Role.SUPERVISOR)
        if user_id == self.leader:
            found.add(Role.LEADER)
        return frozenset(found)

    def office_of(self, user_id: int) -> str | None:
        return dict(self.handlers).get(user_id)

    def role_for(self, user_id: int, action: Action) -> Role | None:
        """The role in which `user_id` may take `action`, if any (the most specific first)."""
        mine = self.roles(user_id)
        for role in (Role.HANDLER, Role.HOTLINE, Role.SUPERVISOR, Role.LEADER):
            if role in mine and role in RULES[action].roles:
                return role
        return None


def parse_staff(
    hotline: str = "",
    handlers: str = "",
    supervisors: str = "",
    leader: str = "",
    officers_chat_id: str = "",
) -> Staff:
    """Staff from configuration strings: "111,222" and "333:社会救助股,444:殡葬管理所"."""

    def ids(text: str) -> frozenset[int]:
        return frozenset(int(x) for x in text.replace("，", ",").split(",") if x.strip())

    offices: list[tuple[int, str]] = []
    for item in handlers.replace("，", ",").split(","):
        if item.strip():
            uid, _, office = item.partition(":")
            offices.append((int(uid), office.strip() or "承办科室"))
    return Staff(
        hotline=ids(hotline),
        handlers=tuple(offices),
        supervisors=ids(supervisors),
        leader=int(leader) if leader.strip() else None,
        officers_chat_id=int(officers_chat_id) if officers_chat_id.strip() else None,
    )


def load_policy(path: Path | None = None) -> Policy:
    """The time limits from a YAML file (default: the shipped complaint_limits.yaml)."""
    import yaml

    if path is None:
        text = (
            resources.files("knowledge")
            .joinpath("data/complaint_limits.yaml")
            .read_text(encoding="utf-8")
        )
    else:
        text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    try:
        default = replace(Limits(), **(data.get("default") or {}))
        categories = tuple(
            (str(name), replace(default, **(values or {})))
            for name, values in (data.get("categories") or {}).items()
        )
    except TypeError as exc:  # an unknown key
        raise ValueError(f"{path or 'complaint_limits.yaml'}: {exc}") from exc
    for name, limits in (("default", default), *categories):
        if (
            min(
                limits.claim_days,
                limits.reply_days,
                limits.review_window_days,
                limits.feedback_days,
            )
            < 1
        ):
            raise ValueError(f"{path or 'complaint_limits.yaml'}: {name}: limits must be >= 1")
    return Policy(default=default, by_category=categories)
