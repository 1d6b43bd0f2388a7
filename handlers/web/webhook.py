"""Telegram's webhook: a thin adapter from Telegram's POST to the bot's durable inbox.

The HTTP status is Telegram's only signal, so each one is chosen for what Telegram
does next: 200 means "stored, never send it again" and is answered only after
`accept` has committed the update (or found it stored before: Telegram delivers
again when an answer is lost); 403 refuses a caller without the secret given to
setWebhook (nothing is read or stored); 400 refuses a body that is not an update
(sending the same bytes again cannot help); 500 says the commit failed (the
database is down), and Telegram delivers it again later. The body of a 200 stays
empty: Telegram would execute a Bot API method written there.
"""

from __future__ import annotations

import enum
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SECRET_HEADER = "x-telegram-bot-api-secret-token"

log = logging.getLogger("sunshine.webhook")


class Accepted(enum.Enum):
    """What became of a delivered update."""

    STORED = "stored"  # committed now, queued for the handlers
    DUPLICATE = "duplicate"  # committed by an earlier delivery: nothing to do
    INVALID = "invalid"  # not an update


Accept = Callable[[dict[str, Any]], Awaitable[Accepted]]


def webhook_route(path: str, secret: str, accept: Accept) -> Route:
    """`POST path`: check the secret, read the JSON, hand it to `accept` (the bot's inbox)."""
    expected = secret.encode()

    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):  # constant time: no guessing by timing
            return Response(status_code=403)
        try:
            payload = json.loads(await request.body())
        except ValueError:  # not JSON, or not UTF-8
            return Response(status_code=400)
        if not isinstance(payload, dict):
            return Response(status_code=400)
        try:
            outcome = await accept(payload)
        except Exception:
            log.exception("update not stored (answered 500: Telegram delivers it again)")
            return Response(status_code=500)
        return Response(status_code=400 if outcome is Accepted.INVALID else 200)

    return Route(path, telegram_webhook, methods=["POST"], name="telegram_webhook")
