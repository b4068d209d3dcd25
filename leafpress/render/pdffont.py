"""The project's own PDF font objects: Type0 / CIDFontType2, Identity-H, subset, ToUnicode.

Input: a :class:`~leafpress.text.fonts.Font` and the (glyph, text) pairs drawn with it
(collected while the pages are drawn). Output: PDF objects registered in ReportLab's document
when it is saved, their bytes written here (pdfdoc.Written): one character code (CID) per
distinct (glyph, text) pair, a CIDToGIDMap from codes to glyphs (``/Identity`` while every code
is its glyph id), widths per code, and a ToUnicode CMap giving each code its text, so shaped
text is drawn exactly and every reader gets the text back from the codes alone (see pdf.py for
what text each glyph carries).

What many documents write the same is made once per process and kept in bounded caches: a font's
subset for a set of glyphs (HarfBuzz's subsetting, its compressed stream, its name tag and box),
the /W arrays, the compressed ToUnicode maps (see :func:`_subset`, pdfa.flate_once).

ReportLab's semi-private hooks used here (pinned to reportlab 5.1.0, covered by tests):
``doc.delayedFonts`` (objects built at save time), the object registry (pdfdoc.register) and
the ``BasicFonts`` dictionary that every page's /Font resource points to.
"""
from __future__ import annotations

import hashlib
import itertools
import time
import zlib

import uharfbuzz as hb
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFName, PDFObjectReference, pdfdocEnc

from ..text.fonts import Font
from ..lru import BytesLru, Kept, Lru
from .pdfa import Flated, flate_once
from .pdfdoc import Written, array_bytes, register


class Pairs(tuple):
    """(glyph id, text) pairs in the order drawn, with their set and each glyph's first text made
    once: :meth:`EmbeddedFont.use_all` records and checks them in set operations."""

    def __new__(cls, items):
        self = super().__new__(cls, items)
        self.distinct = frozenset(self)
        return self

    @property
    def first(self) -> dict:
        """Glyph id -> its first text here: made when first asked for (only where a document
        meets some of the glyphs for the first time; a document's later lines draw glyphs it
        knows, and most pieces are drawn in one document)."""
        got = self.__dict__.get("_first")
        if got is None:
            got = self.__dict__["_first"] = dict(reversed(self))
        return got


