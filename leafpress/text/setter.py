"""The text room's face towards layout: one :class:`Typesetter` per language.

Input: a Language (font stacks, direction, hyphenation) and a FontLibrary. Output: shaped
paragraphs, cached per process so a text is shaped once and reused across fitting passes,
layouts and brands.
"""
from __future__ import annotations


from ..content.model import Span, Text
from ..errors import LeafletError
from ..languages import Language
from .fonts import FontLibrary, latin_size_factor
from .paragraph import ShapedParagraph
from ..lru import Shared

_SHAPED: dict = {}          # language -> Shared(spans -> ShapedParagraph), most recently used last
# The handout's title and subtitle are drawn at the layout's size whatever the script: they are
# large already, and the layouts' tight title pitches (measures.title_pitch) are meant for them.
AT_TYPE_SIZE = frozenset({"title", "subtitle"})
_LANGS_KEPT = 3             # a batch goes language by language: keep a few, free the rest
# Paragraphs kept per language: what documents share (a handout's content is a few hundred,
# the page furniture), and, on probation, what one document made (a clinic's contact, credit
# and name lines): a worker's memory stays flat however many clinics it builds.
PARAGRAPHS_KEPT = 4096
PARAGRAPHS_NEW = 512


class Typesetter:
    def __init__(self, lang: Language, fonts: FontLibrary, hyphenate: bool = False):
        """``hyphenate``: break words at the language's hyphenation points (off by default:
        patient text is easier to read unhyphenated; a layout with narrow panels may allow it)."""
        self.lang = lang
        self.rtl = lang.rtl
        self.stacks = {style: [fonts.get(n, lang.file) for n in names]
                       for style, names in lang.fonts.items()}
        # ``match_latin_size``: the script's fonts (those before the first with Latin letters)
        # drawn larger, by a factor measured from the regular fonts, so the script looks the
        # size of the Latin text beside it (dual-language sheets, English terms inside it).
        # Only the handout's own text is drawn larger: the press's strings (page furniture:
        # contact and credit lines, footers) and the title (AT_TYPE_SIZE) keep the tight
        # pitches their layouts give them.
        self.size_factor = latin_size_factor(self.stacks["regular"], lang.script) if lang.match_latin_size else 1.0
        self.plain = self.stacks
        if self.size_factor != 1.0:
            self.stacks = {}
            for style, stack in self.plain.items():
                k = next((i for i, f in enumerate(stack) if f.has("x")), len(stack))
                self.stacks[style] = [f.scaled(self.size_factor) for f in stack[:k]] + stack[k:]
        self.hyphenator = None
        if lang.hyphenation and hyphenate:
            try:
                import pyphen         # only a layout that hyphenates loads a dictionary
                self.hyphenator = pyphen.Pyphen(lang=lang.hyphenation, left=3, right=3)
            except KeyError:
                raise LeafletError(f"pyphen has no hyphenation dictionary {lang.hyphenation!r}",
                                   file=lang.file, key="hyphenation", hint="Use null") from None
        self.ascent = max(f.ascent for f in self.stacks["regular"])     # of the handout's text

    def shape(self, text: Text | tuple[Span, ...] | str, *, bold: bool = False,
              file: str | None = None, key: str | None = None, whole: tuple = (),
              hyphenate: bool = True) -> ShapedParagraph:
        """Shape inline text (content) or a plain string (never parsed as markup); no line
        ends inside any of the strings in ``whole``. Titles and headings (``bold``) and text
        shaped with ``hyphenate=False`` are never hyphenated, whatever the layout allows."""
        stacks = self.plain
        if isinstance(text, Text):
            spans, key = text.spans, key or text.key
            if text.key not in AT_TYPE_SIZE:
                stacks = self.stacks
        elif isinstance(text, str):
            spans = (Span(text, bold=bold),)
        else:
            spans = text
        if bold:
            spans = tuple(Span(s.text, True, s.italic, s.href) for s in spans)
        cache = self.lang.code + ("+hyphenated" if self.hyphenator else "") + ("+plain" if stacks is not self.stacks else "")
        per_lang = _SHAPED.pop(cache, None)
        if per_lang is None:
            per_lang = Shared(None, PARAGRAPHS_KEPT, PARAGRAPHS_NEW)
            while len(_SHAPED) >= _LANGS_KEPT:
                _SHAPED.pop(next(iter(_SHAPED)))
        _SHAPED[cache] = per_lang
        hyphenator = self.hyphenator if hyphenate and not bold else None
        ck = (spans, whole, hyphenator is None) if whole or (self.hyphenator and not hyphenator) else spans
        sp = per_lang.get(ck)
        if sp is None:
            try:
                sp = ShapedParagraph(spans, stacks, self.lang.code, self.rtl, hyphenator,
                                     self.lang.line_break == "keep-all", whole, self.lang.compress_punctuation)
            except LeafletError as exc:
                raise exc.located(file=file, key=key) from None
            per_lang.put(ck, sp)
        return sp
