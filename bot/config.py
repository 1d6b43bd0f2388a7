"""Settings: the one place that reads the environment (and an optional .env file).

Every setting, its environment variable and its default:

=========================  ==================================  ==========================
setting                    variable                            default
=========================  ==================================  ==========================
database_url               DATABASE_URL                        sqlite:///<data_dir>/sunshine.db
data_dir                   SUNSHINE_DATA_DIR                   ./data
cache_dir                  SUNSHINE_CACHE_DIR                  <data_dir>/cache
log_level                  SUNSHINE_LOG_LEVEL                  WARNING
stale_after_days           SUNSHINE_STALE_AFTER_DAYS           365
telegram_token             TELEGRAM_BOT_TOKEN                  (none: `sunshine run` explains)
telegram_base_url          TELEGRAM_API_BASE_URL               https://api.telegram.org/bot
telegram_file_url          TELEGRAM_API_FILE_URL               https://api.telegram.org/file/bot
bot_username               SUNSHINE_BOT_USERNAME               (asked from Telegram when needed)
flood_burst                SUNSHINE_FLOOD_BURST                20 (messages at once)
flood_rate                 SUNSHINE_FLOOD_RATE                 1.0 (per second after; 0 = off)
concurrency                SUNSHINE_CONCURRENCY                256 (updates handled at once)
hotline_officers           SUNSHINE_HOTLINE_OFFICERS           (Telegram user ids: 111,222)
handling_officers          SUNSHINE_HANDLING_OFFICERS          (id:office, e.g. 333:社会救助股)
supervisors                SUNSHINE_SUPERVISORS                (督查小组 user ids)
supervision_leader         SUNSHINE_SUPERVISION_LEADER         (督查小组组长 user id)
officers_chat_id           SUNSHINE_OFFICERS_CHAT_ID           (the officers' group chat id)
deadline_scan_seconds      SUNSHINE_DEADLINE_SCAN_SECONDS      60 (how often reminders are due)
retention_days             SUNSHINE_RETENTION_DAYS             1095 (ours; the bureau decides)
complaint_limits           SUNSHINE_COMPLAINT_LIMITS           (YAML file; default: shipped)
=========================  ==================================  ==========================

Values in the real environment win over those in `.env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    cache_dir: Path
    log_level: str = "WARNING"
    stale_after_days: int = 365
    telegram_token: str | None = None
    telegram_base_url: str | None = None
    telegram_file_url: str | None = None
    bot_username: str | None = None
    flood_burst: int = 20
    flood_rate: float = 1.0
    concurrency: int = 256
    hotline_officers: str = ""
    handling_officers: str = ""
    supervisors: str = ""
    supervision_leader: str = ""
    officers_chat_id: str = ""
    deadline_scan_seconds: float = 60.0
    retention_days: int = 1095
    complaint_limits: Path | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, dotenv: Path | None = Path(".env")
    ) -> Settings:
        """Settings from `environ` (default: the process environment) over `dotenv`."""
        values: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            from dotenv import dotenv_values

            values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        data_dir = Path(values.get("SUNSHINE_DATA_DIR") or "data")
        return cls(
            database_url=values.get("DATABASE_URL") or f"sqlite:///{data_dir / 'sunshine.db'}",
            data_dir=data_dir,
            cache_dir=Path(values.get("SUNSHINE_CACHE_DIR") or data_dir / "cache"),
            log_level=(values.get("SUNSHINE_LOG_LEVEL") or "WARNING").upper(),
            stale_after_days=int(values.get("SUNSHINE_STALE_AFTER_DAYS") or 365),
            telegram_token=values.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_base_url=values.get("TELEGRAM_API_BASE_URL") or None,
            telegram_file_url=values.get("TELEGRAM_API_FILE_URL") or None,
            bot_username=(values.get("SUNSHINE_BOT_USERNAME") or "").lstrip("@") or None,
            flood_burst=int(values.get("SUNSHINE_FLOOD_BURST") or 20),
            flood_rate=float(values.get("SUNSHINE_FLOOD_RATE") or 1.0),
            concurrency=int(values.get("SUNSHINE_CONCURRENCY") or 256),
            hotline_officers=values.get("SUNSHINE_HOTLINE_OFFICERS") or "",
            handling_officers=values.get("SUNSHINE_HANDLING_OFFICERS") or "",
            supervisors=values.get("SUNSHINE_SUPERVISORS") or "",
            supervision_leader=values.get("SUNSHINE_SUPERVISION_LEADER") or "",
            officers_chat_id=values.get("SUNSHINE_OFFICERS_CHAT_ID") or "",
            deadline_scan_seconds=float(values.get("SUNSHINE_DEADLINE_SCAN_SECONDS") or 60),
            retention_days=int(values.get("SUNSHINE_RETENTION_DAYS") or 1095),
            complaint_limits=Path(values["SUNSHINE_COMPLAINT_LIMITS"])
            if values.get("SUNSHINE_COMPLAINT_LIMITS")
            else None,
        )
