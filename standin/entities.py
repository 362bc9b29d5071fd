"""A strict parser for Telegram's ``parse_mode="HTML"``.

Telegram does not parse HTML the way a browser does: it accepts a short list of tags
and four named entities, and refuses everything else with ``400 Bad Request: can't
parse entities: …``. :func:`parse_html` is a hand-written tokenizer that mirrors those
rules, because :mod:`html.parser` silently repairs exactly the mistakes a stand-in must
catch (unclosed tags, stray ``&``, unknown tags).

Accepted:

* tags ``b strong i em u ins s strike del tg-spoiler code pre`` without attributes,
  ``span class="tg-spoiler"``, ``a href="…"`` (href required and non-empty),
  ``tg-emoji emoji-id="…"``, ``code class="language-…"`` (inside ``pre`` it sets the
  pre block's language) and ``blockquote`` with an optional bare ``expandable``;
  tag and attribute names are case-insensitive, attribute values may be quoted with
  ``"`` or ``'`` or unquoted;
* the entities ``&lt; &gt; &amp; &quot;`` and numeric ``&#NN;`` / ``&#xHH;``
  (terminated by ``;``, naming a valid non-surrogate code point), in text and in
  attribute values.

Refused (:class:`~standin.errors.EntityParseError`):

* any other tag, a self-closing tag, a comment or doctype, an attribute not listed
  above, a missing required attribute;
* an end tag that does not close the innermost open tag (mis-nesting), an end tag
  with nothing open, a start tag never closed, a tag that is never terminated by ``>``;
* a bare ``<``, ``>`` or ``&`` that is not part of a tag or one of the entities;
* any tag inside ``code`` or ``pre`` other than one ``code`` directly inside ``pre``,
  and a ``blockquote`` inside a ``blockquote``.

Stand-in choices that Telegram may handle more leniently: the date-time tag
(``tg-time``) is refused, and text is not trimmed of surrounding whitespace.
Entity offsets and lengths are in UTF-16 code units, as the Bot API specifies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import EntityParseError

__all__ = ["ParsedText", "parse_html", "utf16_len"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_UNQUOTED_VALUE = re.compile(r"[^\s\"'<>=`]+")
_WS = re.compile(r"\s*")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,7}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# tag -> entity type produced (None: decided by attributes)
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
}
_ATTR_TAGS = {"span", "a", "tg-emoji", "code", "pre", "blockquote"}


@dataclass
class ParsedText:
    """Text after entity parsing, with Bot API ``MessageEntity`` dicts."""

    text: str
    entities: list[dict[str, object]] = field(default_factory=list)


@dataclass
class _Open:
    name: str
    entity: dict[str, object] | None
    start: int  # UTF-16 offset in the output
    byte_offset: int


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (how Telegram measures entities)."""
    return len(text.encode("utf-16-le")) // 2


