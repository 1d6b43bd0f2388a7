"""Settings: the one place that reads the environment (and an optional .env file).

Every setting is a field of `Settings`, with its environment variable, its
default and a line of help; `deploy/.env.example` and the README's
configuration table are generated from them (`python -m bot.config
env-example` / `markdown`), and a test keeps both current. Values in the real
environment win over those in `.env`; an empty value means "not set". A value
that cannot be used stops the command with one line that names the variable.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from knowledge.errors import SettingsError
from knowledge.texts import staff

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
UserIds = Annotated[frozenset[int], NoDecode]
Offices = Annotated[dict[int, str], NoDecode]
Hosts = Annotated[tuple[str, ...], NoDecode]

# What Telegram accepts as a webhook's secret_token.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")

# The environment `Settings.from_env` was given (None: the process environment).
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("environ", default=None)


def _setting(
    variable: str,
    help: str,
    *,
    section: str,
    default: Any = None,
    shown: str | None = None,
    example: str | None = None,
) -> Any:
    """A field read from `variable`, documented for .env.example and the README.

    `shown` is how the README states the default when it is not a plain value;
    `example` is what .env.example suggests (commented out) instead of the default.
    """
    extra: JsonDict = {"section": section}
    if shown is not None:
        extra["shown"] = shown
    if example is not None:
        extra["example"] = example
    return Field(default, validation_alias=variable, description=help, json_schema_extra=extra)


class Settings(BaseSettings):
    """Every setting of Sunshine Desk, its variable and its default (stated here only)."""

    model_config = SettingsConfigDict(
        env_ignore_empty=True, extra="ignore", populate_by_name=True, frozen=True
    )

    data_dir: Path = _setting(
        "SUNSHINE_DATA_DIR",
        "where the default database and derived caches live",
        section="storage",
        default=Path("data"),
    )
    database_url: str = _setting(
        "DATABASE_URL",
        "any SQLAlchemy URL; PostgreSQL needs only a driver (psycopg)",
        section="storage",
        default="",
        shown="sqlite:///<SUNSHINE_DATA_DIR>/sunshine.db",
        example="postgresql+psycopg://sunshine:secret@127.0.0.1:5432/sunshine",
    )
    cache_dir: Path = _setting(
        "SUNSHINE_CACHE_DIR",
        "derived files: the pinyin table, the trimmed jieba dictionary, chart images",
        section="storage",
        default=Path(""),
        shown="<SUNSHINE_DATA_DIR>/cache",
        example="data/cache",
    )
    log_level: LogLevel = _setting(
        "SUNSHINE_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR", section="storage", default="WARNING"
    )
    stale_after_days: int = _setting(
        "SUNSHINE_STALE_AFTER_DAYS",
        "`sunshine kb check` reports entries not reviewed for longer than this",
        section="storage",
        default=365,
    )
    telegram_token: str | None = _setting(
        "TELEGRAM_BOT_TOKEN",
        "the bot's token from @BotFather (`sunshine run`); never commit it",
        section="telegram",
        shown="—",
        example="",
    )
    telegram_base_url: str | None = _setting(
        "TELEGRAM_API_BASE_URL",
        "passed to ApplicationBuilder().base_url(...) unchanged, e.g. a local Bot API server "
        "at http://127.0.0.1:8081/bot",
        section="telegram",
        shown="Telegram's",
        example="http://127.0.0.1:8081/bot",
    )
    telegram_file_url: str | None = _setting(
        "TELEGRAM_API_FILE_URL",
        "passed to .base_file_url(...) unchanged, e.g. http://127.0.0.1:8081/file/bot",
        section="telegram",
        shown="Telegram's",
        example="http://127.0.0.1:8081/file/bot",
    )
    webhook_secret: str | None = _setting(
        "TELEGRAM_WEBHOOK_SECRET",
        "`sunshine run --webhook URL`: Telegram sends it with every update and the bot refuses "
        "a request without it (1-256 of A-Z a-z 0-9 _ -); never commit it",
        section="telegram",
        shown="—",
        example="",
    )
    webhook_connections: int = _setting(
        "TELEGRAM_WEBHOOK_CONNECTIONS",
        "`sunshine run --webhook URL`: how many deliveries Telegram may make at once (1-100)",
        section="telegram",
        default=40,
    )
    bot_username: str | None = _setting(
        "SUNSHINE_BOT_USERNAME",
        "the bot's username, for `sunshine qr` (asked from Telegram when unset)",
        section="telegram",
        shown="asked from Telegram",
        example="my_sunshine_bot",
    )
    flood_burst: int = _setting(
        "SUNSHINE_FLOOD_BURST",
        "per-resident flood limit: messages at once (0 turns the limit off)",
        section="telegram",
        default=20,
    )
    flood_rate: float = _setting(
        "SUNSHINE_FLOOD_RATE",
        "per-resident flood limit: messages per second after the burst (0 turns it off)",
        section="telegram",
        default=1.0,
    )
    concurrency: int = _setting(
        "SUNSHINE_CONCURRENCY",
        "updates handled at once (different chats concurrently, each chat in order)",
        section="telegram",
        default=256,
    )
    officers_chat_id: int | None = _setting(
        "SUNSHINE_OFFICERS_CHAT_ID",
        "the officers' group chat, where complaint cards appear (its id is negative)",
        section="complaints",
        shown="—",
        example="-1001234567890",
    )
    hotline_officers: UserIds = _setting(
        "SUNSHINE_HOTLINE_OFFICERS",
        "Telegram user ids of the 监督咨询电话 officers (ids, never usernames)",
        section="complaints",
        default=frozenset(),
        shown="—",
        example="111111111,222222222",
    )
    handling_officers: Offices = _setting(
        "SUNSHINE_HANDLING_OFFICERS",
        "handling officers and their office, as user id:office",
        section="complaints",
        default={},
        shown="—",
        example="333333333:社会救助股,444444444:殡葬管理所",
    )
    supervisors: UserIds = _setting(
        "SUNSHINE_SUPERVISORS",
        "the supervision group, 督查小组 (user ids)",
        section="complaints",
        default=frozenset(),
        shown="—",
        example="555555555,666666666",
    )
    supervision_leader: int | None = _setting(
        "SUNSHINE_SUPERVISION_LEADER",
        "the supervision group's leader (a user id), named in every 督办",
        section="complaints",
        shown="—",
        example="555555555",
    )
    complaint_limits: Path | None = _setting(
        "SUNSHINE_COMPLAINT_LIMITS",
        "YAML with time limits in working days, per category",
        section="complaints",
        shown="the shipped knowledge/data/complaint_limits.yaml",
        example="/etc/sunshine-desk/complaint_limits.yaml",
    )
    retention_days: int = _setting(
        "SUNSHINE_RETENTION_DAYS",
        "`sunshine complaints erase` removes personal data of complaints closed longer ago "
        "(our default; the bureau decides)",
        section="complaints",
        default=1095,
    )
    deadline_scan_seconds: float = _setting(
        "SUNSHINE_DEADLINE_SCAN_SECONDS",
        "how often the bot looks for due reminders and 督办 notices",
        section="complaints",
        default=60.0,
    )

    web_host: str = _setting(
        "SUNSHINE_WEB_HOST",
        "where `sunshine web` and `sunshine serve` listen (a reverse proxy in front for TLS)",
        section="web",
        default="127.0.0.1",
    )
    web_port: int = _setting(
        "SUNSHINE_WEB_PORT", "the web pages' port", section="web", default=8080
    )
    secret_key: str | None = _setting(
        "SUNSHINE_SECRET_KEY",
        "signs the sign-in form's CSRF cookie and keys session tokens; several processes "
        "behind one proxy need the same value (unset: one kept in the database)",
        section="web",
        shown="made once, kept in the database",
        example="",
    )
    allowed_hosts: Hosts = _setting(
        "SUNSHINE_ALLOWED_HOSTS",
        "host names the web answers to (the Host header), comma-separated; * for any",
        section="web",
        default=("localhost", "127.0.0.1"),
        shown="localhost,127.0.0.1",
        example="minzheng.example.gov.cn",
    )
    https: bool = _setting(
        "SUNSHINE_HTTPS",
        "true behind a proxy that terminates TLS: cookies are Secure, HSTS is sent",
        section="web",
        default=False,
    )
    forwarded_allow_ips: str = _setting(
        "SUNSHINE_FORWARDED_ALLOW_IPS",
        "proxies trusted for X-Forwarded-For/-Proto (the client's address for throttling)",
        section="web",
        default="127.0.0.1",
    )
    knowledge_check_seconds: float = _setting(
        "SUNSHINE_KNOWLEDGE_CHECK_SECONDS",
        "how often a running bot or web looks for newly published knowledge",
        section="web",
        default=2.0,
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("bot_username")
    @classmethod
    def _no_at(cls, value: str | None) -> str | None:
        return value.lstrip("@") or None if value else None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: str | None) -> str | None:
        """Telegram accepts only these characters in `secret_token` (setWebhook would fail)."""
        if value is not None and not WEBHOOK_SECRET.fullmatch(value):
            raise ValueError("not a secret token")
        return value

    @field_validator("webhook_connections")
    @classmethod
    def _connections(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError("out of range")
        return value

    @field_validator("hotline_officers", "supervisors", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            typed = value.translate(staff.TYPED_PUNCTUATION)
            return frozenset(int(x) for x in typed.split(",") if x.strip())
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(h.strip() for h in value.split(",") if h.strip())
        return value

    @field_validator("handling_officers", mode="before")
    @classmethod
    def _offices(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        offices: dict[int, str] = {}
        for item in value.translate(staff.TYPED_PUNCTUATION).split(","):
            if item.strip():
                uid, _, office = item.partition(":")
                offices[int(uid)] = office.strip() or staff.DEFAULT_HANDLING_OFFICE
        return offices

    @field_validator("flood_burst", "flood_rate", "retention_days", "stale_after_days")
    @classmethod
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("negative")
        return value

    @field_validator("concurrency", "deadline_scan_seconds", "knowledge_check_seconds", "web_port")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("not positive")
        return value

    @model_validator(mode="after")
    def _derived(self) -> Settings:
        """The database and the caches live in the data directory unless said otherwise."""
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'sunshine.db'}")
        if self.cache_dir == Path(""):
            object.__setattr__(self, "cache_dir", self.data_dir / "cache")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, _GivenEnvironment(settings_cls), dotenv_settings

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, dotenv: Path | None = Path(".env")
    ) -> Settings:
        """Settings from `environ` (default: the process environment) over `dotenv`.

        Raises `SettingsError` naming the first variable that cannot be used.
        """
        token = _ENVIRON.set(environ)
        try:
            env_file = dotenv if dotenv is not None and dotenv.is_file() else None
            return cls(_env_file=env_file)  # type: ignore[call-arg]
        except ValidationError as exc:
            raise SettingsError(_explain(exc, environ)) from None
        finally:
            _ENVIRON.reset(token)


class _GivenEnvironment(EnvSettingsSource):
    """The environment `from_env` was given, or the process's own."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        given = _ENVIRON.get()
        environ = os.environ if given is None else given
        # Variables are matched case-insensitively, as pydantic-settings does by default.
        return {k.lower(): v for k, v in environ.items() if v or not self.env_ignore_empty}


