"""The bureau's complaint policy: time limits per category, who holds which role, the calendar.

`Bureau` bundles the three things every complaint rule needs besides the
database: the working-day calendar, the time limits and the staff. The bot,
the command line and the web office build one from the settings and pass it
down; nothing here reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path

import yaml

from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.lifecycle import acting_role
from knowledge.complaints.vocabulary import Action, Role
from knowledge.errors import SettingsError
from knowledge.texts import staff as texts


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

    def office_of(self, user_id: int) -> str:
        """The office an officer acts for (the hotline's office for anyone without one)."""
        return dict(self.handlers).get(user_id) or texts.HOTLINE_OFFICE

    def role_for(self, user_id: int, action: Action) -> Role | None:
        """The role in which `user_id` may take `action`, if any (the most specific first)."""
        return acting_role(self.roles(user_id), action)


@dataclass(frozen=True)
class Bureau:
    """The calendar, the time limits and the staff: what the complaint rules consult."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar.load)
    policy: Policy = field(default_factory=Policy)
    staff: Staff = field(default_factory=Staff)

    def limits(self, category: str | None) -> Limits:
        return self.policy.limits(category)


SHIPPED_LIMITS = "data/complaint_limits.yaml"


def load_policy(path: Path | None = None) -> Policy:
    """The time limits from a YAML file (default: the shipped complaint_limits.yaml)."""
    name = str(path) if path is not None else SHIPPED_LIMITS
    try:
        if path is None:
            text = resources.files("knowledge").joinpath(SHIPPED_LIMITS).read_text("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(texts.LIMITS_UNREADABLE.format(file=name, error=exc)) from exc
    known = {f.name for f in fields(Limits)}
    try:
        sections = [("default", data.get("default") or {})]
        sections += list((data.get("categories") or {}).items())
        for section, values in sections:
            unknown = set(values or {}) - known
            if unknown:
                raise SettingsError(
                    texts.LIMITS_UNKNOWN.format(
                        file=name,
                        section=section,
                        keys=texts.LIST_SEPARATOR.join(sorted(map(str, unknown))),
                    )
                )
        default = replace(Limits(), **(data.get("default") or {}))
        categories = tuple(
            (str(category), replace(default, **(values or {})))
            for category, values in (data.get("categories") or {}).items()
        )
    except AttributeError as exc:  # a section that is not a mapping
        raise SettingsError(texts.LIMITS_UNREADABLE.format(file=name, error=exc)) from exc
    for section, limits in (("default", default), *categories):
        days = (
            limits.claim_days,
            limits.reply_days,
            limits.review_window_days,
            limits.feedback_days,
        )
        if not all(isinstance(d, int) and d >= 1 for d in days):
            raise SettingsError(texts.LIMITS_TOO_SMALL.format(file=name, section=section))
    return Policy(default=default, by_category=categories)
