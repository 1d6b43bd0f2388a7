"""The shared test harness: the real bot against the fake Bot API, and acting as people.

`BotThread` runs `bot.app.serve` on its own event loop in a background thread;
`start_process` runs `sunshine run` as a child process (for SIGKILL). Tests act
as residents and officers through `FakeBotApi` and the helpers below, and
assert on what the bot sent. Nothing of ours is patched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from bot.app import build_application, serve
from bot.config import Settings
from handlers.services import Services
from knowledge.answering.desk import Desk
from knowledge.base.schema import Entry
from tests.fakes.telegram import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = Path(__file__).resolve().parent.parent / "data"

# Who is who in the complaint tests (Telegram user and chat ids).
RESIDENT = 1001
OTHER = 1002
HANDLER = 501
SUPERVISOR = 601
STRANGER = 777
GROUP = -9001
TICKET = re.compile(r"TS\d{8}-\d{4}")
STAFF: dict[str, Any] = {
    "handling_officers": f"{HANDLER}:社会救助股",
    "supervisors": str(SUPERVISOR),
    "supervision_leader": str(SUPERVISOR),
    "officers_chat_id": str(GROUP),
}

# Environment variables of ours that must never leak from a developer's shell into a test.
OWN_VARIABLES = ("DATABASE_URL", "TELEGRAM_", "SUNSHINE_")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server a test starts)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_environ() -> dict[str, str]:
    """The process environment without any of the project's own settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(OWN_VARIABLES)}


def bot_settings(api: FakeBotApi, data_dir: Path, **changes: Any) -> Settings:
    """Settings for a bot talking to `api`, with its database in `data_dir`."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{data_dir / 'bot.db'}",
        "data_dir": data_dir,
        "cache_dir": data_dir / "cache",
        "telegram_token": api.token,
        "telegram_base_url": api.base_url,
        "telegram_file_url": api.base_file_url,
        "flood_rate": 0.0,
    }
    values.update(changes)
    return Settings(**values)


class BotThread:
    """The application served in a thread until `stop`."""

    def __init__(self, settings: Settings, desk: Desk | None = None) -> None:
        self.application = build_application(settings, desk=desk)
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="bot", daemon=True)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported by stop()
            self._error = exc
            self._started.set()
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        self._loop.call_soon(self._started.set)
        await serve(self.application, self._stop, poll_timeout=1)

    def start(self) -> BotThread:
        self._thread.start()
        self._started.wait(30)
        return self

    def stop(self) -> None:
        if self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        if self._error is not None:
            raise self._error

    def call(self, callback: Callable[[], None]) -> None:
        """Run `callback` on the bot's event loop (to set its asyncio events)."""
        self._loop.call_soon_threadsafe(callback)

    @property
    def services(self) -> Services:
        found = self.application.bot_data["services"]
        assert isinstance(found, Services)
        return found


StartBot = Callable[..., BotThread]


class BotProcess:
    """`sunshine run` as a child process against the fake server; its log in data/bot.log.

    It runs in `data` as its working directory, with none of the developer's own
    settings, so a `.env` file or a variable in the shell cannot leak in. Its database
    is `data/sunshine.db` unless `database_url` names another (a PostgreSQL one).
    """

    def __init__(
        self,
        api: FakeBotApi,
        data: Path,
        database_url: str | None = None,
        *,
        command: tuple[str, ...] = ("run",),
        **env: str,
    ) -> None:
        self.data = data
        self.log = data / "bot.log"
        environment = {
            **clean_environ(),
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_FILE_URL": api.base_file_url,
            "SUNSHINE_DATA_DIR": str(data),
            "DATABASE_URL": database_url or f"sqlite:///{data / 'sunshine.db'}",
            "SUNSHINE_FLOOD_RATE": "0",
            "SUNSHINE_LOG_LEVEL": "INFO",
            **env,
        }
        with self.log.open("ab") as log:
            # The child keeps its own copy of the descriptor.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", *command],
                cwd=data,
                env=environment,
                stdout=log,
                stderr=log,
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def check_alive(self) -> None:
        """Fail at once, with the log, when the bot died (instead of waiting out a timeout)."""
        if not self.alive():
            raise AssertionError(
                f"the bot exited with {self.process.returncode}:\n{self.log.read_text()}"
            )

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def terminate(self) -> int:
        """SIGTERM, and the exit status (the log is in the assertion message when it fails)."""
        self.process.terminate()
        return self.process.wait(30)


def wait_alive(
    api: FakeBotApi, bot: BotProcess, predicate: Callable[[], bool], timeout: float
) -> None:
    """Wait for `predicate`, failing at once if the bot process died meanwhile."""

    def done() -> bool:
        bot.check_alive()
        return predicate()

    api.wait_for(done, timeout)


def wait_sends_refused(api: FakeBotApi, bot: BotProcess, count: int) -> None:
    """Wait until the bot's sendMessage calls met `count` 429 refusals (its answers stuck)."""

    def refused() -> bool:
        return sum(c.method == "sendMessage" and c.status == 429 for c in api.calls) >= count

    wait_alive(api, bot, refused, timeout=30)


# --- acting as residents and officers ----------------------------------------------------


def texts_of(api: FakeBotApi, chat: int = RESIDENT) -> list[str]:
    return [m.text or m.caption or "" for m in api.bot_messages(chat)]


def last_text(api: FakeBotApi, chat: int) -> str:
    return api.last_bot_message(chat).text or ""


def wait_text(api: FakeBotApi, chat: int, needle: str, timeout: float = 10) -> str:
    """The newest bot message in `chat` containing `needle`, once there is one."""
    api.wait_for(lambda: any(needle in (m.text or "") for m in api.bot_messages(chat)), timeout)
    return next(m.text or "" for m in reversed(api.bot_messages(chat)) if needle in (m.text or ""))


