"""Shaped paragraphs: itemise, shape, break and order text in any script.

Input: inline spans (content model), the language, font stacks. Output: a
:class:`ShapedParagraph` that is shaped once, in em units, independent of type size, and can
then be broken into lines for any width/size ratio (cached) and turned into visual-order glyph
pieces for drawing.

Steps: font per character (fallback stack) -> Unicode bidi levels (UAX #9, bidi.py) -> runs of
(font, level, style) -> HarfBuzz shaping (monotone grapheme clusters) -> line-break
opportunities by UAX #14 with ICU's dictionaries (Thai, Khmer) and CJK no-start/no-end rules
-> greedy filling with optional hyphenation (pyphen) -> per-line bidi reordering (rule L2).
Also: full-width punctuation set half-width (``compress``), lines justified to a width
(``justify``: room added between characters or at spaces, positions only) and balanced lines
for titles and headings (``balanced``).
An isolated run (LRI/RLI/FSI ... PDI: a phone number, an address, an English term) is kept on
one line when it fits on one; bidi controls are never drawn and never extracted.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import MISSING, dataclass, fields, replace
from functools import lru_cache
from bisect import bisect_left, bisect_right
from itertools import accumulate

import uharfbuzz as hb
from icu4py.breakers import LineBreaker

from ..content.model import Span
from . import bidi
from .fonts import Font, choose_fonts, is_ignorable, latin_font

# CJK line-breaking rules (kinsoku): never start a line with these...
NO_START = set("，。、：；！？）」』】〕〉》｝］”’・…‥ー〜ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ%),.:;!?]}›»")
# ...and never end one with these.
NO_END = set("（「『【〔〈《｛［“‘([{‹«")
_SPACES = set(" \u3000\u00a0")
# Phone numbers (at least 7 digits), web and e-mail addresses: a patient copies them whole, so a
# line never ends inside one (a token wider than the column is cut, with a warning).
# Each part is bounded (a domain label is at most 63 characters, as in DNS) and a match starts only
# at the start of a token, so a long unbroken word is scanned in linear time, not quadratic.
UNBREAKABLE = re.compile(r"(?<![\w.+-])(?:\+?\(?\d[\d ()\-./\u00a0]{5,40}\d"
                         r"|(?:https?://)?(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,63}(?:/[A-Za-z0-9\-._~/%?#=&]{0,200}[A-Za-z0-9/])?"
                         r"|[A-Za-z0-9._+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,63})")


# Full-width punctuation that may be set half-width (JLREQ/CLREQ: brackets and quotes, commas,
# full stops, middle dots, colons; not ! or ?): how much of it is blank, on which side, is
# measured from the font's own half-width forms (OpenType ``halt``), so Traditional Chinese
# (centred punctuation) and Japanese (punctuation on the left) each get their font's answer.
_HALF_WIDTH_OK = frozenset("、。，．・：；")
_JUSTIFY_MODES = ("none", "inter-character", "inter-word")
# At most this much room (em) is added at one gap: readers (poppler, pdf.js) take a gap of a
# tenth of an em between two characters as a word break and would read a space into the text.
# A line that would need more (a long Latin term kept whole) stays ragged.
MAX_JUSTIFY_GAP = 0.08


def _compressible(ch: str) -> bool:
    return ch in _HALF_WIDTH_OK or unicodedata.category(ch) in ("Ps", "Pe", "Pi", "Pf")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def has_cjk(text: str) -> bool:
    """Whether ``text`` has kana or a Han character (U+3040-30FF, 3400-4DBF, 4E00-9FFF,
    F900-FAFF), asked of its distinct characters: a character class of these ranges cost 2 ms to
    compile (``re`` expands it code point by code point) in every process that asked."""
    return max(text, default="\0") >= "\u3040" and any(
        "\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u4dbf" or "\u4e00" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"
        for c in set(text))


def _find_all(text: str, part: str) -> list[int]:
    out, i = [], text.find(part)
    while i >= 0:
        out.append(i)
        i = text.find(part, i + 1)
    return out


@lru_cache(maxsize=4096)
def unbreakable(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of ``text`` no line may end inside (see UNBREAKABLE)."""
    return tuple(m.span() for m in UNBREAKABLE.finditer(text)
            if not m.group()[0].isdigit() and m.group()[0] not in "+(" or sum(c.isdigit() for c in m.group()) >= 7)


