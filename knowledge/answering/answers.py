"""Composing what the resident reads, as data (`Card`) and as plain text.

A card carries everything a reply needs — heading, text, structured lines
(procedure steps, finance totals, contacts), legal basis, last-reviewed date,
the sample-data notice, the follow-up aspects — so the console and Telegram
render the same answer their own way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from knowledge.base.catalogue import Catalogue, Summary
from knowledge.base.citations import compact
from knowledge.base.schema import Contact, Entry, Finance
from knowledge.matching.lexicon import Referral
from knowledge.matching.match import Decision, DecisionPath, Match
from knowledge.texts import residents as texts
from knowledge.vocabulary import (
    ASPECT_LABELS,
    ASPECT_ORDER,
    CONTACTS_ENTRY,
    ENTRY_IDS,
    SAMPLE_MARK,
    Aspect,
    Category,
    Intent,
)

# Which aspect an entry opens on when reached through a category of the menu.
CATEGORY_ASPECT: dict[Category, Aspect | None] = {
    Category.APPROVAL: None,
    Category.FEES: Aspect.FEES,
    Category.PENALTIES: Aspect.PENALTIES,
    Category.FINANCE: Aspect.FINANCE,
    Category.CONTACTS: None,
    Category.COMPLAINTS: None,
}


# Names in "what the desk can answer": a county's dozen in full, a large knowledge base's first.
SCOPE_NAMES = 20


def summaries(entries: Mapping[str, Entry]) -> list[Summary]:
    """Every entry's summary: a catalogue holds them; entries in a dict are summarised."""
    if isinstance(entries, Catalogue):
        return entries.summaries()
    return [Summary.of(e) for e in entries.values()]


def category_entries(entries: Mapping[str, Entry], category: Category) -> list[Summary]:
    """A menu category's entries, in the programme's order (from their summaries: listing
    them never reads 10,000 whole entries)."""
    order = {entry_id: i for i, entry_id in enumerate(ENTRY_IDS)}
    return sorted(
        (e for e in summaries(entries) if category in e.menus),
        key=lambda e: (order.get(e.id, len(order)), e.id),
    )


@dataclass(frozen=True)
class Card:
    """One reply, ready to render."""

    title: str
    body: str
    lead: str = ""  # the direct answer, shown before everything else
    lines: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()
    last_reviewed: dt.date | None = None
    sample: bool = False
    entry: str | None = None
    aspect: Aspect | None = None
    followups: tuple[Aspect, ...] = ()
    choices: tuple[tuple[str, Aspect | None], ...] = field(default=())
    also: tuple[str, Aspect | None] | None = None  # the message's second question, to offer
    also_text: str = ""  # 您还问到：婚姻登记 · 材料


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _rate(spent: float, budget: float) -> str:
    return f"{spent / budget:.0%}" if budget else "—"


def finance_lines(finance: Finance) -> list[str]:
    """The disclosure grouped by period, with a total per period."""
    by_period: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(finance.rows):
        by_period[row.period].append(i)
    lines: list[str] = []
    for period, indexes in by_period.items():
        rows = [finance.rows[i] for i in indexes]
        lines.append(texts.FINANCE_TABLE_HEADING.format(period=period, unit=finance.unit))
        for r in rows:
            lines.append(
                texts.FINANCE_ROW.format(
                    item=r.item,
                    budget=_number(r.budget),
                    spent=_number(r.spent),
                    rate=_rate(r.spent, r.budget),
                    note=texts.FINANCE_NOTE.format(note=r.note) if r.note else "",
                )
            )
        budget, spent = sum(r.budget for r in rows), sum(r.spent for r in rows)
        lines.append(
            texts.FINANCE_TOTAL.format(
                budget=_number(budget), spent=_number(spent), rate=_rate(spent, budget)
            )
        )
    return lines


def contact_lines(contacts: list[Contact]) -> list[str]:
    out = []
    for c in contacts:
        details = texts.CONTACT_DETAIL_SEPARATOR.join(
            x for x in (c.phone, c.hours, c.address, c.note) if x
        )
        out.append(texts.CONTACT_ROW.format(name=c.name, details=details))
    return out


def entry_aspects(entry: Entry) -> list[Aspect]:
    """The entry's aspects in the order they are offered."""
    return [a for a in ASPECT_ORDER if a in entry.aspects]


