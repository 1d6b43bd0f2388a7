"""The `sunshine` command: each subcommand is one call into the library.

Examples:
  sunshine chat                                  talk to the desk in the terminal
  sunshine ask "结婚要带什么材料" --json           one question, one JSON object
  sunshine ask --json --batch questions.txt      one JSON object per line
  sunshine eval ../shared/dev-questions.jsonl --misses
  sunshine kb export --format xlsx -o kb.xlsx    edit in Excel, then:
  sunshine kb import kb.xlsx --author 张三
  sunshine kb history dibao | kb diff dibao 2 | kb rollback dibao 1
  sunshine kb check                              stale, unsourced, contradictory knowledge
  sunshine kb unanswered                         what residents asked that had no answer
  sunshine feedback --unhelpful                  residents' 👎 on answers, with comments
  sunshine db init | db upgrade | db backup FILE | db restore FILE
  sunshine run                                   the Telegram bot (TELEGRAM_BOT_TOKEN)
  sunshine qr dibao -o dibao.png                 a QR code that opens an entry in the bot
  sunshine complaints list --json | complaints show TS20261125-0001 | complaints erase
  sunshine report --month 2026-11 --xlsx 2026-11.xlsx
  sunshine web                                   the public pages and the back office
  sunshine serve                                 the web and the bot in one process
  sunshine staff add admin --role admin --password-stdin

Domain errors (`knowledge.errors.SunshineError`) become a one-line message and a
non-zero exit status here, at the edge; anything else is a bug and says so.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from bot.cli import asking, complaints, database, knowledge_base, telegram, web
from bot.config import Settings
from knowledge.errors import SettingsError, SunshineError
from knowledge.texts import staff

EXIT_ERROR, EXIT_SETTINGS, EXIT_INTERRUPTED = 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sunshine",
        description=staff.CLI_NAME,
        epilog=__doc__.split("\n", 2)[2].split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (asking, knowledge_base, database, telegram, complaints, web):
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, stderr: TextIO | None = None) -> int:
    """Entry point of the `sunshine` command."""
    err = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(staff.CLI_ERROR.format(message=exc), file=err)
        return EXIT_SETTINGS
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        return int(args.func(args, settings))
    except SettingsError as exc:
        print(staff.CLI_ERROR.format(message=exc), file=err)
        return EXIT_SETTINGS
    except SunshineError as exc:
        print(staff.CLI_ERROR.format(message=exc), file=err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
