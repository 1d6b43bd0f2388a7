"""A fake Telegram Bot API server for driving the real python-telegram-bot end to end.

`FakeBotApi` (server.py) serves the Bot API over HTTP on 127.0.0.1 (aiohttp, in its
own thread and event loop). Tests act as residents through its synchronous methods
(residents.py: `send_text`, `press`, ...) and observe what the bot did (`calls`,
`bot_messages`, ...). The Bot API methods (methods.py) validate what matters the way
Telegram does: HTML entities (html.py), message length in UTF-16 code units, callback
data size, "message is not modified", flood control on request.
"""

from tests.fakes.telegram.html import detect_entities, parse_html, utf16_len
from tests.fakes.telegram.records import BotMessage, Call
from tests.fakes.telegram.server import FakeBotApi

__all__ = ["BotMessage", "Call", "FakeBotApi", "detect_entities", "parse_html", "utf16_len"]
