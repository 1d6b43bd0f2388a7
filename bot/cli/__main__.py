"""`python -m bot.cli` is the `sunshine` command."""

from bot.cli import main

raise SystemExit(main())