_STRONG = frozenset(("L", "R", "AL", "EN", "AN"))


@dataclass(frozen=True)
class Style:
    """An inline style: bold, italic, or a link."""
    bold: bool = False
    italic: bool = False
    href: str | None = None

    @property
    def key(self) -> str:
        return "bold" if self.bold else ("italic" if self.italic else "regular")


@dataclass
class Run:
    """A stretch of a paragraph shaped with one font, bidi level and style: its glyphs."""
    start: int
    end: int
    font: Font
    level: int
    style: int                      # index into ShapedParagraph.styles
    glyphs: list                    # (gid, cluster, x_advance, x_offset, y_offset), em units


MAX_HYPHENATE = 64     # longer "words" (no break opportunity) are cut, not looked up


@dataclass(frozen=True)
class Line:
    """One line of a paragraph: where it starts and ends in the text, its width, how it ends."""
    start: int
    end: int            # next line starts here
    vis_end: int        # end without trailing spaces
    width: float        # em
    hyphen: bool = False
    forced: bool = False  # a word had to be cut: it was wider than the column
    fill: float = 0.0     # em spread over the line's gaps to justify it (see justify())
    justify: str = "none"  # how: "inter-character" (CJK) or "inter-word" (at spaces)

    def __hash__(self) -> int:
        """The generated hash (of the fields), worked out once: a line is looked up (its pieces,
        its ink) many times."""
        got = self.__dict__.get("_hash")
        if got is None:
            got = self.__dict__["_hash"] = hash((self.start, self.end, self.vis_end, self.width, self.hyphen,
                                                 self.forced, self.fill, self.justify))
        return got

    def __getstate__(self) -> dict:
        """The fields without the kept hash (a string's hash differs between processes)."""
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}


_new = object.__new__
_LINE_DEFAULTS = {f.name: f.default for f in fields(Line) if f.default is not MISSING}


def _plain_line(start: int, end: int, vis_end: int, width: float) -> Line:
    """``Line(start, end, vis_end, width)``, the same object, made without the frozen
    dataclass's field-by-field ``__init__`` (the line breaker's hot path)."""
    ln = _new(Line)
    d = ln.__dict__
    d["start"], d["end"], d["vis_end"], d["width"] = start, end, vis_end, width
    d.update(_LINE_DEFAULTS)
    return ln


@dataclass
class Piece:
    """A visual-order stretch of glyphs in one font and style."""
    font: Font
    style: Style
    rtl: bool
    glyphs: tuple       # (gid, x_advance, x_offset, y_offset) em
    clusters: tuple     # (first glyph index, glyph count, text, logical index) per cluster, visual order
    width: float


UNBOUNDED = 10 ** 6      # a column width (em) no text reaches: one line


