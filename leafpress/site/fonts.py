"""Web fonts: the shipped fonts cut down to what one page uses, as WOFF2.

Input: the fonts of the languages on a page (the same files the PDFs embed) and the page's
characters. Output: :class:`Face` records (family, weight, style, file name) and the WOFF2 bytes
of each subset, named by their content, so identical subsets are shared between pages and a
rebuild finds them already there.

HarfBuzz cuts the font (all layout features kept, so Arabic joining, Indic conjuncts and Khmer
stacking still work; hinting dropped: it is a large share of the bytes); fontTools with Brotli
writes the WOFF2.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

import uharfbuzz as hb

_WEIGHTS = {"Regular": (400, "normal"), "Bold": (700, "normal"), "Italic": (400, "italic"),
            "BoldItalic": (700, "italic")}
_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Face:
    family: str       # CSS family: the font's name without its style ("NotoSansKhmer")
    weight: int
    style: str
    file: str         # "<digest>.woff2"


def family_of(font_name: str) -> tuple[str, int, str]:
    """'NotoSansKhmer-Bold' -> ('NotoSansKhmer', 700, 'normal')."""
    family, _, style = font_name.rpartition("-")
    if not family or style not in _WEIGHTS:
        family, style = font_name, "Regular"
    if not _SAFE.match(family):      # it goes into CSS unquoted: only plain names
        family = "f" + hashlib.sha256(family.encode()).hexdigest()[:12]
    return (family, *_WEIGHTS[style])


_MADE: dict = {}        # per process: (font, characters) -> (Face, bytes)
_FONT_HASH: dict = {}


class Subsetter:
    """Subsets fonts, remembering what it made: in this process, and across builds through
    ``known`` (a key of font and characters -> the file made for it, kept by the caller);
    a known subset whose file is still there is not made again (its bytes come back as None)."""

    def __init__(self, known: dict | None = None, exists=lambda name: False):
        self.known = dict(known or {})
        self.used: dict = {}
        self.exists = exists

    def subset(self, font, chars: str) -> tuple[Face, bytes | None] | None:
        wanted = sorted(_with_parts(chars) & font.coverage)
        if not wanted:
            return None
        if font.name not in _FONT_HASH:
            _FONT_HASH[font.name] = hashlib.sha256(font.data).hexdigest()
        key = (font.name, _FONT_HASH[font.name], tuple(wanted))
        digest = hashlib.sha256(repr((key, hb.__version__, _fonttools_version())).encode()).hexdigest()
        got = _MADE.get(key)
        if got is None and self.known.get(digest) and self.exists(self.known[digest]):
            family, weight, style = family_of(font.name)
            self.used[digest] = self.known[digest]
            return Face(family, weight, style, self.known[digest]), None
        if got is None:
            inp = hb.SubsetInput()
            inp.unicode_set.update(wanted)
            inp.layout_feature_tag_set.clear()       # keep every OpenType feature (shaping needs them):
            inp.layout_feature_tag_set.invert()      # an empty set inverted is the set of all
            inp.flags = hb.SubsetFlags.NO_HINTING
            data = hb.subset(font.face, inp).blob.data
            from fontTools.ttLib import TTFont
            tt = TTFont(io.BytesIO(data), recalcTimestamp=False)
            tt.flavor = "woff2"
            buf = io.BytesIO()
            tt.save(buf, reorderTables=False)
            woff = buf.getvalue()
            family, weight, style = family_of(font.name)
            face = Face(family, weight, style, hashlib.sha256(woff).hexdigest()[:20] + ".woff2")
            got = _MADE[key] = (face, woff)
        self.used[digest] = got[0].file
        return got


def _with_parts(chars: str) -> set[int]:
    """The characters and what a shaper may split them into: HarfBuzz draws Thai SARA AM with
    NIKHAHIT + SARA AA, split Indic and Khmer vowels with their parts (Unicode decompositions,
    canonical and compatibility), and a dotted circle for a mark without its base."""
    out, todo = {0x25CC}, [ord(c) for c in chars]
    while todo:
        cp = todo.pop()
        if cp in out:
            continue
        out.add(cp)
        parts = unicodedata.decomposition(chr(cp)).split()
        todo += [int(x, 16) for x in parts if not x.startswith("<")]
    return out


def _fonttools_version() -> str:
    import fontTools
    return fontTools.version
