"""Shaped paragraphs: itemise, shape, break and order text in any script.

Input: inline spans (content model), the language, font stacks. Output: a
:class:`ShapedParagraph` that is shaped once, in em units, independent of type size, and can
then be broken into lines for any width/size ratio (cached) and turned into visual-order glyph
pieces for drawing.

Steps: font per character (fallback stack) -> Unicode bidi levels (python-bidi) -> runs of
(font, level, style) -> HarfBuzz shaping (monotone grapheme clusters) -> line-break
opportunities by UAX #14 with ICU's dictionaries (Thai, Khmer) and CJK no-start/no-end rules
-> greedy filling with optional hyphenation (pyphen) -> per-line bidi reordering (rule L2).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from bisect import bisect_right
from itertools import accumulate

import uharfbuzz as hb
from bidi import algorithm as bidi_alg
from icu4py.breakers import LineBreaker

from ..content.model import Span
from .fonts import Font, choose_fonts

# CJK line-breaking rules (kinsoku): never start a line with these...
NO_START = set("，。、：；！？）」』】〕〉》｝］”’・…‥ー〜ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ%),.:;!?]}›»")
# ...and never end one with these.
NO_END = set("（「『【〔〈《｛［“‘([{‹«")
_SPACES = set(" \u3000\u00a0")
_RTL_CLASSES = {"R", "AL", "AN", "RLE", "RLO", "RLI"}


@dataclass(frozen=True)
class Style:
    bold: bool = False
    italic: bool = False
    href: str | None = None

    @property
    def key(self) -> str:
        return "bold" if self.bold else ("italic" if self.italic else "regular")


@dataclass
class Run:
    start: int
    end: int
    font: Font
    level: int
    style: int                      # index into ShapedParagraph.styles
    glyphs: list                    # (gid, cluster, x_advance, x_offset, y_offset), em units


@dataclass(frozen=True)
class Line:
    start: int
    end: int            # next line starts here
    vis_end: int        # end without trailing spaces
    width: float        # em
    hyphen: bool = False
    forced: bool = False  # a word had to be cut: it was wider than the column


@dataclass
class Piece:
    """A visual-order stretch of glyphs in one font and style."""
    font: Font
    style: Style
    rtl: bool
    glyphs: list        # (gid, x_advance, x_offset, y_offset) em
    clusters: list      # (first glyph index, glyph count, text, logical index) per cluster, visual order
    width: float


class ShapedParagraph:
    def __init__(self, spans: tuple[Span, ...], stacks: dict[str, list[Font]], lang: str,
                 rtl: bool, hyphenator=None, keep_all: bool = False, break_after: str = ""):
        self.text = "".join(s.text for s in spans)
        self.lang = lang
        self.rtl = rtl
        self.hyphenator = hyphenator
        self.styles: list[Style] = []
        style_of_char: list[int] = []
        for s in spans:
            st = Style(s.bold, s.italic, s.href)
            if st not in self.styles:
                self.styles.append(st)
            style_of_char.extend([self.styles.index(st)] * len(s.text))
        self.char_style = style_of_char
        # Fonts are chosen per style stack, span by span.
        fonts: list[Font] = []
        pos = 0
        for s in spans:
            fonts.extend(choose_fonts(s.text, stacks[Style(s.bold, s.italic).key]))
            pos += len(s.text)
        self.char_font = fonts
        self.levels = bidi_levels(self.text, rtl)
        self.runs = self._shape()
        adv = [0.0] * len(self.text)
        for run in self.runs:
            for gid, cl, ax, dx, dy in run.glyphs:
                adv[cl] += ax
        self.prefix = [0.0, *accumulate(adv)]
        # A line may only end where a glyph cluster ends (a mark after a space stays with it).
        starts = {g[1] for run in self.runs for g in run.glyphs} | {len(self.text)}
        self.cluster_starts = sorted(starts)
        self.breaks = [b for b in break_opportunities(self.text, lang, keep_all, break_after)
                       if b in starts]
        self._line_cache: dict = {}      # width, or (width, start) -> lines
        self._piece_cache: dict[Line, list[Piece]] = {}

    # -- shaping -------------------------------------------------------------------------
    def _shape(self) -> list[Run]:
        runs: list[Run] = []
        n = len(self.text)
        start = 0
        for i in range(1, n + 1):
            if i == n or (self.char_font[i], self.levels[i], self.char_style[i]) != \
                    (self.char_font[start], self.levels[start], self.char_style[start]):
                runs.append(self._shape_run(start, i))
                start = i
        return runs

    def _shape_run(self, start: int, end: int) -> Run:
        font, level = self.char_font[start], self.levels[start]
        buf = hb.Buffer()
        buf.cluster_level = hb.BufferClusterLevel.MONOTONE_GRAPHEMES
        # Give HarfBuzz the whole paragraph as context so joining and marks are right at run edges.
        buf.add_str(self.text, start, end - start)
        buf.direction = "rtl" if level % 2 else "ltr"
        buf.guess_segment_properties()
        buf.direction = "rtl" if level % 2 else "ltr"
        buf.language = self.lang
        hb.shape(font.hb, buf, {"dlig": False})
        upem = font.upem
        glyphs = [(info.codepoint, info.cluster, pos.x_advance / upem, pos.x_offset / upem,
                   pos.y_offset / upem)
                  for info, pos in zip(buf.glyph_infos, buf.glyph_positions)]
        return Run(start, end, font, level, self.char_style[start], glyphs)

    # -- measuring and breaking ---------------------------------------------------------------
    def width(self, a: int, b: int) -> float:
        return self.prefix[b] - self.prefix[a]

    def min_width(self) -> float:
        """Width of the widest unbreakable piece, in em."""
        best, prev = 0.0, 0
        for b in self.breaks + [len(self.text)]:
            best = max(best, self.width(prev, self._trim(prev, b)))
            prev = b
        return best

    def _trim(self, a: int, b: int) -> int:
        while b > a and self.text[b - 1] in _SPACES:
            b -= 1
        return b

    def lines(self, width: float, start: int = 0) -> list[Line]:
        """Break into lines no wider than ``width`` em (greedy, first fit), from text position
        ``start`` (where a paragraph split across columns resumes, whatever the new width)."""
        width = round(width, 4)
        key = width if start == 0 else (width, start)
        cached = self._line_cache.get(key)
        if cached is None:
            cached = self._line_cache[key] = self._break(width, start)
        return cached

    def _break(self, width: float, start: int = 0) -> list[Line]:
        n = len(self.text)
        ends = [b for b in self.breaks if b > 0] + [n]
        lines: list[Line] = []
        k = 0
        eps = 1e-6
        while start < n:
            while k < len(ends) and ends[k] <= start:
                k += 1
            best = None
            while k < len(ends):
                e = ends[k]
                if self.width(start, self._trim(start, e)) <= width + eps:
                    best = e
                    k += 1
                else:
                    break
            if best is None:
                # The next word alone is too wide: hyphenate it, or cut it as a last resort.
                e = ends[k]
                line = self._hyphenate(start, e, width) or self._force(start, e, width)
            else:
                line = None
                vis = self._trim(start, best)
                room = width - self.width(start, vis)
                if k < len(ends) and self.hyphenator and room > 0.2 * width:
                    line = self._hyphenate(start, ends[k], width, word_from=best)
                if line is None:
                    line = Line(start, best, vis, self.width(start, vis))
            lines.append(line)
            start = line.end
        return lines

    def _hyphen_glyph(self, font: Font):
        if font._hyphen is None:
            gid = font.hb.get_nominal_glyph(0x2010) or font.hb.get_nominal_glyph(0x2D) or 0
            font._hyphen = (gid, font.advance(gid))
        return font._hyphen

    def _hyphenate(self, start: int, end: int, width: float, word_from: int | None = None) -> Line | None:
        if not self.hyphenator:
            return None
        ws = start if word_from is None else word_from
        we = self._trim(ws, end)
        word = self.text[ws:we]
        core = word.rstrip(".,;:!?)\"'”’»")
        if len(core) < 6 or not core.isalpha():
            return None
        for pos in sorted(self.hyphenator.positions(core), reverse=True):
            cut = ws + pos
            _, hw = self._hyphen_glyph(self.char_font[cut - 1])
            w = self.width(start, cut) + hw
            if w <= width:
                return Line(start, cut, cut, w, hyphen=True)
        return None

    def _force(self, start: int, end: int, width: float) -> Line:
        """A word wider than the column: cut it at the last cluster boundary that fits (at least
        one whole cluster per line, so nothing is ever split inside a cluster or lost)."""
        i = bisect_right(self.cluster_starts, start)
        cut = self.cluster_starts[i] if i < len(self.cluster_starts) else end
        for p in self.cluster_starts[i + 1:]:
            if p > end or self.width(start, p) > width:
                break
            cut = p
        vis = self._trim(start, cut)
        return Line(start, cut, vis, self.width(start, vis), forced=True)

    # -- visual order ---------------------------------------------------------------------
    def pieces(self, line: Line) -> list[Piece]:
        """Glyph pieces of a line in visual (left-to-right drawing) order (cached per line)."""
        got = self._piece_cache.get(line)
        if got is None:
            got = self._piece_cache[line] = self._pieces(line)
        return got

    def _pieces(self, line: Line) -> list[Piece]:
        a, b = line.start, line.vis_end
        out: list[tuple[int, Piece]] = []
        for run in self.runs:
            if run.end <= a or run.start >= b:
                continue
            lo, hi = max(a, run.start), min(b, run.end)
            glyphs = [g for g in run.glyphs if lo <= g[1] < hi]
            if not glyphs:
                continue
            out.append((run.level, self._piece(run, glyphs, lo, hi)))
        if line.hyphen and out:
            # The hyphen goes after the last logical character, in that character's run.
            font = self.char_font[line.end - 1]
            gid, adv = self._hyphen_glyph(font)
            level = self.levels[line.end - 1]
            hy = Piece(font, self.styles[self.char_style[line.end - 1]], bool(level % 2),
                       [(gid, adv, 0.0, 0.0)], [(0, 1, "-", line.end)], adv)
            out.append((level, hy))
        if not out:
            return []
        levels = [lv for lv, _ in out]
        items = [p for _, p in out]
        # Rule L2: reverse every maximal sequence at level >= k, from the highest level down.
        top = max(levels)
        low_odd = min((lv for lv in levels if lv % 2), default=top + 1)
        for k in range(top, low_odd - 1, -1):
            i = 0
            while i < len(items):
                if levels[i] >= k:
                    j = i
                    while j < len(items) and levels[j] >= k:
                        j += 1
                    items[i:j] = items[i:j][::-1]
                    levels[i:j] = levels[i:j][::-1]
                    i = j
                else:
                    i += 1
        return items

    def _piece(self, run: Run, glyphs: list, lo: int, hi: int) -> Piece:
        starts = sorted({g[1] for g in glyphs})
        end_of = {c: (starts[i + 1] if i + 1 < len(starts) else hi) for i, c in enumerate(starts)}
        out, clusters = [], []
        width = 0.0
        prev = None
        for gid, cl, ax, dx, dy in glyphs:
            if cl != prev:
                clusters.append([len(out), 0, self.text[cl:end_of[cl]], cl])
                prev = cl
            clusters[-1][1] += 1
            out.append((gid, ax, dx, dy))
            width += ax
        rtl = bool(run.level % 2)
        # A cluster drawn with no advance (Naskh's alef over a lam, for instance) sits on top of
        # its visual neighbour: give both one piece of text, so extraction keeps the letters in
        # order instead of guessing between two glyphs at the same spot.
        merged: list = []
        for c in clusters:
            if merged and merged[-1][3]:
                prev = merged.pop()
                text = c[2] + prev[2] if rtl else prev[2] + c[2]
                c = [prev[0], prev[1] + c[1], text, min(c[3], prev[4])]
            adv = sum(g[1] for g in out[c[0]:c[0] + c[1]])
            merged.append([c[0], c[1], c[2], adv == 0 and c[2].strip() != "", c[3]])
        if len(merged) > 1 and merged[-1][3]:
            last = merged.pop()
            prev = merged.pop()
            merged.append([prev[0], prev[1] + last[1], last[2] + prev[2] if rtl else prev[2] + last[2],
                           False, min(prev[4], last[4])])
        return Piece(run.font, self.styles[run.style], rtl, out,
                     [(c[0], c[1], c[2], c[4]) for c in merged], width)


def bidi_levels(text: str, rtl: bool) -> list[int]:
    """Unicode bidi embedding levels per character (UAX #9, rules up to I2)."""
    base = 1 if rtl else 0
    if not rtl and not any(unicodedata.bidirectional(c) in _RTL_CLASSES for c in text):
        return [0] * len(text)
    storage = bidi_alg.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = "R" if rtl else "L"
    bidi_alg.get_embedding_levels(text, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["idx"] = i
    bidi_alg.explicit_embed_and_overrides(storage)
    bidi_alg.resolve_weak_types(storage)
    bidi_alg.resolve_neutral_types(storage, False)
    bidi_alg.resolve_implicit_levels(storage, False)
    levels = [None] * len(text)
    for ch in storage["chars"]:
        levels[ch["idx"]] = ch["level"]
    prev = base
    for i, lv in enumerate(levels):     # characters removed by rule X9 take their neighbour's level
        if lv is None:
            levels[i] = prev
        prev = levels[i]
    # Rule L1: trailing whitespace goes back to the paragraph level.
    i = len(text) - 1
    while i >= 0 and text[i] in _SPACES:
        levels[i] = base
        i -= 1
    return levels


@lru_cache(maxsize=4096)
def _icu_breaks(text: str, locale: str) -> tuple[int, ...]:
    out, pos = [], 0
    for seg in LineBreaker(text, locale):
        pos += len(seg)
        out.append(pos)
    return tuple(out[:-1])


def break_opportunities(text: str, lang: str, keep_all: bool = False,
                        break_after: str = "") -> list[int]:
    """Positions where a line may end (UAX #14 via ICU, plus CJK no-start/no-end rules).
    ``keep_all`` keeps words whole (breaks only after spaces and hyphens), as Korean is set.
    ``break_after`` (from the language file) adds breaks after those characters when a word
    follows directly (the Ethiopic full stop ።, which Unicode classes as a letter for breaking)."""
    found = set(_icu_breaks(text, lang.replace("-", "_")))
    if break_after:
        found.update(p for p in range(1, len(text)) if text[p - 1] in break_after
                     and not text[p].isspace() and unicodedata.category(text[p])[0] != "M")
    out = []
    for p in sorted(found):
        if text[p] in NO_START or text[p - 1] in NO_END:
            continue
        if keep_all and not (text[p - 1].isspace() or text[p - 1] in "-‐/"):
            continue
        out.append(p)
    return out
