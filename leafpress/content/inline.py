"""The small, safe inline syntax used in content strings.

Input: a content string. Output: a tuple of :class:`Span`.

    **bold**    *italic*    [link text](https://example.org)    \\* a literal star

Nothing else is markup: ``<``, ``>`` and ``&`` are ordinary characters and are never handed to
any markup parser. Links may only be https, tel or mailto. Characters that would be invisible or
reorder text behind the reader's back (controls, bidi embeddings and overrides, private use,
unpaired surrogates) are refused here, so every later stage can trust the text.
"""
from __future__ import annotations

import re
import unicodedata

from .model import Span

# Bidi embeddings and overrides can disguise text ("Trojan Source"): refused. Isolates (LRI, RLI,
# FSI ... PDI) and the marks LRM, RLM and ALM are what authors use to say which way a run reads
# (a temperature, a dose, "(IR)" inside Arabic): allowed, isolates only when balanced.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e")
_OPENERS = set("\u2066\u2067\u2068")
_PDI = "\u2069"
_ISOLATES = _OPENERS | {_PDI}
_ALLOWED_FORMAT = set("\u200b\u200c\u200d\u200e\u200f\u061c\u00ad\u2060\ufe0e\ufe0f\u2066\u2067\u2068\u2069")
_MARKUP = re.compile(r"[\\*\[]")      # where parse_inline looks again: an escape, a star, a link
_URL = re.compile(r"^(https://[^\s<>\"'\\]+|tel:\+?[0-9 ()\-.]+|mailto:[^\s<>\"'\\@]+@[^\s<>\"'\\]+)$")


class InlineError(ValueError):
    """A problem in one content string; the loader adds file, line and key path."""


def check_url(url: str) -> str:
    if not _URL.match(url):
        raise InlineError(f"link {url!r} is not allowed: use an https://, tel: or mailto: address")
    return url


MAX_MARKS = 8      # combining marks on one base character (Thai, Hindi, Vietnamese need at most 3)


_ASCII_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_MARK = "\x01"                # a mark, in the text _fine translates (a control there would have been refused)


def _fine(text: str) -> bool:
    """True when :func:`check_characters` would find nothing: the usual case, seen from the
    text's distinct characters (and, when it has combining marks, from where they stand) rather
    than character by character. False sends the text through the full check, which says what
    and where."""
    if text.isascii():
        return _ASCII_CONTROL.search(text) is None
    chars = set(text)
    if _PLAIN.issuperset(chars):
        return True
    marks = {}
    for ch in chars:
        if ch in _PLAIN:
            continue
        cat = unicodedata.category(ch)
        if cat[0] == "M":
            marks[ord(ch)] = _MARK
        elif cat[0] == "C" and not (ch == "\n" or cat == "Cf" and ch not in _ISOLATES and (
                ch in _ALLOWED_FORMAT or _is_tag_or_selector(ch))):
            return False    # a control, a format character (isolates need pairing), private use...
        elif len(_PLAIN) < _PLAIN_KEPT:
            _PLAIN.add(ch)
    return len(marks) == 0 or _MARK * (MAX_MARKS + 1) not in text.translate(marks)


# Characters found fine anywhere (neither a mark nor refused), as the texts checked so far had
# them: a language's texts share their alphabet, so most are answered from their distinct
# characters in one set operation. Bounded: no more are added once it holds _PLAIN_KEPT.
_PLAIN: set[str] = set()
_PLAIN_KEPT = 65_536


def check_characters(text: str) -> None:
    """Refuse characters that are invisible, reorder text or stack too many marks (see the
    module's docstring), naming the first and where it is."""
    if not _fine(text):
        _check_each(text)


