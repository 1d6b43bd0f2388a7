"""The console chat (`sunshine chat`): the same desk as the bot, in a terminal.

Numbers pick from the last list shown (menu, entries, follow-up aspects, "did
you mean" choices); anything else is a question; 菜单 shows the menu again and
q quits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from knowledge.answering.answers import (
    CATEGORY_ASPECT,
    Card,
    card_for,
    category_blurb,
    category_entries,
    choice_label,
    complaint_reply,
    render_plain,
)
from knowledge.answering.desk import Desk
from knowledge.texts import residents as texts
from knowledge.vocabulary import (
    ASPECT_LABELS,
    CONTACTS_ENTRY,
    MENU_ORDER,
    Aspect,
    Category,
)

QUIT_WORDS = texts.CONSOLE_QUIT_WORDS
MENU_WORDS = texts.CONSOLE_MENU_WORDS


@dataclass(frozen=True)
class Option:
    label: str
    category: Category | None = None
    entry: str | None = None
    aspect: Aspect | None = None


class ConsoleChat:
    """One resident's conversation; `handle` turns a line into the reply text."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.options: list[Option] = []

    # -- screens --------------------------------------------------------------------

    def menu(self) -> str:
        self.options = [Option(c.value, category=c) for c in MENU_ORDER]
        lines = [texts.MENU_HEADING]
        lines += [
            texts.CONSOLE_MENU_ROW.format(
                number=i, category=c.value, blurb=category_blurb(self.desk.entries, c)
            )
            for i, c in enumerate(MENU_ORDER, start=1)
        ]
        return "\n".join(lines)

    def welcome(self) -> str:
        return (
            texts.WELCOME.format(bot=texts.BOT_NAME)
            + "\n"
            + self.menu()
            + "\n"
            + texts.CONSOLE_HINT
        )

    def _category(self, category: Category) -> str:
        entries = self.desk.entries
        if category is Category.CONTACTS and CONTACTS_ENTRY in entries:
            return self._card(card_for(entries[CONTACTS_ENTRY], None))
        if category is Category.COMPLAINTS:
            return self._card(complaint_reply(entries))
        aspect = CATEGORY_ASPECT[category]
        self.options = [
            Option(e.title, entry=e.id, aspect=aspect) for e in category_entries(entries, category)
        ]
        lines = [texts.CATEGORY_HEADING.format(category=category.value)]
        lines += [f"{i}. {o.label}" for i, o in enumerate(self.options, start=1)]
        return "\n".join(lines)

    def _card(self, card: Card) -> str:
        text = render_plain(card, self.desk.entries)
        if card.choices:
            self.options = [
                Option(choice_label(self.desk.entries, e, a), entry=e, aspect=a)
                for e, a in card.choices
            ]
            return text
        if card.entry and card.followups:
            self.options = [
                Option(ASPECT_LABELS[a], entry=card.entry, aspect=a) for a in card.followups
            ]
            if card.also is not None:  # the message's second question comes first
                label = choice_label(self.desk.entries, *card.also)
                self.options.insert(0, Option(label, entry=card.also[0], aspect=card.also[1]))
            numbered = "  ".join(f"{i}. {o.label}" for i, o in enumerate(self.options, start=1))
            return f"{text}\n\n{texts.FOLLOWUP_HEADING}{numbered}"
        # Nothing to follow up: the menu's numbers work again, shown on one line.
        self.options = [Option(c.value, category=c) for c in MENU_ORDER]
        compact = "  ".join(f"{i}. {o.label}" for i, o in enumerate(self.options, start=1))
        return f"{text}\n\n{texts.MENU_HEADING}{compact}"

    # -- input ------------------------------------------------------------------------

    def handle(self, line: str) -> str:
        """The reply to one line the resident typed."""
        line = line.strip()
        if not line:
            return texts.EMPTY_INPUT
        if line.lower() in MENU_WORDS:
            return self.menu()
        if line.isdigit() and not self.options:
            return self.menu()
        if line.isdigit() and self.options:
            index = int(line) - 1
            if 0 <= index < len(self.options):
                option = self.options[index]
                if option.category is not None:
                    return self._category(option.category)
                if option.entry is not None:
                    return self._card(card_for(self.desk.entries[option.entry], option.aspect))
            return texts.CONSOLE_PICK_RANGE.format(count=len(self.options))
        reply = self.desk.ask(line)
        return self._card(reply.card)

    def run(self, read: Callable[[str], str], out: TextIO) -> None:
        """Converse until the resident types q or the input ends."""
        print(self.welcome(), file=out)
        while True:
            try:
                line = read(texts.CONSOLE_PROMPT)
            except (EOFError, KeyboardInterrupt):
                print(file=out)
                break
            if line.strip().lower() in QUIT_WORDS:
                break
            print(self.handle(line), file=out, flush=True)
        print(texts.CONSOLE_BYE, file=out)
