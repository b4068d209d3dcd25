"""Fonts: loading, coverage and per-character choice from a stack.

Input: font names (file stems in ``assets/fonts`` or a brand's folder) and strings.
Output: :class:`Font` objects (HarfBuzz face, coverage, metrics, raw bytes for embedding),
loaded once per process, and for a string the font each character is drawn with; for a stack,
the factor its script font is drawn at to look the size of its Latin font (latin_size_factor).
"""
from __future__ import annotations

import copy
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import uharfbuzz as hb
from fontTools import unicodedata as ft_unicodedata

from ..files import read_error, read_limited
from ..errors import LeafletError
from ..lru import Lru

MAX_FONT_BYTES = 64_000_000
_FONT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

# Characters that have no glyph of their own: they ride with their neighbour's font.
_IGNORABLE = set("\u200b\u200c\u200d\u200e\u200f\u061c\u00ad\u2060\ufe0e\ufe0f")


ORDINARY_HEIGHT = 1.7      # em from descender to ascender of an ordinary text face (Naskh: 1.7)


class Font:
    """One font file, ready for shaping (HarfBuzz) and embedding (bytes)."""

    def __init__(self, name: str, path: Path, display: str | None = None):
        self.name = name
        self.path = path
        display = display or str(path)
        try:
            self.data = read_limited(path, MAX_FONT_BYTES)
        except OSError as exc:
            raise read_error(exc, display) from None
        if len(self.data) > MAX_FONT_BYTES:
            raise LeafletError(f"font file is over {MAX_FONT_BYTES:,} bytes", file=display)
        if self.data[:4] not in (b"\x00\x01\x00\x00", b"true"):
            raise LeafletError("not a TrueType font (glyf outlines are required)", file=display,
                               hint="Convert it, see tools/build_fonts.py")
        self.face = hb.Face(hb.Blob(self.data))
        if self.face.glyph_count < 2 or not self.face.unicodes or not self.face.upem:
            raise LeafletError("the font file is damaged (no glyphs or character map)", file=display,
                               hint="Build or download it again, see tools/build_fonts.py")
        self.upem = self.face.upem
        self.hb = hb.Font(self.face)
        self.hb.scale = (self.upem, self.upem)
        self.coverage = frozenset(self.face.unicodes)
        ext = self.hb.get_font_extents("ltr")
        self.ascent = ext.ascender / self.upem      # in em
        self.descent = -ext.descender / self.upem   # positive, in em
        self.glyph_count = self.face.glyph_count
        self._hyphen = None
        self.scale = 1.0        # drawn at this many times the type size (see scaled())
        self.em = float(self.upem)   # font units in one em of the type size: upem / scale
        self._reading: float | None = None

    def has(self, ch: str) -> bool:
        return ord(ch) in self.coverage

    def advance(self, gid: int) -> float:
        """Advance width of a glyph, in em (of the type size)."""
        return self.hb.get_glyph_h_advance(gid) / self.em

    @property
    def reading_scale(self) -> float:
        """How much larger than the size it is drawn at readers must take this face's text for
        its lines to gather like ordinary text's: for a face that sets letters off the baseline
        as it joins them (Nastaliq's cascade), its ascender-to-descender height over an ordinary
        face's; 1 for the others. The PDF writer closes each such word at this size
        (render/pdf.py), and the leading cap counts it (layout/fitting.py)."""
        if self._reading is None:
            height = (self.ascent + self.descent) / self.scale
            self._reading = max(1.0, round(height / ORDINARY_HEIGHT, 2)) \
                if height > ORDINARY_HEIGHT and self._cascades() else 1.0
        return self._reading

    def _cascades(self) -> bool:
        """Whether shaping a run of the face's own letters sets a letter that advances off the
        baseline (a property of the face, found once)."""
        letters = "".join(chr(c) for c in sorted(self.coverage)
                          if chr(c).isalpha() and not chr(c).isascii())[:60]
        if not letters:
            return False
        buf = hb.Buffer()
        buf.add_str(letters)
        buf.guess_segment_properties()
        hb.shape(self.hb, buf)
        return any(p.x_advance > 0 and p.y_offset for p in buf.glyph_positions)

    def scaled(self, factor: float) -> Font:
        """The same font drawn ``factor`` times the type size (the same file and glyphs: the
        writer embeds it once and sets it at its own size). Metrics in em follow."""
        if factor == self.scale:
            return self
        out = copy.copy(self)
        out.scale, out.em = factor, self.upem / factor
        out.ascent, out.descent = self.ascent / self.scale * factor, self.descent / self.scale * factor
        out._hyphen = None
        return out

    def __repr__(self):
        return f"Font({self.name})"


