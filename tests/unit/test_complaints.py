"""The complaint lifecycle and its store: one table of transitions, an audit row for each,
ticket numbers, working-day due dates, exactly-once submission, the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.cli import main
from knowledge.complaints import store as cs
from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.lifecycle import RULES, allowed_actions, transition
from knowledge.complaints.policy import Bureau, Limits, Policy, load_policy
from knowledge.complaints.vocabulary import Action, Identity, Role, State
from knowledge.db.models import Complaint
from knowledge.errors import Refused, SettingsError
from knowledge.texts import staff

CALENDAR = WorkCalendar.load()
BUREAU = Bureau(calendar=CALENDAR, policy=Policy())
CHINA = dt.timezone(dt.timedelta(hours=8))
# Wednesday 2026-11-25, 10:00 in China.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)


def _submit(engine: Engine, key: str = "chat:1:msg:1", **changes: Any) -> Complaint:
    submission = cs.Submission(
        summary="低保申请交上去两个月了没人回复",
        category="dibao",
        chat_id=1001,
        user_id=1001,
        resident_name="居民",
        contact_phone="13812345678",
    )
    complaint, _ = cs.submit(
        engine,
        dataclasses.replace(submission, **changes),
        key=key,
        bureau=BUREAU,
        now=NOW,
    )
    return complaint


def _act(
    engine: Engine,
    ticket: str,
    action: Action,
    role: Role,
    now: dt.datetime = NOW,
    **change: object,
) -> Complaint:
    cs.act(
        engine,
        ticket,
        action,
        cs.Actor(role, "42"),
        cs.Change(**change),  # type: ignore[arg-type]
        bureau=BUREAU,
        now=now,
    )
    return cs.get(engine, ticket)


def test_every_rule_names_real_states_and_roles() -> None:
    assert set(RULES) == set(Action)
    for rule in RULES.values():
        assert rule.sources and rule.roles


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [
        (State.RECEIVED, Action.APPROVE_REPLY, Role.SUPERVISOR),  # nothing to approve yet
        (State.REPLY_REVIEW, Action.APPROVE_REPLY, Role.HANDLER),  # officers cannot self-approve
        (State.CLAIMED, Action.CLAIM, Role.RESIDENT),  # residents do not act on the queue
        (State.CLOSED, Action.DRAFT_REPLY, Role.HANDLER),
        (State.WITHDRAWN, Action.REOPEN, Role.RESIDENT),
    ],
)
def test_illegal_transitions_are_refused_with_a_reason(
    state: State, action: Action, role: Role
) -> None:
    with pytest.raises(Refused) as refused:
        transition(state, action, role)
    assert str(refused.value).endswith("。")


def test_reasons_are_required_where_the_table_says() -> None:
    with pytest.raises(Refused, match="理由"):
        transition(State.CLAIMED, Action.TRANSFER, Role.HANDLER)
    assert transition(State.CLAIMED, Action.TRANSFER, Role.HANDLER, reason="属殡葬股") is (
        State.CLAIMED
    )


def test_allowed_actions_follow_the_table() -> None:
    assert allowed_actions(State.REPLY_REVIEW, Role.SUPERVISOR) == [
        Action.NOTE,
        Action.APPROVE_REPLY,
        Action.RETURN_REPLY,
        Action.APPROVE_EXTENSION,
        Action.REFUSE_EXTENSION,
    ]
    assert Action.CLAIM not in allowed_actions(State.RECEIVED, Role.RESIDENT)


def test_submit_gives_a_daily_ticket_number_and_working_day_due_dates(engine: Engine) -> None:
    first = _submit(engine, "k1")
    second = _submit(engine, "k2")
    assert first.ticket == "TS20261125-0001" and second.ticket == "TS20261125-0002"
    # Wednesday: claim by the end of Thursday, reply by the end of the 5th working day.
    assert first.due_claim.astimezone(CHINA).date() <= dt.date(2026, 11, 27)
    assert first.due_reply.astimezone(CHINA).date() in {dt.date(2026, 12, 2), dt.date(2026, 12, 3)}
    assert first.state == State.RECEIVED


def test_a_replayed_confirmation_does_not_create_a_second_complaint(engine: Engine) -> None:
    complaint, created = cs.submit(
        engine, cs.Submission("重复提交"), key="k", bureau=BUREAU, now=NOW
    )
    again, created_again = cs.submit(
        engine, cs.Submission("重复提交"), key="k", bureau=BUREAU, now=NOW
    )
    assert created and not created_again and again.ticket == complaint.ticket
    assert len(cs.listing(engine)) == 1


def test_concurrent_submissions_get_gap_free_unique_tickets(engine: Engine) -> None:
    """8 writers × 25 submissions on the same day: 0001..0200, none twice, none missing."""
    writers, each = 8, 25
    tickets: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(writer: int) -> None:
        try:
            start.wait()
            for i in range(each):
                tickets.append(_submit(engine, f"key-{writer}-{i}").ticket)
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(tickets) == [f"TS20261125-{n:04d}" for n in range(1, writers * each + 1)]
    assert len(cs.listing(engine)) == writers * each


def test_the_whole_lifecycle_writes_an_audit_row_per_step(engine: Engine) -> None:
    t = _submit(engine).ticket
    _act(engine, t, Action.CLAIM, Role.HANDLER, office="社会救助股")
    _act(engine, t, Action.NOTE, Role.HANDLER, reason="已电话联系村委会")
    _act(engine, t, Action.DRAFT_REPLY, Role.HANDLER, reply="已督促苏木乡镇于本周内入户调查。")
    _act(engine, t, Action.RETURN_REPLY, Role.SUPERVISOR, reason="写明调查日期")
    _act(engine, t, Action.DRAFT_REPLY, Role.HANDLER, reply="12月1日入户调查，结果另行告知。")
    replied = _act(engine, t, Action.APPROVE_REPLY, Role.SUPERVISOR)
    assert (
        replied.state == State.REPLIED and replied.reply_text == "12月1日入户调查，结果另行告知。"
    )
    reopened = _act(engine, t, Action.REOPEN, Role.RESIDENT, solved=False)
    assert reopened.state == State.REOPENED and reopened.flagged
    with pytest.raises(Refused, match="一次"):
        _act(engine, t, Action.CLAIM, Role.HANDLER)
        _act(engine, t, Action.DRAFT_REPLY, Role.HANDLER, reply="再次答复")
        _act(engine, t, Action.APPROVE_REPLY, Role.SUPERVISOR)
        _act(engine, t, Action.REOPEN, Role.RESIDENT)
    closed = _act(engine, t, Action.CLOSE, Role.RESIDENT, result="居民满意")
    assert closed.state == State.CLOSED
    events = cs.history(engine, closed.id or 0)
    assert [e.action for e in events] == [
        "submit",
        "claim",
        "note",
        "draft_reply",
        "return_reply",
        "draft_reply",
        "approve_reply",
        "reopen",
        "claim",
        "draft_reply",
        "approve_reply",
        "close",
    ]
    assert all(e.at and e.actor_role for e in events)
    assert [e.public for e in events if e.action == "note"] == [False]


def test_an_illegal_action_changes_nothing(engine: Engine) -> None:
    t = _submit(engine).ticket
    with pytest.raises(Refused):
        _act(engine, t, Action.APPROVE_REPLY, Role.SUPERVISOR)
    complaint = cs.get(engine, t)
    assert complaint.state == State.RECEIVED
    assert len(cs.history(engine, complaint.id or 0)) == 1


def test_an_extension_is_decided_once_and_only_when_requested(engine: Engine) -> None:
    t = _submit(engine).ticket
    _act(engine, t, Action.CLAIM, Role.HANDLER)
    with pytest.raises(Refused, match="没有待审批"):
        _act(engine, t, Action.APPROVE_EXTENSION, Role.SUPERVISOR)
    _act(engine, t, Action.REQUEST_EXTENSION, Role.HANDLER, reason="需要入户调查")
    _act(engine, t, Action.REFUSE_EXTENSION, Role.SUPERVISOR, reason="五个工作日足够")
    with pytest.raises(Refused, match="没有待审批"):
        _act(engine, t, Action.APPROVE_EXTENSION, Role.SUPERVISOR)  # the old request's button
    assert not cs.get(engine, t).extension_used


def test_one_extension_before_the_due_date_approved_by_supervision(engine: Engine) -> None:
    t = _submit(engine).ticket
    _act(engine, t, Action.CLAIM, Role.HANDLER)
    _act(engine, t, Action.REQUEST_EXTENSION, Role.HANDLER, reason="需要入户调查")
    before = cs.get(engine, t).due_reply
    extended = _act(engine, t, Action.APPROVE_EXTENSION, Role.SUPERVISOR, extension_days=10)
    assert extended.due_reply > before + dt.timedelta(days=13)
    with pytest.raises(Refused, match="一次"):
        _act(engine, t, Action.REQUEST_EXTENSION, Role.HANDLER, reason="再延")
    late = _submit(engine, "late").ticket
    _act(engine, late, Action.CLAIM, Role.HANDLER)
    with pytest.raises(Refused, match="届满前"):
        _act(
            engine,
            late,
            Action.REQUEST_EXTENSION,
            Role.HANDLER,
            NOW + dt.timedelta(days=30),
            reason="太晚了",
        )


def test_review_of_a_closed_complaint_within_fifteen_days_once(engine: Engine) -> None:
    t = _submit(engine).ticket
    _act(engine, t, Action.CLAIM, Role.HANDLER)
    _act(engine, t, Action.DRAFT_REPLY, Role.HANDLER, reply="已办理。")
    _act(engine, t, Action.APPROVE_REPLY, Role.SUPERVISOR)
    _act(engine, t, Action.CLOSE, Role.RESIDENT)
    with pytest.raises(Refused, match="15"):
        _act(engine, t, Action.RECONSIDER, Role.RESIDENT, NOW + dt.timedelta(days=16))
    assert _act(engine, t, Action.RECONSIDER, Role.RESIDENT, NOW + dt.timedelta(days=3)).state == (
        State.REOPENED
    )


def test_a_resident_sees_only_their_own_complaints(engine: Engine) -> None:
    _submit(engine, "a", user_id=1, chat_id=1)
    _submit(engine, "b", user_id=2, chat_id=2)
    assert [c.user_id for c in cs.of_resident(engine, 1)] == [1]


def test_anonymous_complaints_keep_no_name(engine: Engine) -> None:
    complaint = _submit(engine, identity=Identity.ANONYMOUS)
    assert complaint.resident_name is None and complaint.chat_id == 1001


def test_cli_lists_and_shows_complaints(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    t = _submit(engine).ticket
    _act(engine, t, Action.CLAIM, Role.HANDLER, office="社会救助股")
    assert main(["complaints", "list", "--json"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    row = json.loads(line)
    assert {"ticket", "state", "category", "created_at", "due_claim", "due_reply", "channel"} <= (
        set(row)
    )
    assert row["ticket"] == t and row["state"] == "claimed"
    waiting = _submit(engine, "second").ticket
    assert main(["complaints", "list", "--state", "received", "--json"]) == 0
    assert [json.loads(x)["ticket"] for x in capsys.readouterr().out.splitlines()] == [waiting]
    assert main(["complaints", "show", t, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [h["action"] for h in shown["history"]] == ["submit", "claim"]
    assert "13812345678" not in json.dumps(shown, ensure_ascii=False)
    assert main(["complaints", "show", "TS00000000-0000"]) == 1


def test_personal_data_is_erased_after_the_retention_period(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    t = _submit(engine).ticket
    _act(engine, t, Action.CLAIM, Role.HANDLER, reason="")
    _act(engine, t, Action.NOTE, Role.HANDLER, reason="居民电话13812345678，住三队")
    _act(engine, t, Action.DRAFT_REPLY, Role.HANDLER, reply="已办理。")
    _act(engine, t, Action.APPROVE_REPLY, Role.SUPERVISOR)
    _act(engine, t, Action.CLOSE, Role.RESIDENT, result="满意")
    open_one = _submit(engine, "still-open").ticket
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["complaints", "erase", "--older-than-days", "0"]) == 0
    assert t in capsys.readouterr().out
    erased = cs.get(engine, t)
    assert erased.summary == staff.ERASED and erased.contact_phone is None
    assert erased.user_id is None and erased.resident_name is None and erased.erased_at
    assert erased.state == "closed" and erased.category == "dibao"  # counts survive
    reasons = [e.reason for e in cs.history(engine, erased.id or 0) if e.reason]
    assert reasons and all(r == staff.ERASED for r in reasons)
    assert cs.get(engine, open_one).contact_phone == "13812345678"


def test_time_limits_come_from_a_file_per_category(tmp_path: Path) -> None:
    assert load_policy().limits("dibao") == Limits()  # the shipped defaults
    custom = tmp_path / "limits.yaml"
    custom.write_text(
        "default: {reply_days: 4}\ncategories:\n  funeral: {reply_days: 2}\n", encoding="utf-8"
    )
    policy = load_policy(custom)
    assert policy.limits("funeral").reply_days == 2
    assert policy.limits("funeral").claim_days == 1
    assert policy.limits("dibao").reply_days == 4 and policy.limits(None).reply_days == 4
    custom.write_text("default: {reply_dayz: 4}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="reply_dayz"):
        load_policy(custom)