class EmbeddedFont:
    """One font in one PDF: gives each distinct (glyph, text) pair a character code (CID),
    remembers the glyphs used, and writes the objects on save.

    A glyph's first text gets the CID equal to its glyph id; the same glyph standing for other
    text (a mark inside two different clusters, the empty text of a cluster's second glyph) gets
    a CID of its own above the font's glyph ids, mapped back to the glyph by a CIDToGIDMap
    stream. So ToUnicode gives every drawn glyph exactly the text it stands for.
    """

    def __init__(self, font: Font, resource: str):
        self.font = font
        self.resource = resource            # e.g. "LP1": the name used in page content
        self.gids: set[int] = {0}
        self.to_unicode: dict[int, str] = {}          # glyph id (= CID) -> its first text
        self.extra: dict[tuple[int, str], int] = {}   # (glyph id, other text) -> CID
        self._next = font.glyph_count

    def use_all(self, pairs) -> bool:
        """Record (glyph, text) pairs; True when each one's code is its glyph id (so a body
        written with glyph ids, cached and shared between documents, is right as it is)."""
        known = self.to_unicode
        distinct = getattr(pairs, "distinct", None)
        if distinct is not None:
            # As the loop below, in set operations: the new glyphs take their first text here,
            # and then every pair must be what the document knows.
            if known.items() >= distinct:
                return True
            first = pairs.first
            missing = first.keys() - known.keys()
            if missing:
                known.update(zip(missing, map(first.__getitem__, missing)))
                self.gids.update(missing)
            return known.items() >= distinct
        ok = True
        for gid, text in pairs:
            have = known.get(gid)
            if have is None:
                known[gid] = text
                self.gids.add(gid)
            elif have != text:
                ok = False
        return ok

    def code(self, gid: int, text: str) -> int:
        """The character code that draws ``gid`` and reads back as ``text``."""
        have = self.to_unicode.get(gid)
        if have is None:
            self.to_unicode[gid] = text
            self.gids.add(gid)
            return gid
        if have == text:
            return gid
        cid = self.extra.get((gid, text))
        if cid is None:
            if self._next > 0xFFFF:         # no code left (a font of 65,536 glyphs): the glyph's first text
                return gid
            cid = self.extra[(gid, text)] = self._next
            self._next += 1
        return cid

    def codes(self, pairs) -> list[int]:
        """:meth:`code` of each (glyph, text) pair, in order (one call for a piece's glyphs)."""
        known, gids = self.to_unicode, self.gids
        out: list[int] = []
        put = out.append
        for gid, text in pairs:
            have = known.get(gid)
            if have == text:
                put(gid)
            elif have is None:
                known[gid] = text
                gids.add(gid)
                put(gid)
            else:
                put(self.code(gid, text))
        return out

    # Called by ReportLab's document while saving.
    def addObjects(self, doc):  # noqa: N802 (ReportLab's name)
        """The font's objects, registered in the document and written as bytes here, in the
        order and layout ReportLab's own objects had (``tests/test_pdf_writer.py`` compares
        them): the font file, its descriptor, the CIDToGIDMap stream where some code is not its
        glyph id, the CID font, the ToUnicode map and the Type0 font, which the pages' font
        resources name."""
        r = self.resource
        file_data, desc, table_data, cid, cmap_data, type0 = _objects(self)
        table = table_data is not None
        names = [f"LPFontFile:{r}", f"LPFontDesc:{r}", *([f"LPCIDToGID:{r}"] if table else []),
                 f"LPCIDFont:{r}", f"LPToUnicode:{r}", f"LPFont:{r}"]
        objects = {name: Written() for name in names}
        register(doc, list(objects.items()))
        ref = {name: b"%d %d R" % doc.idToObjectNumberAndVersion[name] for name in names}
        objects[names[0]].data = file_data
        objects[names[1]].data = desc[0] + ref[names[0]] + desc[1]
        if table:
            objects[f"LPCIDToGID:{r}"].data = table_data
        objects[f"LPCIDFont:{r}"].data = (cid[0] + (ref[f"LPCIDToGID:{r}"] if table else b"/Identity") + cid[1]
                                          + ref[names[1]] + cid[2])
        objects[f"LPToUnicode:{r}"].data = cmap_data
        objects[f"LPFont:{r}"].data = type0[0] + ref[f"LPCIDFont:{r}"] + type0[1] + ref[f"LPToUnicode:{r}"] + type0[2]
        doc.idToObject["BasicFonts"].dict[r] = PDFObjectReference(f"LPFont:{r}")

    def _cid_to_gid(self) -> bytes | None:
        """None while every code is its glyph id (/Identity); else the table: two bytes per CID."""
        if not self.extra:
            return None
        table = bytearray(2 * self._next)
        for g in self.gids:
            table[2 * g:2 * g + 2] = g.to_bytes(2, "big")
        for (g, _), cid in self.extra.items():
            table[2 * cid:2 * cid + 2] = g.to_bytes(2, "big")
        return bytes(table)


# (font, glyphs, their texts, the extra codes) -> the font's objects as addObjects writes them,
# with the other objects' references left out: a clinic's variant mostly embeds each font with
# the glyphs and texts the last variant did.
_OBJECTS = BytesLru("font objects", 64, 8 << 20)