def count_texts(api: FakeBotApi, chat: int, needle: str) -> int:
    return sum(needle in (m.text or "") for m in api.bot_messages(chat))


def message_with(api: FakeBotApi, chat: int, needle: str, timeout: float = 10) -> int:
    wait_text(api, chat, needle, timeout)
    return next(m.message_id for m in reversed(api.bot_messages(chat)) if needle in (m.text or ""))


def answers_with(api: FakeBotApi, needle: str) -> int:
    """How many callback answers (alerts, toasts) so far contain `needle`."""
    return sum(needle in (a.get("text") or "") for a in api.callback_answers)


def answer_prompt(api: FakeBotApi, needle: str, text: str, user: int = HANDLER) -> None:
    """An officer replies to the bot's latest prompt in the group containing `needle`."""
    prompt = message_with(api, GROUP, needle)
    api.send_text(text, chat_id=GROUP, user_id=user, chat_type="group", reply_to=prompt)


def press_and_answer(
    api: FakeBotApi,
    label: str,
    needle: str,
    text: str,
    *,
    message_id: int | None = None,
    user: int = HANDLER,
) -> None:
    """An officer presses a card button and answers the new prompt it brings (not an older one)."""

    def prompts() -> list[int]:
        return [m.message_id for m in api.bot_messages(GROUP) if needle in (m.text or "")]

    before = len(prompts())
    api.press(GROUP, label, user_id=user, message_id=message_id)
    api.wait_for(lambda: len(prompts()) > before)
    api.send_text(text, chat_id=GROUP, user_id=user, chat_type="group", reply_to=prompts()[-1])


# The last 确认提交 callback query id per chat (a test replays it as Telegram would).
CONFIRMS: dict[int, str] = {}


def file_complaint(api: FakeBotApi, chat: int = RESIDENT, identity: str = "公开") -> str:
    """The whole intake, as a resident does it; returns the ticket number."""
    api.send_text("/complain", chat_id=chat)
    wait_text(api, chat, "发生了什么")
    api.send_text("低保申请交上去两个月了，村里一直没人来调查", chat_id=chat)
    wait_text(api, chat, "涉及哪个单位")
    api.press(chat, "跳过")
    wait_text(api, chat, "什么时候")
    api.send_text("九月初", chat_id=chat)
    wait_text(api, chat, "有照片")
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}]
    api.send_message_object(chat, {"photo": photo, "caption": ""})
    wait_text(api, chat, "第 1 张")
    api.press(chat, "照片发完了")
    wait_text(api, chat, "联系电话")
    api.send_text("12345", chat_id=chat)
    wait_text(api, chat, "格式不对")
    api.send_text("138 1234 5678", chat_id=chat)
    wait_text(api, chat, "身份方式")
    api.press(chat, identity)
    wait_text(api, chat, "请核对")
    CONFIRMS[chat] = api.press(chat, "✅ 确认提交")
    ack = wait_text(api, chat, "已受理您的")
    found = TICKET.search(ack)
    assert found, ack
    return found.group(0)


# The shortest intake: what happened, then every optional step skipped, anonymous.
SHORTEST_INTAKE: tuple[tuple[str, str], ...] = (
    ("涉及哪个单位", "跳过"),
    ("什么时候", "跳过"),
    ("有照片", "照片发完了"),
    ("联系电话", "跳过"),
    ("身份方式", "匿名"),
)


def skip_to_summary(api: FakeBotApi, chat: int, what: str, timeout: float = 10) -> None:
    """The shortest intake, up to the summary with 确认提交."""
    api.send_text("/complain", chat_id=chat)
    wait_text(api, chat, "发生了什么", timeout)
    api.send_text(what, chat_id=chat)
    for prompt, button in SHORTEST_INTAKE:
        wait_text(api, chat, prompt, timeout)
        api.press(chat, button)
    wait_text(api, chat, "请核对", timeout)


def ticket_in(text: str) -> str:
    found = TICKET.search(text)
    assert found, text
    return found.group(0)


# --- data ---------------------------------------------------------------------------------


def make_entry(entry_id: str = "sample-item", **changes: object) -> Entry:
    """A small valid entry for tests that need one."""
    data: dict[str, object] = {
        "id": entry_id,
        "title": "示例事项",
        "category": "阳光审批",
        "aliases": ["示例事项", "样板"],
        "questions": ["示例事项是什么"],
        "aspects": {
            "overview": "这是一个示例事项。",
            "time_limit": "受理后 20 个工作日内办结。",
            "procedure": "按步骤办理。",
            "fees": "不收费。",
        },
        "leads": {"fees": "办示例事项不收费。", "time_limit": "受理后20个工作日内办结。"},
        "legal_basis": {
            "overview": ["《示例条例》第一条"],
            "time_limit": ["《示例条例》第二条"],
            "procedure": ["《示例条例》第三条"],
            "fees": ["《示例条例》第四条"],
        },
        "aspect_questions": {"fees": ["示例事项要钱吗"]},
        "sources": [{"title": "《示例条例》", "url": "https://example.org/rule"}],
        "last_reviewed": dt.date(2026, 11, 1),
        "procedures": [
            {
                "name": "办理",
                "steps": [
                    {"title": "申请", "actor": "申请人"},
                    {"title": "审核", "actor": "民政部门", "time_limit": "20个工作日"},
                ],
            }
        ],
    }
    data.update(changes)
    if "leads" not in changes:  # the default leads, for the aspects the entry still has
        aspects = cast(dict[str, str], data["aspects"])
        data["leads"] = {
            a: t for a, t in cast(dict[str, str], data["leads"]).items() if a in aspects
        }
    return Entry.model_validate(data)
