"""Telegram's HTML parse mode: visible text and entities, lengths in UTF-16 code units."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.fakes.telegram.records import JsonDict


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z][a-zA-Z0-9_-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_SPECIAL_RE = re.compile(r"[<&]")
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_ALLOWED_TAGS = frozenset({*_SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"})


class EntityError(Exception):
    """The text does not parse in the requested parse mode."""


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]
    language: str | None = None


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


def _decode_entities(source: str, start: int, end: int) -> str:
    """Decodes HTML entities in source[start:end]; a bare `&` is an error."""
    out: list[str] = []
    i = start
    while i < end:
        amp = source.find("&", i, end)
        if amp < 0:
            out.append(source[i:end])
            break
        out.append(source[i:amp])
        match = _ENTITY_RE.match(source, amp, end)
        if match is None:
            raise EntityError(
                f"Character '&' is reserved and must be escaped with the preceding '\\' "
                f"at byte offset {_byte_offset(source, amp)}"
            )
        named, decimal, hexadecimal = match.groups()
        if named is not None:
            out.append(_NAMED_ENTITIES[named])
        else:
            code = int(decimal) if decimal is not None else int(hexadecimal, 16)
            if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise EntityError(
                    f"Invalid numeric entity at byte offset {_byte_offset(source, amp)}"
                )
            out.append(chr(code))
        i = match.end()
    return "".join(out)


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Parses Telegram's HTML style into (visible text, entities with UTF-16 offsets)."""
    chunks: list[str] = []
    entities: list[JsonDict] = []
    stack: list[_OpenTag] = []
    position = 0  # in UTF-16 code units
    i = 0
    n = len(source)
    while i < n:
        special = _SPECIAL_RE.search(source, i)
        stop = special.start() if special else n
        if stop > i:
            chunk = source[i:stop]
            chunks.append(chunk)
            position += utf16_len(chunk)
            i = stop
            continue
        if source[i] == "&":
            match = _ENTITY_RE.match(source, i)
            end = match.end() if match else i + 1
            chunk = _decode_entities(source, i, end)
            chunks.append(chunk)
            position += utf16_len(chunk)
            i = end
            continue
        tag = _TAG_RE.match(source, i)
        if tag is None:
            raise EntityError(
                f"Unsupported start tag at byte offset {_byte_offset(source, i)}"
                if source.startswith("<", i) and i + 1 < n and source[i + 1].isalpha()
                else f"Unexpected character '<' at byte offset {_byte_offset(source, i)}"
            )
        closing, name, attr_text = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
        if closing:
            if not stack:
                raise EntityError(
                    f'Unexpected end tag at byte offset {_byte_offset(source, i)}: "</{name}>"'
                )
            top = stack[-1]
            if top.name != name:
                raise EntityError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            stack.pop()
            _close_tag(top, position, stack, entities)
        else:
            if name not in _ALLOWED_TAGS:
                raise EntityError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, i)}'
                )
            attrs: dict[str, str] = {}
            for attr in _ATTR_RE.finditer(attr_text):
                value = attr.group(2) or ""
                if value[:1] in ("'", '"'):
                    value = value[1:-1]
                attrs[attr.group(1).lower()] = _decode_entities(value, 0, len(value))
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise EntityError('Tag "span" must have class "tg-spoiler"')
            if name == "tg-emoji" and not attrs.get("emoji-id"):
                raise EntityError('Tag "tg-emoji" must have attribute "emoji-id"')
            stack.append(_OpenTag(name, position, attrs))
        i = tag.end()
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(chunks), entities


def _close_tag(tag: _OpenTag, position: int, stack: list[_OpenTag], out: list[JsonDict]) -> None:
    length = position - tag.start
    if tag.name == "code" and stack and stack[-1].name == "pre":
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].language = language.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: JsonDict = {"offset": tag.start, "length": length}
    if tag.name in _SIMPLE_TAGS:
        entity["type"] = _SIMPLE_TAGS[tag.name]
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
    elif tag.name == "span":
        entity["type"] = "spoiler"
    elif tag.name == "a":
        href = tag.attrs.get("href")
        if not href:
            return
        entity.update(type="text_link", url=href)
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    else:  # tg-emoji
        entity.update(type="custom_emoji", custom_emoji_id=tag.attrs["emoji-id"])
    out.append(entity)


_AUTO_ENTITY_RE = re.compile(
    r"(?<![\w/@])(?:(/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)|(@[A-Za-z0-9_]{5,32}))(?![\w@/])"
)


def detect_entities(text: str) -> list[JsonDict]:
    """The bot_command and mention entities Telegram adds to a resident's text."""
    entities: list[JsonDict] = []
    for match in _AUTO_ENTITY_RE.finditer(text):
        kind = "bot_command" if match.group(1) else "mention"
        offset = utf16_len(text[: match.start()])
        entities.append({"offset": offset, "length": utf16_len(match.group()), "type": kind})
    return entities