class ShapedParagraph:
    def __init__(self, spans: tuple[Span, ...], stacks: dict[str, list[Font]], lang: str,
                 rtl: bool, hyphenator=None, keep_all: bool = False, whole: tuple = (),
                 break_after: str = "", compress: bool = False):
        """``compress``: full-width punctuation is set half-width between punctuation and at
        the start and end of a line (the blank half of its em square removed)."""
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
        self.controls = _has_control(self.text)     # any bidi control at all (most text has none)
        self.isolated = isolated_spans(self.text)
        for a, b in self.isolated:
            self._latin_fonts(a, b, stacks)
        self.runs = self._shape()
        self.trims: dict[int, tuple[float, float]] = {}   # char -> (left, right) em it may lose
        if compress:
            self._compress()
        adv = [0.0] * len(self.text)
        for run in self.runs:
            for gid, cl, ax, dx, dy in run.glyphs:
                adv[cl] += ax
        self.prefix = [0.0, *accumulate(adv)]
        # A line may only end where a glyph cluster ends (a mark after a space stays with it).
        starts = {g[1] for run in self.runs for g in run.glyphs} | {len(self.text)}
        if self.controls:               # a line may end before an (undrawn) bidi control
            starts |= {i for i, ch in enumerate(self.text) if ch in bidi.CONTROLS}
        self.cluster_starts = sorted(starts)
        breaks = [b for b in break_opportunities(self.text, lang, keep_all, break_after) if b in starts]
        # Inside an isolated run, and inside a string kept whole (a clinic's name in a footer),
        # breaks are a last resort (the run alone is wider than a line).
        kept = list(self.isolated) + [(i, i + len(w)) for w in whole if w for i in _find_all(self.text, w)]
        inside = {b for b in breaks for a, e in kept if a < b < e}
        self.breaks = [b for b in breaks if b not in inside]
        self.fallback_breaks = sorted(inside)
        self._line_cache: dict = {}      # width, or (width, start) -> lines
        self._piece_cache: dict[Line, list[Piece]] = {}

    def _latin_fonts(self, a: int, b: int, stacks: dict) -> None:
        """A left-to-right isolate of Latin data (a phone number, an address, a website) is set
        in the first font of the stack that has Latin letters: its digits and signs then match
        its letters instead of taking the script font's own (Naskh's "+1" next to Noto Sans)."""
        if self.text[a] != bidi.LRI or not bidi.STRONG_RTL.isdisjoint(map(bidi.bidi_class, self.text[a:b])):
            return
        for i in range(a + 1, b - 1):
            ch = self.text[i]
            if ch.isalpha() or ch in bidi.CONTROLS or is_ignorable(ch):
                continue
            latin = latin_font(ch, stacks[self.styles[self.char_style[i]].key])
            if latin is not None:
                self.char_font[i] = latin

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

    def _compress(self) -> None:
        """Half-width punctuation: measure each full-width punctuation glyph's blank sides from
        the font's ``halt`` forms, and take out the blank between two adjacent punctuation marks
        (the first one's trailing blank, else the second one's leading blank: "。」" and "）。"
        leave no double gap, "」「" a half em). The trims left over apply at line edges."""
        where: dict[int, tuple[Run, int]] = {}
        for run in self.runs:
            idx = [k for k, g in enumerate(run.glyphs) if _compressible(self.text[g[1]])]
            if not idx:
                continue
            half = self._shape_run(run.start, run.end, {"halt": True}).glyphs
            if [g[:2] for g in half] != [g[:2] for g in run.glyphs]:
                continue        # halt changed more than positions: leave this run alone
            per_cluster: dict[int, int] = {}
            for g in run.glyphs:
                per_cluster[g[1]] = per_cluster.get(g[1], 0) + 1
            for k in idx:
                _, cl, ax, dx, _ = run.glyphs[k]
                if per_cluster[cl] != 1 or cl + 1 < len(self.text) and \
                        unicodedata.category(self.text[cl + 1]).startswith("M"):
                    continue
                left = dx - half[k][3]
                right = (ax - half[k][2]) - left
                if left > 1e-6 or right > 1e-6:
                    self.trims[cl] = (max(left, 0.0), max(right, 0.0))
                    where[cl] = (run, k)
        for a in sorted(self.trims):
            b = a + 1
            if b not in self.trims:
                continue
            (la, ra), (lb, rb) = self.trims[a], self.trims[b]
            if ra > 0:
                run, k = where[a]
                gid, cl, ax, dx, dy = run.glyphs[k]
                run.glyphs[k] = (gid, cl, ax - ra, dx, dy)
                self.trims[a] = (la, 0.0)
            elif lb > 0:
                run, k = where[b]
                gid, cl, ax, dx, dy = run.glyphs[k]
                run.glyphs[k] = (gid, cl, ax - lb, dx - lb, dy)
                self.trims[b] = (0.0, rb)

    def _edges(self, a: int, vis: int) -> float:
        """Em a line from ``a`` to ``vis`` loses at its edges (half-width punctuation)."""
        if not self.trims or vis <= a:
            return 0.0
        return self.trims.get(a, (0.0, 0.0))[0] + self.trims.get(vis - 1, (0.0, 0.0))[1]

    def _shape_run(self, start: int, end: int, features: dict | None = None) -> Run:
        font, level = self.char_font[start], self.levels[start]
        buf = hb.Buffer()
        buf.cluster_level = hb.BufferClusterLevel.MONOTONE_GRAPHEMES
        # Give HarfBuzz the whole paragraph as context so joining and marks are right at run edges.
        buf.add_str(self.text, start, end - start)
        buf.direction = "rtl" if level % 2 else "ltr"
        buf.guess_segment_properties()
        buf.direction = "rtl" if level % 2 else "ltr"
        buf.language = self.lang
        hb.shape(font.hb, buf, {"dlig": False, **(features or {})})
        em = font.em        # font units per em of the type size (a scaled font draws larger)
        glyphs = [(info.codepoint, info.cluster, pos.x_advance / em, pos.x_offset / em,
                   pos.y_offset / em)
                  for info, pos in zip(buf.glyph_infos, buf.glyph_positions)]
        if self.controls and _has_control(self.text[start:end]):     # bidi controls are invisible: not drawn
            starts = sorted({g[1] for g in glyphs}) + [end]
            nxt = dict(zip(starts, starts[1:]))
            glyphs = [g for g in glyphs
                      if not all(ch in bidi.CONTROLS for ch in self.text[g[1]:nxt[g[1]]])]
        return Run(start, end, font, level, self.char_style[start], glyphs)

    # -- measuring and breaking ---------------------------------------------------------------
    def width(self, a: int, b: int) -> float:
        return self.prefix[b] - self.prefix[a]

    def one_line(self) -> Line:
        """The paragraph set on one line (no width limit)."""
        return self.lines(UNBOUNDED)[0]

    def natural_width(self) -> float:
        """Width of the paragraph set on one line, in em (0 for no text)."""
        return max((ln.width for ln in self.lines(UNBOUNDED)), default=0.0)

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
        ends = self.__dict__.get("_ends")      # where a line may end: the same at every width
        if ends is None:
            ends = self._ends = [b for b in self.breaks if b > 0] + [n]
        lines: list[Line] = []
        k = 0
        eps = 1e-6
        text, prefix, trims, limit, m = self.text, self.prefix, self.trims, width + eps, len(ends)
        spaces, hyphenate, append = _SPACES, self.hyphenator, lines.append
        while start < n:
            while k < m and ends[k] <= start:
                k += 1
            best = None
            at = prefix[start]
            while k < m:        # (as width(), _trim() and _edges() give it, inline: the hot loop)
                e = vis = ends[k]
                while vis > start and text[vis - 1] in spaces:
                    vis -= 1
                raw = prefix[vis] - at
                w = raw - self._edges(start, vis) if trims else raw
                if w <= limit:
                    best, best_vis, best_w = e, vis, raw    # (its _trim and width, as just found)
                    k += 1
                else:
                    break
            if best is None:
                # The next word alone is too wide: break inside an isolated run, hyphenate it,
                # or cut it as a last resort.
                e = ends[k]
                line = self._inside_isolate(start, e, width) or self._hyphenate(start, e, width) \
                    or self._force(start, e, width)
            else:
                line = None
                if k < m and hyphenate and width - best_w > 0.2 * width:
                    line = self._hyphenate(start, ends[k], width, word_from=best)
                if line is None:
                    line = _plain_line(start, best, best_vis, best_w)
            append(line)
            start = line.end
        lines = self._no_short_cjk_tail(lines, width)
        if self.trims:
            lines = [ln if ln.hyphen else replace(ln, width=self.width(ln.start, ln.vis_end)
                                                   - self._edges(ln.start, ln.vis_end)) for ln in lines]
        return lines

    def balanced(self, width: float) -> list[Line]:
        """Lines for a title or heading: as many as filling ``width`` em gives, but as even as
        they can be (the narrowest width that still gives that many lines), so a two-line title
        is not one long line and an orphan word. Never hyphenated: a width that needs a cut or a
        hyphen is not taken. Any script: only the width given to the line breaker changes."""
        width = round(width, 4)
        key = ("balanced", width)
        got = self._line_cache.get(key)
        if got is None:
            got = self._line_cache[key] = self._balance(width)
        return got

    def _balance(self, width: float) -> list[Line]:
        lines = self.lines(width)
        n = len(lines)
        if n < 2 or any(ln.forced or ln.hyphen for ln in lines):
            return lines
        lo, hi = max(self.min_width(), sum(ln.width for ln in lines) / n) - 1e-3, width
        best = lines
        for _ in range(16):         # to a thousandth of the width
            if hi - lo < width / 1000:
                break
            mid = (lo + hi) / 2
            got = self._break(mid)
            if len(got) <= n and not any(ln.forced or ln.hyphen for ln in got):
                hi, best = mid, got
            else:
                lo = mid
        return best

    def justify(self, line: Line, width: float, mode: str) -> Line:
        """The line set to ``width`` em, its spare room spread evenly between characters
        ("inter-character": at every gap next to a wide (CJK) character) or at word spaces
        ("inter-word"). The last line of the paragraph, a line with a cut word and a line with
        nowhere to spread stay as they are. Only positions change: no character is added."""
        if mode not in _JUSTIFY_MODES:
            raise ValueError(f"unknown justification {mode!r}")
        n = len(self.text)
        if mode == "none" or line.forced or line.end >= n or not self.text[line.end:].strip():
            return line
        slack = width - line.width
        gaps = self._gaps(line, mode) if slack > 1e-6 else []
        if not gaps or (mode == "inter-character" and slack / len(gaps) > MAX_JUSTIFY_GAP):
            return line
        return replace(line, width=width, fill=slack, justify=mode)

    def _gaps(self, line: Line, mode: str) -> list[int]:
        """Clusters after which a justified line gets extra room."""
        cls = [c for c in self._drawn() if line.start <= c < line.vis_end]
        if mode == "inter-word":
            return [c for c in cls if self.text[c] in _SPACES]
        return [c for c, d in zip(cls, cls[1:]) if _wide(self.text[c]) or _wide(self.text[d])
                or self.text[c] in _SPACES]

    def _drawn(self) -> list[int]:
        got = getattr(self, "_drawn_clusters", None)
        if got is None:
            got = self._drawn_clusters = sorted({g[1] for run in self.runs for g in run.glyphs})
        return got

    def _no_short_cjk_tail(self, lines: list[Line], width: float) -> list[Line]:
        """A CJK paragraph never ends with a line of one or two characters: the line before
        gives up characters (at its break opportunities) until the last line has three."""
        if len(lines) < 2 or lines[-2].hyphen or lines[-2].forced:
            return lines
        prev, last = lines[-2], lines[-1]
        tail = self.text[last.start:last.vis_end].strip()
        if not (0 < len(tail) <= 2 and has_cjk(self.text)):
            return lines
        n = len(self.text)
        for b in reversed([b for b in self.breaks if prev.start < b < prev.end]):
            if len(self.text[b:n].strip()) < 3:
                continue
            vis, lvis = self._trim(prev.start, b), self._trim(b, n)
            if self.width(b, lvis) > width + 1e-6:
                break
            if len(self.text[prev.start:vis].strip()) < 3:
                break
            return lines[:-2] + [Line(prev.start, b, vis, self.width(prev.start, vis)),
                                 Line(b, last.end, lvis, self.width(b, lvis))]
        return lines

    def _inside_isolate(self, start: int, end: int, width: float) -> Line | None:
        """An isolated run wider than the line: break it after the last comma that fits (an
        address keeps "street, city" together), else at the last break that fits."""
        best = comma = None
        for b in self.fallback_breaks:
            if b <= start:
                continue
            if b >= end or self.width(start, self._trim(start, b)) > width + 1e-6:
                break
            best = b
            if self.text[self._trim(start, b) - 1] in ",;،؛、，":
                comma = b
        best = comma or best
        if best is None:
            return None
        vis = self._trim(start, best)
        return Line(start, best, vis, self.width(start, vis))

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
        if we - ws > MAX_HYPHENATE:
            return None         # not a word a dictionary knows: cut it (bounded work per line)
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
        starts = self.cluster_starts
        i = bisect_right(starts, start)
        cut = starts[i] if i < len(starts) else end
        # The widest cut that fits, by bisection on the prefix widths: no work in the rest of
        # the word, so a 60,000-character word costs what its lines cost.
        hi = bisect_right(starts, end, lo=i + 1)
        lo = i + 1
        limit = self.prefix[start] + width
        while lo < hi:
            mid = (lo + hi) // 2
            if self.prefix[starts[mid]] > limit:
                hi = mid
            else:
                lo = mid + 1
        if lo - 1 >= i + 1:
            cut = starts[lo - 1]
        vis = self._trim(start, cut)
        return Line(start, cut, vis, self.width(start, vis), forced=True)

    # -- visual order ---------------------------------------------------------------------
    def forget_pieces(self) -> None:
        """Drop the cached pieces of every line (and what the inspector and the PDF writer keep
        on them, and what drawing keeps on its runs); they are made again if asked for."""
        self._piece_cache.clear()
        for run in self.runs:
            run.__dict__.pop("_drawn", None)
            run.__dict__.pop("_keys", None)

    def pieces(self, line: Line) -> list[Piece]:
        """Glyph pieces of a line in visual (left-to-right drawing) order (cached per line)."""
        got = self._piece_cache.get(line)
        if got is None:
            got = self._piece_cache[line] = self._pieces(line)
        return got

    def _pieces(self, line: Line) -> list[Piece]:
        a, b = line.start, line.vis_end
        out: list[tuple[int, Piece]] = []
        extra: dict[int, float] = {}
        if line.fill:
            gaps = self._gaps(line, line.justify)
            extra = dict.fromkeys(gaps, line.fill / len(gaps))
        for run in self.runs:
            if run.end <= a or run.start >= b:
                continue
            lo, hi = max(a, run.start), min(b, run.end)
            i, j = _span(run, lo, hi)
            if i is None:
                glyphs = [g for g in run.glyphs if lo <= g[1] < hi]
                drawn = _as_drawn(glyphs)
            else:
                glyphs, drawn = run.glyphs[i:j], _drawn_glyphs(run)[i:j]
            if not glyphs:
                continue
            if self.trims or extra:
                glyphs = self._spaced(glyphs, a, b, extra, bool(run.level % 2))
                drawn = _as_drawn(glyphs)
            out.append((run.level, self._piece(run, glyphs, drawn, lo, hi)))
        if line.hyphen and out:
            # The hyphen goes after the last logical character, in that character's run.
            font = self.char_font[line.end - 1]
            gid, adv = self._hyphen_glyph(font)
            level = self.levels[line.end - 1]
            hy = Piece(font, self.styles[self.char_style[line.end - 1]], bool(level % 2),
                       ((gid, adv, 0.0, 0.0),), ((0, 1, "-", line.end),), adv)
            out.append((level, hy))
        if not out:
            return []
        return [out[k][1] for k in bidi.reorder([lv for lv, _ in out])]

    def _spaced(self, glyphs: list, a: int, b: int, extra: dict, rtl: bool) -> list:
        """A run's glyphs on a line from ``a`` to ``b``: half-width punctuation at the line's
        edges, and the justification room after each gap's cluster (on the cluster's last
        glyph in reading order)."""
        first = self.trims.get(a, (0.0, 0.0))[0]
        last = self.trims.get(b - 1, (0.0, 0.0))[1] if b > a else 0.0
        seen: set = set()
        lead = next((i for i, g in enumerate(glyphs) if g[1] == a), -1)
        out = []
        order = range(len(glyphs) - 1, -1, -1) if not rtl else range(len(glyphs))
        for k in order:             # the cluster's last glyph in reading order comes first here
            gid, cl, ax, dx, dy = glyphs[k]
            if cl not in seen:
                seen.add(cl)
                ax += extra.get(cl, 0.0)
                if cl == b - 1:
                    ax -= last
            if k == lead:
                ax -= first
                dx -= first
            out.append((gid, cl, ax, dx, dy))
        return out[::-1] if not rtl else out

    def _marked(self, start: int, end: int, text: str) -> str:
        """A bracket or sign in right-to-left text, with the mark that tells text extraction
        which side it belongs to. Extractors (poppler) guess the direction of neutral characters
        from their neighbours on the page: a bracket closing a left-to-right run would be read
        into the right-to-left text around it, and one that closes right-to-left text after a
        Latin term into the term ("( .)IR"). An LRM after the first, an RLM before the second
        (both invisible) give the run back in its typed order."""
        if _has_strong(text):
            return text
        n = len(self.text)
        if not text.strip():
            # A space between two left-to-right runs of a right-to-left line (two English
            # sentences in Arabic text) keeps them apart, in their right-to-left order.
            if self.levels[start] % 2:
                prv = next((i for i in range(start - 1, -1, -1) if self.text[i] not in bidi.CONTROLS), None)
                nxt = next((i for i in range(end, n) if self.text[i] not in bidi.CONTROLS), None)
                if prv is not None and nxt is not None and self.levels[prv] % 2 == 0 \
                        and self.levels[nxt] % 2 == 0:
                    return bidi.RLM + text
            return text
        if self.levels[start] % 2 == 0:
            nxt = next((i for i in range(end, n) if self.text[i] not in bidi.CONTROLS), None)
            if nxt is None or self.levels[nxt] % 2:
                return text + bidi.LRM
        else:
            prv = next((i for i in range(start - 1, -1, -1)
                        if self.text[i] not in bidi.CONTROLS and self.text[i] not in _SPACES), None)
            if prv is not None and self.levels[prv] % 2 == 0 and bidi.bidi_class(self.text[prv]) in _STRONG:
                return bidi.RLM + text
        return text

    def _piece(self, run: Run, glyphs: list, drawn: list, lo: int, hi: int) -> Piece:
        """A piece of ``run``: its ``glyphs`` (as shaped, with their clusters) and ``drawn``
        (the same as (gid, x_advance, x_offset, y_offset)), for the characters ``lo`` to ``hi``."""
        n = len(glyphs)
        if n == hi - lo and not self.controls and not self.rtl and glyphs[0][1] == lo and glyphs[-1][1] == hi - 1:
            # One glyph for each character, in order, each drawn with an advance (most pieces of
            # a left-to-right paragraph): each cluster is its glyph and its character, with
            # nothing to merge -- what the general path below gives, made in one pass.
            cls = [g[1] for g in glyphs]
            if cls == list(range(lo, hi)):
                advs = [d[1] for d in drawn]
                if 0 not in advs:
                    width = 0.0     # (a loop, added as _clustered adds: from Python 3.12 sum() of floats
                    for a in advs:  # rounds differently, and the widths would move the PDFs' bytes)
                        width += a
                    return Piece(run.font, self.styles[run.style], bool(run.level % 2), tuple(drawn),
                                 tuple(zip(range(n), [1] * n, self.text[lo:hi], cls)), width)
        return self._clustered(run, glyphs, drawn, hi)

    def _clustered(self, run: Run, glyphs: list, drawn: list, hi: int) -> Piece:
        """:meth:`_piece` for any piece: clusters of several glyphs or characters, in either
        order, bidi controls left out of their text, marks for extraction in right-to-left text,
        clusters drawn with no advance merged with their neighbour."""
        clusters = []                   # [first glyph, glyph count, logical index], glyph order
        width = 0.0
        prev = None
        k = 0
        for g in glyphs:
            cl = g[1]
            if cl != prev:
                clusters.append([k, 1, cl])
                prev = cl
            else:
                clusters[-1][1] += 1
            width += g[2]
            k += 1
        # Each cluster's text ends where the next in logical order starts (the last at ``hi``):
        # HarfBuzz's monotone clusters come in logical order, right to left in its reverse.
        starts = [c[2] for c in clusters]
        if starts == sorted(starts):
            ends = starts[1:] + [hi]
        elif starts == sorted(starts, reverse=True):
            ends = [hi] + starts[:-1]
        else:
            order = sorted(set(starts))
            end_of = dict(zip(order, order[1:]))
            end_of[order[-1]] = hi
            ends = [end_of[c] for c in starts]
        text_all, controls, marked = self.text, self.controls, self.rtl
        rtl = bool(run.level % 2)
        # A cluster drawn with no advance (Naskh's alef over a lam, for instance) sits on top of
        # its visual neighbour: give both one piece of text, so extraction keeps the letters in
        # order instead of guessing between two glyphs at the same spot.
        out: list = []                  # (first glyph, glyph count, text, logical index)
        pending = False                 # the last one is drawn with no advance
        for (first, count, cl), end in zip(clusters, ends):
            text = text_all[cl:end]
            if controls and _has_control(text):
                text = "".join(ch for ch in text if ch not in bidi.CONTROLS)
            if marked:
                text = self._marked(cl, end, text)
            if pending:
                p_first, p_count, p_text, p_cl = out.pop()
                text = text + p_text if rtl else p_text + text
                first, count, cl = p_first, p_count + count, min(cl, p_cl)
            adv = drawn[first][1] if count == 1 else sum(g[1] for g in drawn[first:first + count])
            pending = adv == 0 and text.strip() != ""
            out.append((first, count, text, cl))
        if len(out) > 1 and pending:
            last = out.pop()
            prev = out.pop()
            out.append((prev[0], prev[1] + last[1], last[2] + prev[2] if rtl else prev[2] + last[2],
                        min(prev[3], last[3])))
        # Tuples: a piece lives as long as its line, and tuples of numbers and strings are left
        # alone by the garbage collector's full passes.
        return Piece(run.font, self.styles[run.style], rtl, tuple(drawn), tuple(out), width)


