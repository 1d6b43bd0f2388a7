"""A complaint's every step survives SIGKILL between storing it and telling people about it.

The bot is killed after a step of the intake or an officer's action is in the
database but before the message it causes has reached Telegram (the fake server
answers every send with 429 until the kill, however slow the test machine). After
the restart the resident still gets the next question, the notice and the reply,
each exactly once, and the replayed update changes nothing a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, text

from knowledge.db.engine import make_engine
from tests.fakes.telegram import FakeBotApi
from tests.harness import (
    GROUP,
    HANDLER,
    RESIDENT,
    STAFF,
    SUPERVISOR,
    BotProcess,
    count_texts,
    skip_to_summary,
    ticket_in,
    wait_alive,
)

WHAT = "殡仪馆火化后另收了好几项钱"
HELD = 10_000  # refusals queued per method: more than any run makes before the kill
ENV = {
    "SUNSHINE_OFFICERS_CHAT_ID": str(GROUP),
    "SUNSHINE_HANDLING_OFFICERS": STAFF["handling_officers"],
    "SUNSHINE_SUPERVISORS": str(SUPERVISOR),
}


def _scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _settled(engine: Engine) -> bool:
    """Every update handled and every queued message sent."""
    pending = _scalar(engine, "SELECT count(*) FROM inbox_update WHERE done_at IS NULL")
    unsent = _scalar(
        engine, "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL AND NOT dead"
    )
    return pending == 0 and unsent == 0


class Run:
    """One bot process at a time in `data`, killed and restarted at will."""

    def __init__(self, api: FakeBotApi, data: Path) -> None:
        self.api, self.data = api, data
        self.bot = BotProcess(api, data, **ENV)
        self.engine = make_engine(f"sqlite:///{data / 'sunshine.db'}")
        self.wait(lambda: any(c.method == "getUpdates" for c in api.calls), 60)

    def wait(self, predicate: Callable[[], bool], timeout: float = 30) -> None:
        wait_alive(self.api, self.bot, predicate, timeout)

    def wait_text(self, chat: int, needle: str) -> None:
        try:
            self.wait(lambda: count_texts(self.api, chat, needle) > 0)
        except AssertionError:
            seen = [m.text for m in self.api.bot_messages(chat)]
            raise AssertionError(f"no {needle!r} in chat {chat}; the bot sent {seen}") from None

    def refused_sends(self) -> int:
        return sum(c.status == 429 for c in self.api.calls)

    def kill_once_stored(self, stored: Callable[[], bool], act: Callable[[], object]) -> None:
        """Hold every message with 429s, act, and kill the bot once the change is stored.

        The refusals last until the kill: a bounded number of them let a loaded machine's
        sender get the message through just before the kill and then re-send it after.
        For the same reason the messages sent before are waited for until marked sent.
        """
        # Everything sent so far marked sent first: a kill between a message's delivery and
        # its mark would send it again after the restart (at least once, as designed).
        self.wait(lambda: _settled(self.engine))
        refused = self.refused_sends()
        for method in ("sendMessage", "editMessageText", "answerCallbackQuery"):
            self.api.fail_next(method, times=HELD, retry_after=1)
        act()
        self.wait(lambda: stored() and self.refused_sends() > refused)
        self.bot.kill()
        self.api.clear_failures()
        self.api.calls[:] = [c for c in self.api.calls if c.status != 429]
        self.bot = BotProcess(self.api, self.data, **ENV)

    def stop(self) -> None:
        assert self.bot.terminate() == 0, self.bot.log.read_text()
        self.engine.dispose()


def _at_step(engine: Engine, step: str) -> bool:
    """Whether the resident's draft is stored at `step`."""
    found = _scalar(engine, "SELECT step FROM complaint_draft WHERE chat_id = :c", c=RESIDENT)
    return found == step


