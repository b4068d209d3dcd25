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


class Subsetter:
    """Subsets fonts, remembering what it made (per process, and across builds by file name)."""

    def __init__(self):
        self._made: dict = {}

    def subset(self, font, chars: str) -> tuple[Face, bytes] | None:
        wanted = sorted({ord(c) for c in chars} & font.coverage)
        if not wanted:
            return None
        key = (font.name, hashlib.sha256(font.data).hexdigest(), tuple(wanted))
        got = self._made.get(key)
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
            got = self._made[key] = (face, woff)
        return got
