"""Back-office accounts: passwords (argon2id), sign-in with throttling, sessions.

Passwords are hashed with argon2id (memory-hard: a stolen table is expensive to
crack) by argon2-cffi's defaults, re-hashed on sign-in when those defaults grow.
A browser holds a random session token; the table keeps only its SHA-256, so a
copy of the database signs nobody in. Disabling an account or resetting its
password ends its sessions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from knowledge.db.engine import open_session
from knowledge.db.models import StaffAccount, StaffSession, utcnow
from knowledge.errors import InputError, NotFound, Refused
from knowledge.staff import audit
from knowledge.staff.roles import WebRole
from knowledge.texts import web as texts

MIN_PASSWORD = 10
MAX_FAILURES = 5  # consecutive wrong passwords before the account is locked ...
LOCK_MINUTES = 15  # ... for this long
SESSION_HOURS = 12  # a session idle this long ends
USERNAME = re.compile(r"[A-Za-z0-9._-]{2,60}")

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both cases take as long.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


@dataclass(frozen=True)
class Account:
    """A signed-in person as the views see them."""

    username: str
    role: WebRole
    display_name: str | None = None
    telegram_id: int | None = None
    office: str | None = None

    @property
    def name(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class SignedIn:
    """A session: the token for the cookie (only here, never stored), its CSRF token."""

    account: Account
    token: str
    csrf: str


def _account(record: StaffAccount) -> Account:
    return Account(
        record.username,
        WebRole(record.role),
        record.display_name,
        record.telegram_id,
        record.office,
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(texts.PASSWORD_TOO_SHORT.format(length=MIN_PASSWORD))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add(
    engine: Engine,
    username: str,
    role: WebRole,
    password: str,
    *,
    display_name: str | None = None,
    telegram_id: int | None = None,
    office: str | None = None,
    by: str = "cli",
) -> Account:
    if not USERNAME.fullmatch(username):
        raise InputError(texts.ACCOUNT_BAD_NAME)
    _check_password(password)
    with open_session(engine) as session:
        if session.get(StaffAccount, username) is not None:
            raise InputError(texts.ACCOUNT_EXISTS.format(username=username))
        record = StaffAccount(
            username=username,
            role=role.value,
            password_hash=_hasher.hash(password),
            display_name=display_name,
            telegram_id=telegram_id,
            office=office,
        )
        session.add(record)
        audit.record(session, by, "account.add", username, f"role={role.value}")
        session.commit()
        return _account(record)


def listing(engine: Engine) -> list[tuple[Account, bool, dt.datetime | None]]:
    """Every account with whether it is disabled and when it last signed in."""
    with open_session(engine) as session:
        rows = session.exec(select(StaffAccount).order_by(col(StaffAccount.username))).all()
        return [(_account(r), r.disabled, r.last_login_at) for r in rows]


def _get(session: Session, username: str) -> StaffAccount:
    record = session.get(StaffAccount, username)
    if record is None:
        raise NotFound(texts.ACCOUNT_UNKNOWN.format(username=username))
    return record


def _end_sessions(session: Session, username: str) -> None:
    session.execute(delete(StaffSession).where(col(StaffSession.username) == username))


def set_disabled(engine: Engine, username: str, disabled: bool, *, by: str = "cli") -> None:
    with open_session(engine) as session:
        record = _get(session, username)
        record.disabled = disabled
        if disabled:
            _end_sessions(session, username)
        audit.record(session, by, "account.disable" if disabled else "account.enable", username)
        session.commit()


def reset_password(engine: Engine, username: str, password: str, *, by: str = "cli") -> None:
    _check_password(password)
    with open_session(engine) as session:
        record = _get(session, username)
        record.password_hash = _hasher.hash(password)
        record.password_changed_at = utcnow()
        record.failed_logins = 0
        record.locked_until = None
        _end_sessions(session, username)
        audit.record(session, by, "account.reset", username)
        session.commit()


def sign_in(
    engine: Engine,
    username: str,
    password: str,
    *,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> SignedIn:
    """Check the password and open a session; `Refused` with the words for the page.

    After MAX_FAILURES wrong passwords in a row the account is locked for LOCK_MINUTES;
    the message never says whether the username exists.
    """
    now = now or utcnow()
    with open_session(engine) as session:
        record = session.get(StaffAccount, username)
        if record is None or record.disabled:
            _verify(_DUMMY_HASH, password)
            audit.record(session, username[:60] or "?", "login.failed", None, None, address)
            session.commit()
            raise Refused(texts.LOGIN_FAILED)
        locked = record.locked_until
        if locked is not None and locked.replace(tzinfo=locked.tzinfo or dt.UTC) > now:
            minutes = max(
                1,
                int((locked.replace(tzinfo=locked.tzinfo or dt.UTC) - now).total_seconds() // 60)
                + 1,
            )
            raise Refused(texts.LOGIN_LOCKED.format(minutes=minutes))
        if not _verify(record.password_hash, password):
            record.failed_logins += 1
            if record.failed_logins >= MAX_FAILURES:
                record.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                record.failed_logins = 0
            audit.record(session, username, "login.failed", None, None, address)
            session.commit()
            raise Refused(texts.LOGIN_FAILED)
        if _hasher.check_needs_rehash(record.password_hash):
            record.password_hash = _hasher.hash(password)
        record.failed_logins = 0
        record.locked_until = None
        record.last_login_at = now
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        session.add(
            StaffSession(
                token_hash=_token_hash(token),
                username=username,
                csrf=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=now + dt.timedelta(hours=SESSION_HOURS),
            )
        )
        audit.record(session, username, "login", None, None, address)
        session.commit()
        return SignedIn(_account(record), token, csrf)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def session_of(
    engine: Engine, token: str, *, now: dt.datetime | None = None
) -> tuple[Account, str] | None:
    """The account and CSRF token of a live session; extends it (sliding expiry)."""
    now = now or utcnow()
    with open_session(engine) as session:
        found = session.get(StaffSession, _token_hash(token))
        if found is None:
            return None
        expires = found.expires_at.replace(tzinfo=found.expires_at.tzinfo or dt.UTC)
        record = session.get(StaffAccount, found.username)
        if expires <= now or record is None or record.disabled:
            session.delete(found)
            session.commit()
            return None
        # Touch at most once a minute: reading a page should not be a write every time.
        seen = found.last_seen_at.replace(tzinfo=found.last_seen_at.tzinfo or dt.UTC)
        if now - seen > dt.timedelta(minutes=1):
            found.last_seen_at = now
            found.expires_at = now + dt.timedelta(hours=SESSION_HOURS)
            session.commit()
        return _account(record), found.csrf


def sign_out(engine: Engine, token: str) -> None:
    with open_session(engine) as session:
        found = session.get(StaffSession, _token_hash(token))
        if found is not None:
            audit.record(session, found.username, "logout")
            session.delete(found)
            session.commit()