def test_every_intake_step_survives_a_kill_before_its_next_question(
    api: FakeBotApi, tmp_path: Path
) -> None:
    run = Run(api, tmp_path)
    try:
        api.send_text("/complain", chat_id=RESIDENT)
        run.wait_text(RESIDENT, "发生了什么")
        steps: list[tuple[str, Callable[[], object], str]] = [
            ("office", lambda: api.send_text(WHAT, chat_id=RESIDENT), "涉及哪个单位"),
            ("when", lambda: api.press(RESIDENT, "跳过"), "什么时候"),
            ("photos", lambda: api.send_text("上周三上午", chat_id=RESIDENT), "有照片"),
            ("phone", lambda: api.press(RESIDENT, "照片发完了"), "留个联系电话"),
            ("identity", lambda: api.send_text("13812345678", chat_id=RESIDENT), "请选择身份方式"),
            ("confirm", lambda: api.press(RESIDENT, "匿名"), "请核对"),
        ]
        for step, act, question in steps:
            run.kill_once_stored(partial(_at_step, run.engine, step), act)
            run.wait_text(RESIDENT, question)
        api.press(RESIDENT, "✅ 确认提交")
        run.wait_text(RESIDENT, "已受理您的")
        run.wait(lambda: _settled(run.engine))
        for _, _, question in steps:
            assert count_texts(api, RESIDENT, question) == 1, question
        row = (
            run.engine.connect()
            .execute(
                text(
                    "SELECT summary, named_office, happened, contact_phone, identity FROM complaint"
                )
            )
            .one()
        )
        assert tuple(row) == (
            WHAT,
            None,
            "上周三上午",
            "13812345678",
            "anonymous",
        )
    finally:
        run.stop()


def _state(engine: Engine) -> object:
    return _scalar(engine, "SELECT state FROM complaint")


def test_officers_actions_survive_a_kill_before_the_resident_is_told(
    api: FakeBotApi, tmp_path: Path
) -> None:
    run = Run(api, tmp_path)
    try:
        skip_to_summary(api, RESIDENT, "窗口工作人员不在岗，等了一上午", timeout=30)
        api.press(RESIDENT, "✅ 确认提交")
        run.wait_text(GROUP, "认领期限")
        ticket = ticket_in(next(m.text or "" for m in api.bot_messages(GROUP)))

        run.kill_once_stored(
            lambda: _state(run.engine) == "claimed",
            lambda: api.press(GROUP, "认领", user_id=HANDLER),
        )
        run.wait_text(RESIDENT, "已分派给")
        run.wait(lambda: "回复" in api.buttons(GROUP, api.bot_messages(GROUP)[0].message_id))

        api.press(GROUP, "回复", user_id=HANDLER, message_id=api.bot_messages(GROUP)[0].message_id)
        run.wait_text(GROUP, "写下给居民的答复")
        prompt = next(m for m in api.bot_messages(GROUP) if "写下给居民的答复" in (m.text or ""))
        api.send_text(
            "已联系窗口负责人，今后按时到岗。",
            chat_id=GROUP,
            user_id=HANDLER,
            chat_type="group",
            reply_to=prompt.message_id,
        )
        run.wait(lambda: _state(run.engine) == "reply_review")
        run.wait(lambda: "审核通过" in api.buttons(GROUP, api.bot_messages(GROUP)[0].message_id))

        run.kill_once_stored(
            lambda: _state(run.engine) == "replied",
            lambda: api.press(
                GROUP,
                "审核通过",
                user_id=SUPERVISOR,
                message_id=api.bot_messages(GROUP)[0].message_id,
            ),
        )
        run.wait_text(RESIDENT, "已有答复")
        run.wait(lambda: _settled(run.engine))
        assert count_texts(api, RESIDENT, "已分派给") == 1
        assert count_texts(api, RESIDENT, "已有答复") == 1
        reply = next(m for m in api.bot_messages(RESIDENT) if "已有答复" in (m.text or ""))
        assert ticket in (reply.text or "") and "今后按时到岗" in (reply.text or "")
        assert api.buttons(RESIDENT, reply.message_id) == ["解决", "未解决"]
    finally:
        run.stop()