def card_for(entry: Entry, aspect: Aspect | None) -> Card:
    """The answer card for one entry, and one of its aspects (overview when None)."""
    shown = aspect if aspect in entry.aspects else None
    if shown is None:
        shown = Aspect.OVERVIEW if Aspect.OVERVIEW in entry.aspects else entry_aspects(entry)[0]
    lines: list[str] = []
    if shown is Aspect.PROCEDURE:
        for proc in entry.procedures:
            if len(entry.procedures) > 1:
                lines.append(texts.PROCEDURE_HEADING.format(name=proc.name))
            for n, step in enumerate(proc.steps, start=1):
                extra = "".join(
                    texts.STEP_EXTRA.format(value=x) for x in (step.actor, step.time_limit) if x
                )
                detail = texts.STEP_DETAIL.format(detail=step.detail) if step.detail else ""
                lines.append(
                    texts.STEP_ROW.format(number=n, title=step.title, extra=extra) + detail
                )
    if shown is Aspect.FINANCE and entry.finance is not None:
        lines.extend(finance_lines(entry.finance))
    sample = entry.shows_sample_data(shown)
    if entry.id == CONTACTS_ENTRY and shown is Aspect.OVERVIEW and entry.contacts:
        lines.extend(contact_lines(entry.contacts))
        sample = sample or any(c.sample_data for c in entry.contacts)
    return Card(
        title=texts.CARD_TITLE.format(title=entry.title, aspect=ASPECT_LABELS[shown]),
        body=entry.aspects[shown],
        lead=entry.leads.get(shown, ""),
        lines=tuple(lines),
        basis=tuple(compact(entry.basis_for(shown))),
        last_reviewed=entry.last_reviewed,
        sample=sample,
        entry=entry.id,
        aspect=shown,
        followups=tuple(a for a in entry_aspects(entry) if a is not shown),
    )


def hotline(entries: Mapping[str, Entry]) -> Contact | None:
    """The bureau's supervision and enquiry line, if the contacts entry lists it."""
    contacts = entries.get(CONTACTS_ENTRY)
    if contacts is None:
        return None
    return next(
        (c for c in contacts.contacts if texts.HOTLINE_NAME_MARK in c.name and c.phone), None
    )


def hotline_phone(entries: Mapping[str, Entry]) -> tuple[str, bool] | None:
    """The hotline's number as residents read it (marked when it is sample data), and whether
    it is sample data; None when the contacts entry lists no hotline."""
    line = hotline(entries)
    if line is None:
        return None
    if line.sample_data:
        return line.phone + texts.SAMPLE_SUFFIX.format(mark=SAMPLE_MARK), True
    return line.phone, False


def _hotline_text(entries: Mapping[str, Entry]) -> tuple[str, bool]:
    phone = hotline_phone(entries)
    if phone is None:
        return texts.HOTLINE_FALLBACK, False
    return texts.HOTLINE_LINE.format(phone=phone[0]), phone[1]


def reply_for(match: Match, entries: Mapping[str, Entry]) -> Card:
    """The card that answers a match, whatever its intent."""
    hotline_text, hotline_sample = _hotline_text(entries)
    if (
        match.intent is Intent.ANSWER
        and match.entry is not None
        and match.decision is Decision.ANSWER
    ):
        card = card_for(entries[match.entry], match.aspect)
        if match.also is not None and match.also.entry in entries:
            also = (match.also.entry, match.also.aspect)
            label = choice_label(entries, *also)
            card = replace(card, also=also, also_text=texts.ALSO_ASKED.format(label=label))
        return card
    if match.intent is Intent.ANSWER and match.decision is Decision.CLARIFY:
        choices = [(match.entry, match.aspect)] if match.entry else []
        choices += [(c.entry, c.aspect) for c in match.alternatives]
        options = tuple((e, a) for e, a in choices[:3] if e in entries)
        return Card(title=texts.DID_YOU_MEAN, body=texts.CHOOSE_BY_NUMBER, choices=options)
    if match.intent is Intent.CONTACT and CONTACTS_ENTRY in entries:
        card = card_for(entries[CONTACTS_ENTRY], Aspect.OVERVIEW)
        return Card(
            title=card.title,
            body=texts.CONTACT_INTRO + "\n" + card.body,
            lead=card.lead,
            lines=card.lines,
            basis=card.basis,
            last_reviewed=card.last_reviewed,
            sample=card.sample,
            entry=card.entry,
            aspect=None,
            followups=card.followups,
        )
    if match.intent is Intent.COMPLAINT:
        phone, sample = hotline_phone(entries) or (texts.NATIONAL_HOTLINE, False)
        return Card(
            title=texts.COMPLAINT_TITLE,
            body=texts.COMPLAINT_REPLY.format(phone=phone),
            sample=sample,
        )
    if match.path is DecisionPath.SMALLTALK:
        reply = texts.SMALLTALK_REPLIES.get(match.talk or "", texts.SMALLTALK_REPLY)
        return Card(title=texts.BOT_NAME, body=reply)
    if match.referral is not None:
        help_text = texts.OUT_OF_SCOPE_HELP.format(**scope(entries))
        return Card(
            title=texts.BOT_NAME,
            body="\n".join((_referral_text(match.referral), help_text, hotline_text)),
            sample=hotline_sample,
        )
    cannot = texts.CANNOT_ANSWER.format(**scope(entries))
    return Card(title=texts.BOT_NAME, body=cannot + "\n" + hotline_text, sample=hotline_sample)


