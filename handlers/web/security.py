"""The web's middleware: who is signed in, security headers, rate limits.

One pure ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware on every
public request): under `/staff/` it resolves the session cookie to an account
and its CSRF token (in `request.state`), and on every response it adds the
security headers."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handlers.web.context import SESSION_COOKIE, Web
from knowledge.staff import accounts

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, web: Web) -> None:
        self.app = app
        self.web = web
        headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", CSP.encode()),
        ]
        if web.https:
            headers.append((b"strict-transport-security", b"max-age=31536000"))
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/staff"):
            await self._resolve_session(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _resolve_session(self, scope: Scope) -> None:
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        token = cookie(scope, SESSION_COOKIE)
        if not token:
            return
        found = await asyncio.to_thread(accounts.session_of, self.web.engine, token)
        if found is not None:
            state["account"], state["csrf"] = found
            state["session_token"] = token


def cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return None
            morsel = jar.get(name)
            return morsel.value if morsel is not None else None
    return None


# --- the sign-in form's CSRF token (before there is a session) ---------------------------------


def login_token(secret: bytes) -> str:
    """A random value with its HMAC: the cookie and the form carry the same one."""
    value = secrets.token_urlsafe(16)
    return f"{value}.{_sign(secret, value)}"


def login_token_ok(secret: bytes, cookie_value: str | None, form_value: str | None) -> bool:
    if not cookie_value or not form_value or not hmac.compare_digest(cookie_value, form_value):
        return False
    value, _, signature = cookie_value.partition(".")
    return hmac.compare_digest(signature, _sign(secret, value))


def _sign(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]
