"""Running the real bot against the fake Bot API server, from synchronous tests.

`BotThread` runs `bot.app.serve` on its own event loop in a background
thread; the test acts as residents through `FakeBotApi` and asserts on what the
bot sent. Nothing of ours is patched.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from bot.app import build_application, serve
from bot.config import Settings
from knowledge.desk import Desk
from tests.fake_telegram import FakeBotApi


def bot_settings(api: FakeBotApi, data_dir: Path, **changes: Any) -> Settings:
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

    @property
    def services(self) -> Any:
        return self.application.bot_data["services"]


def start_process(api: FakeBotApi, data: Path, **env: str) -> subprocess.Popen[bytes]:
    """`sunshine run` as its own process against the fake server; its log in data/bot.log."""
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_API_FILE_URL": api.base_file_url,
        "SUNSHINE_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'sunshine.db'}",
        "SUNSHINE_FLOOD_RATE": "0",
        "SUNSHINE_LOG_LEVEL": "INFO",
        **env,
    }
    root = Path(__file__).resolve().parent.parent
    with (data / "bot.log").open("ab") as log:
        # The child keeps its own copy of the descriptor.
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=root,
            env=environment,
            stdout=log,
            stderr=log,
        )
