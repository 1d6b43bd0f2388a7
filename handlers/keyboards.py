"""Inline keyboards: the residents' navigation and the domain's complaint buttons.

Every button's callback data comes from the one codec in `handlers.callbacks`.
"""

from __future__ import annotations

from collections.abc import Mapping

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callbacks as cb
from knowledge.answering.answers import Card, choice_label, entry_aspects
from knowledge.base.catalogue import Summary
from knowledge.base.schema import Entry
from knowledge.complaints import intake
from knowledge.complaints.outbox import Keyboard
from knowledge.complaints.vocabulary import Press
from knowledge.texts import complaints as complaint_texts
from knowledge.texts import residents as texts
from knowledge.vocabulary import ASPECT_LABELS, MENU_ORDER, Aspect

Markup = InlineKeyboardMarkup
Row = list[InlineKeyboardButton]


def button(label: str, pressed: cb.Pressed) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=cb.encode(pressed))


def rows(buttons: list[InlineKeyboardButton], width: int) -> list[Row]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def of_domain(keyboard: Keyboard) -> Markup | None:
    """The domain's buttons (a complaint message's) as an inline keyboard."""
    if not keyboard:
        return None
    return Markup(
        [
            [InlineKeyboardButton(b.label, callback_data=cb.of_button(b)) for b in row]
            for row in keyboard
        ]
    )


def home_row(back: cb.Pressed | None) -> Row:
    row = [button(texts.BUTTON_BACK, back)] if back is not None else []
    return [*row, button(texts.BUTTON_HOME, cb.Menu())]


def menu() -> Markup:
    return Markup(rows([button(c.value, cb.OpenCategory(c)) for c in MENU_ORDER], 2))


def _votes(entry: str, aspect: Aspect | None) -> Row:
    return [
        button(texts.BUTTON_HELPFUL, cb.Vote(True, entry, aspect)),
        button(texts.BUTTON_UNHELPFUL, cb.Vote(False, entry, aspect)),
    ]


def choice(entry: str, aspect: Aspect | None) -> cb.Pressed:
    return cb.ShowAspect(entry, aspect) if aspect is not None else cb.OpenEntry(entry)


def card(card: Card, entries: Mapping[str, Entry]) -> Markup:
    """Buttons under an answer: the entry's other aspects, 👍 / 👎, back and home."""
    keyboard: list[Row] = []
    if card.choices:
        choices = [button(choice_label(entries, e, a), choice(e, a)) for e, a in card.choices]
        keyboard += rows(choices, 1)
        keyboard.append([button(texts.BUTTON_NONE_OF_THESE, cb.NoneOfThese())])
        keyboard.append(home_row(None))
        return Markup(keyboard)
    if card.entry is not None and card.entry in entries:
        if card.also is not None and card.also[0] in entries:
            label = texts.BUTTON_ALSO.format(label=choice_label(entries, *card.also))
            keyboard.append([button(label, choice(*card.also))])
        aspects = [button(ASPECT_LABELS[a], cb.ShowAspect(card.entry, a)) for a in card.followups]
        keyboard += rows(aspects, 4)
        keyboard.append(_votes(card.entry, card.aspect))
        keyboard.append(home_row(cb.OpenEntry(card.entry)))
    else:
        keyboard.append(home_row(None))
    return Markup(keyboard)


def entry_page(entry: Entry) -> Markup:
    """An entry's page: a button per aspect, 👍 / 👎, back to its category, home."""
    aspects = [
        button(ASPECT_LABELS[a], cb.ShowAspect(entry.id, a))
        for a in entry_aspects(entry)
        if a is not Aspect.OVERVIEW
    ]
    keyboard = rows(aspects, 4)
    keyboard.append(_votes(entry.id, None))
    category = entry.menus[0] if entry.menus else None
    keyboard.append(home_row(cb.OpenCategory(category) if category else None))
    return Markup(keyboard)


def category_page(members: list[Summary], aspect: Aspect | None) -> Markup:
    """A menu category: its entries (opening on the category's aspect), home."""
    buttons = [
        button(
            e.title,
            cb.ShowAspect(e.id, aspect) if aspect and aspect in e.aspects else cb.OpenEntry(e.id),
        )
        for e in members
    ]
    return Markup([*rows(buttons, 2), home_row(cb.Menu())])


def start_complaint() -> Markup:
    """投诉监督: the button that starts the intake."""
    start = cb.OnComplaint(Press.INTAKE, value=intake.START)
    return Markup([[button(complaint_texts.BUTTON_COMPLAIN, start)], home_row(cb.Menu())])


def complaint_confirm() -> Markup:
    """ "您是要投诉/反映问题吗？": 是 starts the intake, 不是 treats it as a question."""
    return Markup(
        [
            [
                button(
                    complaint_texts.BUTTON_YES_COMPLAIN,
                    cb.OnComplaint(Press.INTAKE, value=intake.START),
                ),
                button(
                    complaint_texts.BUTTON_NOT_COMPLAIN,
                    cb.OnComplaint(Press.INTAKE, value=intake.NOT_A_COMPLAINT),
                ),
            ],
            home_row(cb.Menu()),
        ]
    )


def without_votes(markup: Markup | None, entry: str, aspect: Aspect | None) -> Markup:
    """The keyboard after a vote: the vote buttons go, the rest stays."""
    votes = {cb.encode(cb.Vote(h, entry, aspect)) for h in (True, False)}
    keyboard = markup.inline_keyboard if markup else ()
    return Markup([list(row) for row in keyboard if not any(b.callback_data in votes for b in row)])