class _Parser:
    def __init__(self, source: str):
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 units
        self.stack: list[_Open] = []
        self.entities: list[dict[str, object]] = []

    def fail(self, reason: str, pos: int | None = None) -> EntityParseError:
        at = self.pos if pos is None else pos
        return EntityParseError(reason, len(self.src[:at].encode("utf-8")))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.out_len += utf16_len(chunk)

    def run(self) -> ParsedText:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "<":
                self.tag()
            elif ch == "&":
                self.emit(self.entity())
            elif ch == ">":
                raise self.fail("bare '>' is not allowed, write &gt;")
            else:
                hits = (src.find(c, self.pos) for c in "<&>")
                nxt = min((i for i in hits if i >= 0), default=len(src))
                self.emit(src[self.pos : nxt])
                self.pos = nxt
        if self.stack:
            top = self.stack[-1]
            raise self.fail(
                f'can\'t find end tag corresponding to start tag "{top.name}"', len(src)
            )
        self.entities.sort(key=lambda e: (e["offset"], -int(e["length"])))  # type: ignore[arg-type]
        return ParsedText("".join(self.out), self.entities)

    def entity(self, *, limit: int | None = None) -> str:
        match = _ENTITY.match(self.src, self.pos, limit if limit is not None else len(self.src))
        if not match:
            raise self.fail(
                "bare '&' is not part of an entity (&lt; &gt; &amp; &quot; &#NN;), write &amp;"
            )
        named, dec, hexa = match.groups()
        if named:
            value = _NAMED[named]
        else:
            code = int(dec, 10) if dec else int(hexa, 16)
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.fail(f"numeric entity {match.group(0)} is not a valid character")
            value = chr(code)
        self.pos = match.end()
        return value

    def decode_value(self, raw: str, start: int) -> str:
        """Decode entities inside an attribute value (same strictness as text)."""
        parts: list[str] = []
        i = 0
        while i < len(raw):
            amp = raw.find("&", i)
            if amp < 0:
                parts.append(raw[i:])
                break
            parts.append(raw[i:amp])
            saved = self.pos
            self.pos = start + amp
            parts.append(self.entity(limit=start + len(raw)))
            i = self.pos - start
            self.pos = saved
        return "".join(parts)

    def tag(self) -> None:
        src, begin = self.src, self.pos
        if src.startswith("</", begin):
            match = _NAME.match(src, begin + 2)
            if not match:
                raise self.fail("bare '<' is not part of a tag, write &lt;")
            end = _WS.match(src, match.end()).end()
            if end >= len(src) or src[end] != ">":
                raise self.fail(f'end tag "{match.group(0).lower()}" is not terminated by ">"')
            self.pos = end + 1
            self.close(match.group(0).lower(), begin)
            return
        match = _NAME.match(src, begin + 1)
        if not match:
            if src.startswith("<!", begin):
                raise self.fail("comments and declarations are not supported")
            raise self.fail("bare '<' is not part of a tag, write &lt;")
        name = match.group(0).lower()
        if name not in _SIMPLE_TAGS and name not in _ATTR_TAGS:
            raise self.fail(f'unsupported start tag "{name}"')
        self.pos = match.end()
        attrs = self.attributes(name)
        self.open(name, attrs, begin)

    def attributes(self, tag: str) -> dict[str, str | None]:
        src = self.src
        attrs: dict[str, str | None] = {}
        while True:
            had_space = self.pos < len(src) and src[self.pos].isspace()
            self.pos = _WS.match(src, self.pos).end()
            if self.pos >= len(src):
                raise self.fail(f'start tag "{tag}" is not terminated by ">"')
            ch = src[self.pos]
            if ch == ">":
                self.pos += 1
                return attrs
            if ch == "/":
                raise self.fail(f'self-closing tag "{tag}" is not supported')
            match = _ATTR_NAME.match(src, self.pos)
            if not match or not had_space:
                raise self.fail(f'malformed attribute in start tag "{tag}"')
            attr = match.group(0).lower()
            self.pos = _WS.match(src, match.end()).end()
            value: str | None = None
            if self.pos < len(src) and src[self.pos] == "=":
                self.pos = _WS.match(src, self.pos + 1).end()
                if self.pos < len(src) and src[self.pos] in "\"'":
                    quote = src[self.pos]
                    close = src.find(quote, self.pos + 1)
                    if close < 0:
                        raise self.fail(f'unclosed quote in attribute "{attr}"')
                    value = self.decode_value(src[self.pos + 1 : close], self.pos + 1)
                    self.pos = close + 1
                else:
                    umatch = _UNQUOTED_VALUE.match(src, self.pos)
                    if not umatch:
                        raise self.fail(f'empty attribute value of "{attr}"')
                    value = self.decode_value(umatch.group(0), self.pos)
                    self.pos = umatch.end()
            if attr in attrs:
                raise self.fail(f'duplicate attribute "{attr}" in tag "{tag}"')
            attrs[attr] = value

    def open(self, name: str, attrs: dict[str, str | None], begin: int) -> None:
        def only(*allowed: str) -> None:
            for attr in attrs:
                if attr not in allowed:
                    raise self.fail(f'attribute "{attr}" is not allowed in tag "{name}"', begin)

        parent = self.stack[-1].name if self.stack else None
        if parent in ("code", "pre") and not (parent == "pre" and name == "code"):
            raise self.fail(f'tag "{name}" is not allowed inside "{parent}"', begin)
        entity: dict[str, object] | None
        if name in _SIMPLE_TAGS:
            only()
            entity = {"type": _SIMPLE_TAGS[name]}
        elif name == "span":
            only("class")
            if attrs.get("class") != "tg-spoiler":
                raise self.fail('tag "span" needs class="tg-spoiler"', begin)
            entity = {"type": "spoiler"}
        elif name == "a":
            only("href")
            if not attrs.get("href"):
                raise self.fail('tag "a" needs a non-empty href attribute', begin)
            entity = {"type": "text_link", "url": attrs["href"]}
        elif name == "tg-emoji":
            only("emoji-id")
            if not attrs.get("emoji-id"):
                raise self.fail('tag "tg-emoji" needs an emoji-id attribute', begin)
            entity = {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
        elif name == "code":
            only("class")
            language = attrs.get("class")
            if "class" in attrs and not (language or "").startswith("language-"):
                raise self.fail('class of tag "code" must be "language-…"', begin)
            if parent == "pre":
                pre = self.stack[-1]
                if language and pre.entity is not None:
                    pre.entity["language"] = language.removeprefix("language-")
                entity = None
            else:
                entity = {"type": "code"}
        elif name == "pre":
            only()
            entity = {"type": "pre"}
        else:  # blockquote
            only("expandable")
            if attrs.get("expandable") is not None:
                raise self.fail('attribute "expandable" takes no value', begin)
            if any(o.name == "blockquote" for o in self.stack):
                raise self.fail('tag "blockquote" can\'t be nested', begin)
            entity = {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
        self.stack.append(_Open(name, entity, self.out_len, begin))

    def close(self, name: str, begin: int) -> None:
        if not self.stack:
            raise self.fail(f'unexpected end tag "{name}" with no open tag', begin)
        top = self.stack[-1]
        if top.name != name:
            raise self.fail(
                f'unmatched end tag: expected "</{top.name}>", found "</{name}>"', begin
            )
        self.stack.pop()
        length = self.out_len - top.start
        if top.entity is not None and length > 0:
            self.entities.append({**top.entity, "offset": top.start, "length": length})


def parse_html(source: str) -> ParsedText:
    """Parse ``source`` as Telegram HTML; raise :class:`EntityParseError` if Telegram would."""
    return _Parser(source).run()
