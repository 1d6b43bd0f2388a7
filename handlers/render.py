"""Cards as Telegram HTML, split to fit Telegram's 4096-character limit.

Every piece of stored or typed text is escaped here and nowhere else. A card is
rendered as self-contained paragraphs (no tag spans two paragraphs), so a long
card can be split between paragraphs without breaking the markup; a paragraph
too long on its own is split between lines, and a line between characters,
before it is escaped, so entities are never cut in half.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from knowledge.answering.answers import Card, heading, meta_lines
from knowledge.texts import residents as texts

TELEGRAM_LIMIT = 4096
CAPTION_LIMIT = 1024

Paragraph = tuple[str, str]  # (tag or "", raw text)


def _paragraphs(card: Card) -> list[Paragraph]:
    paras: list[Paragraph] = [("b", card.lead)] if card.lead else []
    paras.append(("b", heading(card)))
    if card.body.strip():
        paras.append(("", card.body.strip()))
    if card.lines:
        paras.append(("", "\n".join(card.lines)))
    if card.also_text:
        paras.append(("b", card.also_text))
    meta = meta_lines(card)
    if meta:
        paras.append(("i", "\n".join(meta)))
    if card.sample:
        paras.append(("", texts.SAMPLE_NOTICE))
    return paras


def _wrap(tag: str, raw: str) -> str:
    body = escape(raw, quote=False)
    return f"<{tag}>{body}</{tag}>" if tag else body


def _pieces(raw: str, limit: int) -> Iterable[str]:
    """Raw text in pieces whose escaped form fits `limit`: by lines, then characters."""
    piece = ""
    for line in raw.split("\n"):
        candidate = f"{piece}\n{line}" if piece else line
        if len(escape(candidate, quote=False)) <= limit:
            piece = candidate
            continue
        if piece:
            yield piece
        piece = ""
        while len(escape(line, quote=False)) > limit:
            cut = limit
            while len(escape(line[:cut], quote=False)) > limit:
                cut -= max(1, (len(escape(line[:cut], quote=False)) - limit) // 5)
            yield line[:cut]
            line = line[cut:]
        piece = line
    if piece:
        yield piece


def paragraphs_html(paras: Iterable[Paragraph], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Pack paragraphs into as few messages as fit, splitting only between paragraphs."""
    room = limit - len("<b></b>")  # the widest wrapping a paragraph gets
    blocks = [
        _wrap(tag, piece) for tag, raw in paras for piece in _pieces(raw, room) if piece.strip()
    ]
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages or [escape(texts.EMPTY_INPUT)]


def card_html(card: Card, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The card as one or more HTML messages, in order."""
    return paragraphs_html(_paragraphs(card), limit)


def text_html(raw: str, *, heading: str | None = None) -> list[str]:
    """Plain text (with an optional bold heading) as HTML messages."""
    paras: list[Paragraph] = [("b", heading)] if heading else []
    paras += [("", p) for p in raw.split("\n\n") if p.strip()]
    return paragraphs_html(paras)


def mention_link(pages: list[str], user_id: int, words: str) -> list[str]:
    """The first mention of `words` as a link to the Telegram user (notified in a group)."""
    plain = escape(words, quote=False)
    link = f'<a href="tg://user?id={user_id}">{plain}</a>'
    for i, page in enumerate(pages):
        if plain in page and len(page) + len(link) - len(plain) <= TELEGRAM_LIMIT:
            return [*pages[:i], page.replace(plain, link, 1), *pages[i + 1 :]]
    return pages