def _objects(emb: EmbeddedFont) -> tuple:
    """What :meth:`EmbeddedFont.addObjects` writes, by what it is made from (the font, its glyphs,
    each code's text, the extra codes and how many codes there are: the key is everything
    read here), each object's bytes split where another object's reference goes: the font file's
    stream, the descriptor (the file's reference between its two parts), the CIDToGIDMap stream
    or None, the CID font (the map's and the descriptor's references between its three parts),
    the ToUnicode stream and the Type0 font (the CID font's and the map's)."""
    font = emb.font
    gids = sorted(emb.gids)
    key = (font_key(font), tuple(gids), tuple(sorted(emb.to_unicode.items())), tuple(sorted(emb.extra.items())),
           emb._next)
    got = _OBJECTS.get(key)
    if got is not None:
        return got
    data, packed, tag, bbox = _subset(font, gids)
    base = pdfdocEnc(PDFName(f"{tag}+{_ps_name(font)}"))
    scale = 1000.0 / font.upem
    table = emb._cid_to_gid()
    mapping = dict(emb.to_unicode)
    mapping.update((cid, text) for (_, text), cid in emb.extra.items())
    cmap = _cmap_bytes(tuple(sorted(mapping.items())))
    ext = font.hb.get_font_extents("ltr")
    box = b" ".join(_n(round(v * scale)) for v in bbox)
    desc = (b"<<\n/Ascent %s /CapHeight %s /Descent %s /Flags 4 /FontBBox [ %s ] /FontFile2 "
            % (_n(round(ext.ascender * scale)), _n(round(ext.ascender * scale * 0.7)),
               _n(round(ext.descender * scale)), box),
            b" \n  /FontName " + base + b" /ItalicAngle 0 /StemV 80 /Type /FontDescriptor\n>>")
    cid = (b"<<\n/BaseFont " + base + b" /CIDSystemInfo <<\n/Ordering (Identity) /Registry (Adobe) /Supplement 0\n>>"
           b" /CIDToGIDMap ", b" /FontDescriptor ",
           b" /Subtype /CIDFontType2 /Type /Font \n  /W " + _widths(font, gids, emb.extra) + b"\n>>")
    type0 = (b"<<\n/BaseFont " + base + b" /DescendantFonts [ ",
             b" ] /Encoding /Identity-H /Subtype /Type0 /ToUnicode ", b" /Type /Font\n>>")
    got = (_stream(packed.packed, b" /Length1 %d" % len(data)), desc,
           _stream(flate_once(table).packed) if table else None, cid, _stream(flate_once(cmap).packed), type0)
    _OBJECTS.put(key, got, len(got[0]) + len(got[2] or b"") + len(got[4]) + len(cid[2]))
    return got


class _Thousandths(dict):
    """A font's glyph advances as /W writes them, in thousandths of an em: the one rounding every
    width and pen position the writer uses is made with (a plan's pen must land where a reader's,
    summing /W, does). Each is worked out once, when first asked for. Kept with the font, it
    holds the font's HarfBuzz font and units, not the font: the two would hold each other (a
    cycle a batch's worker would keep when a font is let go, gcpolicy.settle)."""

    def __init__(self, font: Font):
        super().__init__()
        self.hb, self.per_unit = font.hb, 1000.0 / font.upem

    def __missing__(self, gid: int) -> int:
        got = self[gid] = round(self.hb.get_glyph_h_advance(gid) * self.per_unit)
        return got


def thousandths_of(font: Font) -> _Thousandths:
    """The font's :class:`_Thousandths`, kept with it (bounded by its glyphs)."""
    got = font.__dict__.get("_thousandths")
    if got is None:
        got = font.__dict__["_thousandths"] = _Thousandths(font)
    return got


def _n(v: int) -> bytes:
    return fp_str(v).encode("ascii")


def _stream(packed: bytes, entries: bytes = b"") -> bytes:
    """A Flate stream object as ReportLab's PDFStream writes it (pdfa.py's end of line)."""
    return (b"<<\n/Filter [ /FlateDecode ] /Length %d%s\n>>\nstream\n" % (len(packed), entries) + packed
            + (b"\r\n" if packed.endswith(b"\r") else b"\n") + b"endstream\n")


