"""The text room's face towards layout: one :class:`Typesetter` per language.

Input: a Language (font stacks, direction, hyphenation) and a FontLibrary. Output: shaped
paragraphs, cached per process so a text is shaped once and reused across fitting passes,
layouts and brands.
"""
from __future__ import annotations

import pyphen

from ..content.model import Span, Text
from ..errors import LeafletError
from ..languages import Language
from .fonts import FontLibrary
from .paragraph import ShapedParagraph

_SHAPED: dict = {}          # language -> {spans: ShapedParagraph}, most recently used last
_LANGS_KEPT = 3             # a batch goes language by language: keep a few, free the rest


class Typesetter:
    def __init__(self, lang: Language, fonts: FontLibrary):
        self.lang = lang
        self.rtl = lang.rtl
        self.stacks = {style: [fonts.get(n, lang.file) for n in names]
                       for style, names in lang.fonts.items()}
        self.hyphenator = None
        if lang.hyphenation:
            try:
                self.hyphenator = pyphen.Pyphen(lang=lang.hyphenation, left=3, right=3)
            except KeyError:
                raise LeafletError(f"pyphen has no hyphenation dictionary {lang.hyphenation!r}",
                                   file=lang.file, key="hyphenation", hint="Use null") from None
        self.ascent = max(f.ascent for f in self.stacks["regular"])

    def shape(self, text: Text | tuple[Span, ...] | str, *, bold: bool = False,
              file: str | None = None, key: str | None = None) -> ShapedParagraph:
        """Shape inline text (content) or a plain string (never parsed as markup)."""
        if isinstance(text, Text):
            spans, key = text.spans, key or text.key
        elif isinstance(text, str):
            spans = (Span(text, bold=bold),)
        else:
            spans = text
        if bold:
            spans = tuple(Span(s.text, True, s.italic, s.href) for s in spans)
        if self.lang.space_before:
            spans = _narrow_spaces(spans, self.lang.space_before)
        per_lang = _SHAPED.pop(self.lang.code, None)
        if per_lang is None:
            per_lang = {}
            while len(_SHAPED) >= _LANGS_KEPT:
                _SHAPED.pop(next(iter(_SHAPED)))
        _SHAPED[self.lang.code] = per_lang
        sp = per_lang.get(spans)
        if sp is None:
            try:
                sp = ShapedParagraph(spans, self.stacks, self.lang.code, self.rtl, self.hyphenator,
                                     self.lang.line_break == "keep-all", self.lang.break_after)
            except LeafletError as exc:
                raise exc.located(file=file, key=key) from None
            per_lang[spans] = sp
        return sp


NARROW_NBSP = "\u202f"


def _narrow_spaces(spans: tuple[Span, ...], marks: str) -> tuple[Span, ...]:
    """A space (or no-break space) typed before one of ``marks`` becomes a narrow no-break space,
    as French sets ? ! : ; . Only existing spaces change, so every character keeps its place."""
    text = "".join(s.text for s in spans)
    hits = [i for i in range(len(text) - 1) if text[i] in " \u00a0" and text[i + 1] in marks]
    if not hits:
        return spans
    chars = list(text)
    for i in hits:
        chars[i] = NARROW_NBSP
    out, pos = [], 0
    for s in spans:
        out.append(Span("".join(chars[pos:pos + len(s.text)]), s.bold, s.italic, s.href))
        pos += len(s.text)
    return tuple(out)
