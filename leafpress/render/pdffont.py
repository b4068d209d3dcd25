"""The project's own PDF font objects: Type0 / CIDFontType2, Identity-H, subset, ToUnicode.

Input: a :class:`~leafpress.text.fonts.Font` and the glyphs drawn with it (collected while the
pages are drawn). Output: PDF objects registered in ReportLab's document when it is saved, so
a glyph id is the character code (shaped text can be drawn exactly) and copy/search gets the
real text back (ToUnicode for simple glyphs; ``/ActualText`` spans for the rest, see draw.py).

ReportLab's semi-private hooks used here (pinned to reportlab 5.1.0, covered by tests):
``doc.delayedFonts`` (objects built at save time), ``doc.Reference`` and the ``BasicFonts``
dictionary that every page's /Font resource points to.
"""
from __future__ import annotations

import hashlib

import uharfbuzz as hb
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

from ..text.fonts import Font


class EmbeddedFont:
    """One font in one PDF: remembers used glyphs and their text, writes objects on save."""

    def __init__(self, font: Font, resource: str):
        self.font = font
        self.resource = resource            # e.g. "LP1": the name used in page content
        self.gids: set[int] = {0}
        self.to_unicode: dict[int, str] = {}
        self._widths: dict[int, int] = {}

    def width(self, gid: int) -> int:
        """The glyph's width as written in /W (thousandths of an em)."""
        w = self._widths.get(gid)
        if w is None:
            w = self._widths[gid] = round(self.font.hb.get_glyph_h_advance(gid) * 1000.0 / self.font.upem)
        return w

    def use_all(self, pairs) -> bool:
        """Record many (glyph, text) pairs; False (and nothing recorded) if any glyph already
        stands for other text."""
        known = self.to_unicode
        for gid, text in pairs:
            have = known.get(gid)
            if have is not None and have != text:
                return False
        for gid, text in pairs:
            known.setdefault(gid, text)
            self.gids.add(gid)
        return True

    def use(self, gid: int, text: str | None) -> bool:
        """Record a glyph. Returns True when ToUnicode gives ``text`` back exactly for it."""
        self.gids.add(gid)
        if text is None:
            return False
        known = self.to_unicode.get(gid)
        if known is None:
            self.to_unicode[gid] = text
            return True
        return known == text

    # Called by ReportLab's document while saving.
    def addObjects(self, doc):  # noqa: N802 (ReportLab's name)
        font = self.font
        gids = sorted(self.gids)
        data = _subset(font, gids)
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
        ps_name = (font.face.get_name(hb.OTNameIdPredefined.POSTSCRIPT_NAME) or font.name).replace(" ", "")
        base = f"{tag}+{ps_name}"
        upem = font.upem
        scale = 1000.0 / upem

        ff = PDFStream(PDFDictionary({"Length1": len(data)}), data, filters=[pdfdoc.PDFZCompress])
        ext = font.hb.get_font_extents("ltr")
        bbox = _bbox(font, gids)
        descriptor = PDFDictionary({
            "Type": PDFName("FontDescriptor"),
            "FontName": PDFName(base),
            "Flags": 4,
            "FontBBox": PDFArray([round(v * scale) for v in bbox]),
            "ItalicAngle": 0,
            "Ascent": round(ext.ascender * scale),
            "Descent": round(ext.descender * scale),
            "CapHeight": round(ext.ascender * scale * 0.7),
            "StemV": 80,
            "FontFile2": doc.Reference(ff, f"LPFontFile:{self.resource}"),
        })
        cid = PDFDictionary({
            "Type": PDFName("Font"),
            "Subtype": PDFName("CIDFontType2"),
            "BaseFont": PDFName(base),
            "CIDSystemInfo": PDFDictionary({"Registry": PDFString("Adobe"),
                                            "Ordering": PDFString("Identity"), "Supplement": 0}),
            "FontDescriptor": doc.Reference(descriptor, f"LPFontDesc:{self.resource}"),
            "W": PDFArray(_widths(font, gids, scale)),
            "CIDToGIDMap": PDFName("Identity"),
        })
        cmap = PDFStream(content=_to_unicode_cmap(self.to_unicode).encode("ascii"),
                         filters=[pdfdoc.PDFZCompress])
        type0 = PDFDictionary({
            "Type": PDFName("Font"),
            "Subtype": PDFName("Type0"),
            "BaseFont": PDFName(base),
            "Encoding": PDFName("Identity-H"),
            "DescendantFonts": PDFArray([doc.Reference(cid, f"LPCIDFont:{self.resource}")]),
            "ToUnicode": doc.Reference(cmap, f"LPToUnicode:{self.resource}"),
        })
        ref = doc.Reference(type0, f"LPFont:{self.resource}")
        doc.idToObject["BasicFonts"].dict[self.resource] = ref


def _subset(font: Font, gids: list[int]) -> bytes:
    """Subset keeping glyph ids (HarfBuzz's subsetter: fast and deterministic)."""
    inp = hb.SubsetInput()
    inp.sets(hb.SubsetInputSets.GLYPH_INDEX).update(gids)
    inp.sets(hb.SubsetInputSets.UNICODE).clear()
    inp.flags = hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.NO_HINTING
    # Tables a PDF viewer never reads: layout and naming extras.
    drop = inp.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in ("GSUB", "GPOS", "GDEF", "DSIG", "BASE", "JSTF", "MATH", "morx", "kerx"):
        drop.add(hb.ot_tag_from_string(tag) if hasattr(hb, "ot_tag_from_string") else _tag(tag))
    face = hb.subset(font.face, inp)
    return face.blob.data


def _tag(s: str) -> int:
    return int.from_bytes(s.encode("ascii"), "big")


def _bbox(font: Font, gids: list[int]) -> tuple[int, int, int, int]:
    x0 = y0 = 10 ** 9
    x1 = y1 = -10 ** 9
    for g in gids:
        e = font.hb.get_glyph_extents(g)
        if e is None or (e.width == 0 and e.height == 0):
            continue
        x0, x1 = min(x0, e.x_bearing), max(x1, e.x_bearing + e.width)
        y0, y1 = min(y0, e.y_bearing + e.height), max(y1, e.y_bearing)
    if x0 > x1:
        return (0, 0, 0, 0)
    return (x0, y0, x1, y1)


def _widths(font: Font, gids: list[int], scale: float) -> list:
    """The /W array, grouped into runs of consecutive glyph ids."""
    out: list = []
    run_start, run = None, []
    for g in gids:
        w = round(font.hb.get_glyph_h_advance(g) * scale)   # the same rounding as EmbeddedFont.width
        if run and g == run_start + len(run):
            run.append(w)
        else:
            if run:
                out += [run_start, PDFArray(run)]
            run_start, run = g, [w]
    if run:
        out += [run_start, PDFArray(run)]
    return out


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(mapping: dict[int, str]) -> str:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    items = sorted(mapping.items())
    for i in range(0, len(items), 100):
        chunk = items[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{gid:04X}> <{_utf16_hex(text)}>" for gid, text in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)