class FontLibrary:
    """Finds fonts by name in the given folders and loads each file once per process."""

    def __init__(self, folders: list[Path], root: Path | None = None):
        self.folders = folders
        self.root = root
        self._cache: dict[str, Font] = {}

    def get(self, name: str, where: str | None = None) -> Font:
        font = self._cache.get(name)
        if font is None:
            if not _FONT_NAME.match(name):
                raise LeafletError(f"{name!r} is not a font name", file=where,
                                   hint="Name a font file in assets/fonts/ without its .ttf, e.g. NotoSans-Regular")
            for folder in self.folders:
                path = folder / f"{name}.ttf"
                # Fonts come from the project's font folder, not through links to anywhere else.
                if path.is_file() and path.resolve().is_relative_to(folder.resolve()):
                    display = f"{folder.name}/{path.name}"
                    if self.root is not None and folder.resolve().is_relative_to(self.root):
                        display = str(folder.resolve().relative_to(self.root) / path.name)
                    font = Font(name, path, display)
                    break
            else:
                raise LeafletError(f"font {name!r} not found in " + ", ".join(str(f) for f in self.folders),
                                   file=where, hint="Add the .ttf file or fix the font name")
            self._cache[name] = font
        return font


@lru_cache(maxsize=64)
def letter_height(font: Font, script: str) -> float:
    """How tall a script's letters look in a font, in em: the middle of the band where their
    tops sit, from the x-height (the lower quartile of the tops) to the ascenders (the 90th
    percentile). Every letter of the script the font maps (lower case only, in a script with
    case), alone and between joiners (so a joining script is measured in the forms running
    text uses), dots and marks included as the eye sees them. Measured from the outlines, once
    per font file and script on this machine: the answer is kept in the user's cache under the
    file's bytes (see _measures)."""
    kept = _measures(font)
    got = kept.get("letter_height " + script)
    if got is None:
        got = _letter_height(font, script)
        kept.put("letter_height " + script, got)
    return got


