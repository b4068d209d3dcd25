"""Inline content for the web: spans cut into pieces that carry their own language and direction.

Input: a content :class:`Text` (or a plain string), the page's language and direction, and the
language of Latin-script terms in a non-Latin text. Output: a list of :class:`Run` (emphasis,
link) each holding :class:`Bit` pieces the templates print as text (always escaped):

- phone numbers and web addresses are isolated left-to-right (``<bdi dir="ltr">``), so an
  Arabic sentence keeps "+1 (555) 010-0142" in its own order, as on the PDF;
- in a text whose script is not Latin, Latin-script terms ("IR", "MIIP", names) carry the
  source language (``lang``), as the PDF's tagged Span elements do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..content.model import Span, Text

_ISOLATE = re.compile(r"\+?\d[\d ()\-.]{5,}\d|https?://[^\s<>\"]+|(?:[A-Za-z0-9-]+\.)+(?:org|com|net|gov|edu|info)\b(?:/[^\s<>\"]*)?")
# A Latin-script term: words (and numbers after the first word, "CC BY 4.0") joined by spaces.
_LATIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9'’\-.]*[A-Za-z0-9])?(?:[ ]+[A-Za-z0-9](?:[A-Za-z0-9'’\-.]*[A-Za-z0-9])?)*")


@dataclass(frozen=True)
class Bit:
    text: str
    lang: str | None = None      # set when it differs from the surrounding text
    isolate: bool = False        # left-to-right island (phone number, address on the web)


@dataclass(frozen=True)
class Run:
    bits: tuple[Bit, ...]
    bold: bool = False
    italic: bool = False
    href: str | None = None


def runs(text: Text | str, quote_lang: str | None = None) -> list[Run]:
    spans = text.spans if isinstance(text, Text) else (Span(text),)
    return [Run(tuple(bits(s.text, quote_lang)), s.bold, s.italic, s.href) for s in spans]


def bits(s: str, quote_lang: str | None = None) -> list[Bit]:
    out: list[Bit] = []
    pos = 0
    for m in _ISOLATE.finditer(s):
        out += _latin(s[pos:m.start()], quote_lang)
        out.append(Bit(m.group(), quote_lang, True))
        pos = m.end()
    out += _latin(s[pos:], quote_lang)
    return out


def _latin(s: str, quote_lang: str | None) -> list[Bit]:
    if not s:
        return []
    if not quote_lang:
        return [Bit(s)]
    out, pos = [], 0
    for m in _LATIN.finditer(s):
        if m.start() > pos:
            out.append(Bit(s[pos:m.start()]))
        out.append(Bit(m.group(), quote_lang))
        pos = m.end()
    if pos < len(s):
        out.append(Bit(s[pos:]))
    return out