def _span(run: Run, lo: int, hi: int) -> tuple:
    """Where the run's glyphs of the characters ``lo`` to ``hi`` are: (first, end) indexes (its
    clusters are monotone, HarfBuzz's MONOTONE_GRAPHEMES), or (None, None) where they are not."""
    keys = run.__dict__.get("_keys")
    if keys is None:
        rtl = bool(run.level % 2)
        keys = [-g[1] for g in run.glyphs] if rtl else [g[1] for g in run.glyphs]
        if keys != sorted(keys):
            keys = False
        run.__dict__["_keys"] = keys
    if keys is False:
        return None, None
    if run.level % 2:       # cluster values descending: -(hi - 1) <= -cluster <= -lo
        return bisect_left(keys, 1 - hi), bisect_right(keys, -lo)
    return bisect_left(keys, lo), bisect_left(keys, hi)


def _as_drawn(glyphs) -> list:
    """Shaped glyphs (gid, cluster, x_advance, x_offset, y_offset) as pieces draw them: (gid,
    x_advance, x_offset, y_offset)."""
    return [(g[0], g[2], g[3], g[4]) for g in glyphs]


def _drawn_glyphs(run: Run) -> list:
    """The run's glyphs as pieces draw them: (gid, x_advance, x_offset, y_offset), made once."""
    got = run.__dict__.get("_drawn")
    if got is None:
        got = run.__dict__["_drawn"] = _as_drawn(run.glyphs)
    return got


def bidi_levels(text: str, rtl: bool) -> list[int]:
    """Unicode bidi embedding levels per character (UAX #9, see bidi.py)."""
    return bidi.levels(text, 1 if rtl else 0)[0]


@lru_cache(maxsize=8192)
def _has_strong(text: str) -> bool:
    """Whether a cluster's text has a strongly directed character (a letter or a digit)."""
    return any(bidi.bidi_class(ch) in _STRONG for ch in text)


def _has_control(text: str) -> bool:
    return not bidi.CONTROLS.isdisjoint(text)


def isolated_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost isolate (initiator to its PDI) in the text."""
    if bidi.ISOLATES.isdisjoint(text):
        return []
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in (bidi.LRI, bidi.RLI, bidi.FSI):
            if depth == 0:
                start = i
            depth += 1
        elif ch == bidi.PDI and depth:
            depth -= 1
            if depth == 0:
                out.append((start, i + 1))
    return out


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
    whole = unbreakable(text)
    if whole:
        out = [p for p in out if not any(a < p < b for a, b in whole)]
    return out