def complaint_reply(entries: Mapping[str, Entry]) -> Card:
    """What the 投诉监督 menu shows: how to complain, and the hotline."""
    match = Match("", Intent.COMPLAINT, None, None, 1.0, Decision.ANSWER, DecisionPath.COMPLAINT)
    return reply_for(match, entries)


def _referral_text(referral: Referral) -> str:
    if referral.department:
        return texts.REFERRAL.format(department=referral.department, hint=referral.hint)
    return texts.REFERRAL_NO_DEPARTMENT.format(hint=referral.hint)


def choice_label(entries: Mapping[str, Entry], entry_id: str, aspect: Aspect | None) -> str:
    """How a "did you mean" choice reads: 婚姻登记 · 材料."""
    title = entries[entry_id].title if entry_id in entries else entry_id
    return texts.CHOICE_LABEL.format(title=title, aspect=ASPECT_LABELS[aspect]) if aspect else title


def heading(card: Card) -> str:
    """【title】: how every card begins."""
    return texts.CARD_HEADING.format(title=card.title)


def meta_lines(card: Card) -> list[str]:
    """The legal basis and the last-reviewed date, as every card ends."""
    meta = []
    if card.basis:
        basis = texts.BASIS_SEPARATOR.join(card.basis)
        meta.append(texts.META_LINE.format(label=texts.BASIS_LABEL, value=basis))
    if card.last_reviewed:
        reviewed = card.last_reviewed.isoformat()
        meta.append(texts.META_LINE.format(label=texts.REVIEWED_LABEL, value=reviewed))
    return meta


def scope(entries: Mapping[str, Entry]) -> dict[str, str]:
    """What the desk can answer, by menu category, named from the entries themselves.

    The short name of an entry is its first alias (低保, 五保, 婚姻登记 …), so a new
    entry is named in every sentence that says what the desk can answer.
    """

    def names(category: Category) -> str:
        members = category_entries(entries, category)
        return _listed([e.aliases[0] if e.aliases else e.title for e in members])

    found = {
        "approval": names(Category.APPROVAL),
        "fees": names(Category.FEES),
        "penalties": names(Category.PENALTIES),
        "finance": names(Category.FINANCE),
    }
    services = [
        e
        for c in (Category.APPROVAL, Category.FEES, Category.PENALTIES, Category.FINANCE)
        for e in category_entries(entries, c)
    ]
    unique = list(dict.fromkeys(e.aliases[0] if e.aliases else e.title for e in services))
    found["services"] = _listed(unique)
    return found


def _listed(names: list[str]) -> str:
    """Names in a sentence; a large knowledge base's first few and how many in all."""
    if len(names) <= SCOPE_NAMES:
        return texts.LIST_SEPARATOR.join(names)
    shown = texts.LIST_SEPARATOR.join(names[:SCOPE_NAMES])
    return texts.LIST_MORE.format(names=shown, count=len(names))


def category_blurb(entries: Mapping[str, Entry], category: Category) -> str:
    """What a menu category holds, as its button's line in the console menu and its page."""
    members = category_entries(entries, category)
    names = texts.LIST_SEPARATOR.join(e.aliases[0] if e.aliases else e.title for e in members)
    return texts.CATEGORY_BLURBS[category.value].format(names=names)


def render_plain(card: Card, entries: Mapping[str, Entry] | None = None) -> str:
    """The card as plain text, for the console and `sunshine ask`."""
    parts = [card.lead, heading(card), card.body.strip()]
    if card.lines:
        parts.append("\n".join(card.lines))
    if card.choices and entries is not None:
        parts.append(
            "\n".join(
                f"{i}. {choice_label(entries, e, a)}"
                for i, (e, a) in enumerate(card.choices, start=1)
            )
        )
    parts.append(card.also_text)
    meta = meta_lines(card)
    if meta:
        parts.append("\n".join(meta))
    if card.sample:
        parts.append(texts.SAMPLE_NOTICE)
    return "\n\n".join(p for p in parts if p)