def _ps_name(font: Font) -> str:
    """The font's PostScript name, without spaces (asked only when its objects are made)."""
    return (font.face.get_name(hb.OTNameIdPredefined.POSTSCRIPT_NAME) or font.name).replace(" ", "")


_KEYS = itertools.count(1)


def font_key(font: Font) -> int:
    """A number for the font file's object, never reused in the process: the caches below are
    keyed by it rather than by the font, so they keep no font (and its file's bytes) alive."""
    k = font.__dict__.get("_pdf_key")
    if k is None:
        k = font.__dict__["_pdf_key"] = next(_KEYS)
    return k


_SUBSETS = BytesLru("font subsets", 64, 8 << 20)      # (font, glyphs) -> subset, compressed, tag, box


def _subset(font: Font, gids: list[int]) -> tuple:
    """The subset for these glyphs, its Flate filter (compressed once), its name tag and its
    glyphs' box: made once while among the recent ones (a clinic's variant mostly draws the
    same glyphs as the last)."""
    key = (font_key(font), tuple(gids))
    got = _SUBSETS.get(key)
    if got is None:
        face = _subset_face(font)
        if face is None:
            t = time.process_time()
            data = _subset_bytes(font, gids)
            font.__dict__["_subset_seconds"] = font.__dict__.get("_subset_seconds", 0.0) + time.process_time() - t
        else:
            data = _subset_bytes(font, gids, face)
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
        got = (data, Flated(data, zlib.compress(data)), tag, _bbox(font, gids))
        _SUBSETS.put(key, got, 2 * len(data))
    return got


# CPU seconds a process spends subsetting a font before it preprocesses the font's face (about
# what preprocessing the largest shipped font costs: a ski-rental rule, so a build never pays
# more than about twice what it would have paid knowing how many subsets were coming)
PREPROCESS_AFTER = 0.025
# font -> HarfBuzz's preprocessed copy of its face (about 4.5 MB each: the few fonts whose
# subsets are being made now)
_PREPROCESSED = Lru("preprocessed font faces", 4)


def _subset_face(font: Font):
    """The face to subset the font from: None (its own) until the process has spent
    PREPROCESS_AFTER subsetting it (many clinics, each one's strings bringing a new glyph set),
    then HarfBuzz's preprocessed copy of it (``hb_subset_preprocess``: what every subset of the
    face works out first, worked out once: a Latin font's subset about twice as fast, a CJK
    font's ten times, after 4-22 ms). The subsets are the same bytes (a test checks every
    font of the project)."""
    key = font_key(font)
    face = _PREPROCESSED.get(key)
    if face is None and font.__dict__.get("_subset_seconds", 0.0) >= PREPROCESS_AFTER:
        font.__dict__["_subset_seconds"] = 0.0      # (dropped from the cache: earned again)
        face = hb.subset_preprocess(font.face)
        _PREPROCESSED.put(key, face)
    return face


def _subset_bytes(font: Font, gids: list[int], face=None) -> bytes:
    """Subset keeping glyph ids (HarfBuzz's subsetter: fast and deterministic), from ``face``
    (the font's own face, or its preprocessed copy: see :func:`_subset_face`)."""
    inp = hb.SubsetInput()
    inp.sets(hb.SubsetInputSets.GLYPH_INDEX).update(gids)
    inp.sets(hb.SubsetInputSets.UNICODE).clear()
    inp.flags = hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.NO_HINTING
    # Tables a PDF viewer never reads: layout and naming extras.
    drop = inp.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in ("GSUB", "GPOS", "GDEF", "DSIG", "BASE", "JSTF", "MATH", "morx", "kerx"):
        drop.add(hb.ot_tag_from_string(tag) if hasattr(hb, "ot_tag_from_string") else _tag(tag))
    return hb.subset(font.face if face is None else face, inp).blob.data


