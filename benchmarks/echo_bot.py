"""The ceiling of the stack: a stock python-telegram-bot echo bot, for bench_bot.py.

Default settings on purpose (sequential update processing), as a newcomer
would write it; it reads the same TELEGRAM_* variables as `sunshine run`.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> None:
    builder = ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"])
    if os.environ.get("TELEGRAM_API_BASE_URL"):
        builder = builder.base_url(os.environ["TELEGRAM_API_BASE_URL"])
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(poll_interval=0.0, timeout=30)


if __name__ == "__main__":
    main()