def _check_each(text: str) -> None:
    marks = 0
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            opened.append(i)
        elif ch == _PDI:
            if not opened:
                raise InlineError(f"bidi isolate end U+2069 (PDI) at character {i + 1} closes nothing: "
                                  "remove it, or put U+2066 (LRI) or U+2067 (RLI) before the run it ends")
            opened.pop()
        cat = unicodedata.category(ch)
        marks = marks + 1 if cat in ("Mn", "Mc", "Me") else 0
        if marks > MAX_MARKS:
            raise InlineError(f"more than {MAX_MARKS} combining marks stacked on one character at "
                              f"character {i + 1 - MAX_MARKS}: they would print over the lines above; "
                              "remove the extra marks")
        name = f"U+{ord(ch):04X}"
        if ch in _BIDI_CONTROLS:
            raise InlineError(f"invisible bidi control {name} at character {i + 1}: remove it "
                              "(embeddings and overrides can disguise text; to keep a run in its "
                              "own order wrap it in U+2066 (LRI) ... U+2069 (PDI))")
        if cat == "Cc" and ch not in "\n":
            raise InlineError(f"control character {name} at character {i + 1}: remove it")
        if cat == "Cs":
            raise InlineError(f"unpaired surrogate {name} at character {i + 1}: the text is "
                              "damaged; paste it again from the original")
        if cat == "Co":
            raise InlineError(f"private-use character {name} at character {i + 1}: it has no "
                              "meaning outside one font; use the real character")
        if cat == "Cn":
            raise InlineError(f"unassigned code point {name} at character {i + 1}: remove it")
        if cat == "Cf" and ch not in _ALLOWED_FORMAT and not _is_tag_or_selector(ch):
            raise InlineError(f"invisible format character {name} "
                              f"({unicodedata.name(ch, 'unnamed')}) at character {i + 1}: remove it")
    if opened:
        i = opened[0]
        raise InlineError(f"bidi isolate U+{ord(text[i]):04X} at character {i + 1} is never closed: "
                          "end the run with U+2069 (PDI)")


def _is_tag_or_selector(ch: str) -> bool:
    cp = ord(ch)
    return 0xE0020 <= cp <= 0xE007F or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def parse_inline(raw: str) -> tuple[Span, ...]:
    """Parse the inline syntax. Raises InlineError on unbalanced markers or bad links."""
    text = unicodedata.normalize("NFC", raw)
    check_characters(text)
    text = " ".join(text.split())           # one space between words, none at the ends
    spans: list[Span] = []
    buf: list[str] = []
    bold = italic = False
    i, n = 0, len(text)

    def flush(href: str | None = None, chars: list[str] | None = None):
        chars = buf if chars is None else chars
        if chars:
            s = "".join(chars)
            last = spans[-1] if spans else None
            if last and href is None and last.href is None and (last.bold, last.italic) == (bold, italic):
                spans[-1] = Span(last.text + s, bold, italic)
            else:
                spans.append(Span(s, bold, italic, href))
            chars.clear()

    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            buf.append(text[i + 1])
            i += 2
        elif text.startswith("**", i):
            flush()
            bold = not bold
            i += 2
        elif ch == "*":
            flush()
            italic = not italic
            i += 1
        elif ch == "[":
            close = _find_unescaped(text, "]", i + 1)
            if close < 0 or not text.startswith("(", close + 1):
                raise InlineError(f"'[' at character {i + 1} does not start a link "
                                  "[text](https://...); write \\[ for a literal bracket")
            end = _find_unescaped(text, ")", close + 2)
            if end < 0:
                raise InlineError(f"the link at character {i + 1} has no closing ')'")
            url = check_url(text[close + 2:end].strip())
            flush()
            label = list(_unescape(text[i + 1:close]))
            if not label:
                raise InlineError(f"the link at character {i + 1} has no text")
            flush(url, label)
            i = end + 1
        else:       # plain text up to the next character that may be markup, at once
            m = _MARKUP.search(text, i + 1)
            j = n if m is None else m.start()
            buf.append(text[i:j])
            i = j
    if bold:
        raise InlineError("'**' opened but never closed: add the closing ** (or write \\*\\*)")
    if italic:
        raise InlineError("'*' opened but never closed: add the closing * (or write \\*)")
    flush()
    if not spans:
        raise InlineError("text is empty")
    return tuple(spans)


def _find_unescaped(text: str, ch: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ch:
            return i
        i += 1
    return -1


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)