def _tag(s: str) -> int:
    return int.from_bytes(s.encode("ascii"), "big")


def _bbox(font: Font, gids: list[int]) -> tuple[int, int, int, int]:
    """The glyphs' ink box (font units; glyphs without ink left out)."""
    boxes = _glyph_boxes(font, gids)
    if not boxes:
        return (0, 0, 0, 0)
    x0s, y0s, x1s, y1s = zip(*boxes)
    x0, x1 = min(x0s), max(x1s)
    return (0, 0, 0, 0) if x0 > x1 else (x0, min(y0s), x1, max(y1s))


def _glyph_boxes(font: Font, gids: list[int]) -> list:
    """Each inked glyph's box (x0, y0, x1, y1), worked out once per glyph and kept with the
    font (bounded by its glyphs; None: no ink)."""
    known = font.__dict__.get("_ink_boxes")
    if known is None:
        known = font.__dict__["_ink_boxes"] = {}
    out = []
    for g in gids:
        box = known.get(g, False)
        if box is False:
            e = font.hb.get_glyph_extents(g)
            box = known[g] = None if e is None or (e.width == 0 and e.height == 0) else \
                (e.x_bearing, e.y_bearing + e.height, e.x_bearing + e.width, e.y_bearing)
        if box is not None:
            out.append(box)
    return out


_WIDTHS = Lru("font widths", 256)       # (font, glyphs, extra codes) -> the /W array's bytes


def _widths(font: Font, gids: list[int], extra: dict) -> bytes:
    """The /W array by CID (glyph ids, then the extra codes), in runs of consecutive CIDs:
    formatted once (numbers only: the same bytes in every document) and kept."""
    key = (font_key(font), tuple(gids), tuple(sorted((cid, g) for (g, _), cid in extra.items())))
    data = _WIDTHS.get(key)
    if data is None:
        out: list = []
        for start, run in _width_runs(font, gids, extra):
            out += [b"%d" % start, array_bytes([b"%d" % w for w in run])]
        data = array_bytes(out)       # (what formatting PDFArrays of whole numbers gives)
        _WIDTHS.put(key, data)
    return data


def _width_runs(font: Font, gids: list[int], extra: dict) -> tuple:
    """(first CID, widths) of each run of consecutive CIDs: the glyph ids (sorted), then the
    extra codes (all above them)."""
    more = sorted((cid, g) for (g, _), cid in extra.items())
    cids = gids + [c for c, _ in more]
    widths = list(map(thousandths_of(font).__getitem__, gids + [g for _, g in more]))
    cuts = [k for k in range(1, len(cids)) if cids[k] != cids[k - 1] + 1]
    return tuple((cids[a], tuple(widths[a:b])) for a, b in zip([0] + cuts, cuts + [len(cids)]))


def _utf16_hex(text: str) -> str:
    """A text as UTF-16BE hex digits (ToUnicode maps, ActualText): most are one character."""
    return text.encode("utf-16-be").hex().upper()


utf16_hex = Kept("pdffont.utf16", _utf16_hex, 8192).__getitem__
HEX_CODE = Kept("pdffont.codes", "<{:04X}>".format, 1 << 16)      # a character code as ToUnicode maps and TJ arrays write it (at most 0xFFFF)


_CMAPS = Lru("tounicode maps", 256)       # sorted (code, text) pairs -> the CMap's bytes


def _cmap_bytes(items: tuple) -> bytes:
    got = _CMAPS.get(items)
    if got is None:
        got = _to_unicode_cmap(dict(items)).encode("ascii")
        _CMAPS.put(items, got)
    return got


def _to_unicode_cmap(mapping: dict[int, str]) -> str:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    items = sorted(mapping.items())
    for i in range(0, len(items), 100):
        chunk = items[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"{HEX_CODE[gid]} <{utf16_hex(text)}>" for gid, text in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)