def _variable(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    return alias if isinstance(alias, str) else field


def _explain(exc: ValidationError, environ: Mapping[str, str] | None) -> str:
    """The first problem, in one line: the variable, its value, what it needs to be."""
    error = exc.errors()[0]
    where = error["loc"][0] if error["loc"] else ""
    variable = where if str(where).isupper() else _variable(str(where))
    fields_by_variable = {_variable(name): name for name in Settings.model_fields}
    where = fields_by_variable.get(str(variable), where)
    field = str(where)
    need = staff.SETTING_NEEDS.get(field) or staff.SETTING_NEEDS.get(
        error["type"], staff.SETTING_NEEDS["value_error"]
    )
    return staff.SETTING_BAD.format(variable=variable, value=error.get("input"), need=need)


# --- generated documentation ----------------------------------------------------------------

SECTIONS = {
    "storage": "Storage and logging",
    "telegram": "The Telegram bot (`sunshine run`)",
    "complaints": "Complaints",
    "web": "The web pages and back office (`sunshine web`, `sunshine serve`)",
}


def _extra(info: FieldInfo) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def _shown(info: FieldInfo) -> str:
    """The default as the README states it."""
    if "shown" in _extra(info):
        return str(_extra(info)["shown"])
    return str(info.default)


def _example(info: FieldInfo) -> str:
    """What .env.example suggests: an example where there is one, else the default."""
    if "example" in _extra(info):
        return str(_extra(info)["example"])
    return str(info.default)


def _fields() -> list[tuple[str, FieldInfo, str]]:
    return [
        (str(info.validation_alias), info, str(_extra(info).get("section", "")))
        for info in Settings.model_fields.values()
    ]


def env_example() -> str:
    """deploy/.env.example: every setting commented out at its default, with its help."""
    lines = [
        "# Sunshine Desk settings (generated by `python -m bot.config env-example`; do not edit).",
        "# Copy to .env beside where you run `sunshine`, or set them in the environment",
        "# (which wins).",
        "# Every line is commented out: uncomment only what you change. The deployment recipes set",
        "# SUNSHINE_DATA_DIR themselves (/var/lib/sunshine-desk under systemd, /data in Docker).",
    ]
    for section, title in SECTIONS.items():
        lines += ["", f"# --- {title} ---"]
        for variable, info, where in _fields():
            if where == section:
                lines.append(f"# {info.description}")
                lines.append(f"# {variable}={_example(info)}")
    return "\n".join(lines) + "\n"


def markdown_table() -> str:
    """The README's configuration table."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for variable, info, _ in _fields():
        rows.append(f"| `{variable}` | {_shown(info)} | {info.description} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.config env-example|markdown`: the generated documentation."""
    which = (argv if argv is not None else sys.argv[1:]) or ["env-example"]
    print(env_example() if which[0] == "env-example" else markdown_table(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