def _letter_height(font: Font, script: str) -> float:
    letters = [ch for ch in map(chr, sorted(font.coverage)) if ch.isalpha()
               and ft_unicodedata.script(ch) == script and not unicodedata.decomposition(ch)]
    if any(unicodedata.category(ch) == "Ll" for ch in letters):
        letters = [ch for ch in letters if unicodedata.category(ch) == "Ll"]
    tops = []
    for ch in letters:
        for text in (ch, "\u200d" + ch + "\u200d"):
            buf = hb.Buffer()
            buf.add_str(text)
            buf.guess_segment_properties()
            hb.shape(font.hb, buf)
            for info in buf.glyph_infos:
                e = font.hb.get_glyph_extents(info.codepoint)
                if e is not None and e.height:
                    tops.append(e.y_bearing / font.upem)
    if not tops:
        return 0.0
    tops.sort()
    return (tops[len(tops) // 4] + tops[int(0.9 * (len(tops) - 1))]) / 2


# -- a font file's measures kept in the user's cache ----------------------------------------------
MEASURE_RECORDS = 256       # font files whose measures are kept (the most recently used)
MEASURES_KEPT = 64          # measures a font file's record keeps (one a script it is asked for)
_MEASURED = Lru("fonts.measures", 64)       # a font file's bytes (by identity) -> its usercache.Values


def _measures(font: Font):
    """What ``font``'s file measures to (letter_height for each script asked), in the user's
    cache (usercache.py, one small ``font-<32 hex>.json`` a font file) under a key made of the
    sha256 of the file's bytes as this process read them and the signatures of what measures:
    this module's file, HarfBuzz's and uharfbuzz's versions (shaping, outlines), fontTools' (the
    script of each character) and Python's Unicode data (letters, case, decompositions). Read
    once per process and file (a scaled copy of a font shares its original's, as it shares its
    bytes). The measure took 0.3-2.7 ms a face in every process; a record that does not match
    is ignored and the font measured, so the answer is the measure's either way; with no user's
    cache nothing is hashed nor kept."""
    return _MEASURED.of((font.data,), (), lambda: _font_values(font))


def _font_values(font: Font):
    from .. import usercache
    code = _measure_code()
    key = None
    if code is not None and usercache.folder() is not None:
        import hashlib
        key = f"font measures\n{hashlib.sha256(font.data).hexdigest()}\n{code}"
    return usercache.Values("font-", key, MEASURES_KEPT, MEASURE_RECORDS,
                            valid=lambda v: isinstance(v, float) and 0.0 <= v < 4.0)


@lru_cache(maxsize=1)
def _measure_code() -> str | None:
    """The signatures of what measures a font (see _measures); None when this module's file
    cannot be found (nothing is kept then)."""
    import fontTools
    from ..files import code_signature
    sig = code_signature([Path(__file__).resolve()])
    if sig is None:
        return None
    return "\n".join([sig, f"harfbuzz {hb.version_string()}", f"uharfbuzz {hb.__version__}",
                      f"fontTools {fontTools.version}", f"unicode {unicodedata.unidata_version}"])


def latin_size_factor(stack: list[Font], script: str) -> float:
    """How much larger the stack's first font is drawn so its letters look the size of the
    stack's Latin font's (the first with Latin letters) beside them, to the hundredth; never
    smaller (1.0 where the script already looks as large, or where there is nothing to match)."""
    latin = next((f for f in stack if f.has("x")), None)
    if latin is None or latin is stack[0] or script == "Latn":
        return 1.0
    own, ref = letter_height(stack[0], script), letter_height(latin, "Latn")
    if not own or not ref:
        return 1.0
    return max(1.0, round(ref / own, 2))


def is_ignorable(ch: str) -> bool:
    return ch in _IGNORABLE or 0xFE00 <= ord(ch) <= 0xFE0F or 0xE0000 <= ord(ch) <= 0xE0FFF


class MissingGlyph(LeafletError):
    def __init__(self, ch: str, index: int, fonts):
        name = unicodedata.name(ch, "unnamed character")
        super().__init__(f"no font can draw {ch!r} (U+{ord(ch):04X} {name}) at character {index + 1}",
                         hint="Remove or replace the character, or add a font that has it to the "
                              "language's font stack (" + ", ".join(f.name for f in fonts) + ")")
        self.char = ch


# id(stack) -> (stack, {character: what choose_fonts needs of it}, the characters drawn with the
# stack's first font wherever they stand); the stack is kept with its facts and compared on use,
# so a new list at a reused address never meets an old answer.
_CHARS = Lru("fonts.char_facts", 64)
_CHARS_KEPT = 4096      # characters kept per stack (then it starts again): bounded by use


def _char_facts(ch: str, stack: list[Font]) -> tuple:
    """(ignorable, a space or combining mark, the first font of ``stack`` that has it or None,
    the first that has it and Latin letters or None)."""
    return (is_ignorable(ch), ch == " " or unicodedata.category(ch) in ("Mn", "Mc", "Me"),
            next((f for f in stack if f.has(ch)), None), next((f for f in stack if f.has("A") and f.has(ch)), None))


def _facts_of(stack: list[Font]) -> tuple:
    """What is known of characters in ``stack`` (see choose_fonts), kept per stack: (the stack,
    facts by character, the characters that are ignorable or first found in the first font)."""
    got = _CHARS.get(id(stack))
    if got is None or got[0] is not stack or len(got[1]) > _CHARS_KEPT:
        got = (stack, {}, set())
        _CHARS.put(id(stack), got)
    return got


def latin_font(ch: str, stack: list[Font]) -> Font | None:
    """The first font of ``stack`` that has Latin letters and ``ch``, or None."""
    _, facts, firsts = _facts_of(stack)
    f = facts.get(ch)
    if f is None:
        f = facts[ch] = _char_facts(ch, stack)
        if f[0] or f[2] is stack[0]:
            firsts.add(ch)
    return f[3]


def choose_fonts(text: str, stack: list[Font]) -> list[Font]:
    """The font for each character: the first in the stack that has it.

    Combining marks, spaces and invisible joiners stay with the previous character's font when
    it has them, so a cluster is never split between fonts. What a character is and which font
    of the stack first has it is worked out once per stack (a clinic's lines are mostly
    characters the stack has seen). A text whose every character is ignorable or first found in
    the stack's first font is all drawn with it (the previous character's font is then always
    the first): most paragraphs, answered without reading them character by character.
    """
    _, facts, firsts = _facts_of(stack)
    first = stack[0]
    if firsts.issuperset(text):
        return [first] * len(text)
    for ch in set(text):
        if ch not in facts:
            f = facts[ch] = _char_facts(ch, stack)
            if f[0] or f[2] is first:
                firsts.add(ch)
    if firsts.issuperset(text):
        return [first] * len(text)
    out: list[Font] = []
    prev: Font | None = None
    for i, ch in enumerate(text):
        f = facts[ch]
        if f[0]:
            out.append(prev or first)
            continue
        if prev is not None and f[1] and prev.has(ch):
            out.append(prev)
            continue
        if f[2] is None:
            raise MissingGlyph(ch, i, stack)
        out.append(f[2])
        prev = f[2]
    return out
