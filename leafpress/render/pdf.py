"""Render: pages of positioned items -> PDF bytes.

Input: :class:`LaidOut` plus document metadata. Output: the bytes of a complete PDF.
ReportLab builds the document's objects (pages, graphics, drawings, links, outline, metadata);
pdfdoc.py writes the file (the bytes ReportLab's save would write, made faster). Text
is drawn as shaped glyph runs in the project's own embedded fonts (pdffont.py), each glyph
with a character code that reads back as the text it stands for, pieces in reading order, so
pdf.js, PDFium, MuPDF, poppler and screen readers get the source text back (see
:class:`GlyphWriter` and :class:`_Plan`). The document is PDF/UA-1 and PDF/A-2a (tags.py,
pdfa.py). Decorations are marked as artifacts. No content string ever reaches a markup parser:
text goes in as glyph ids.
"""
from __future__ import annotations

import io
import math
import operator
import unicodedata
import weakref
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate, repeat
from operator import add, itemgetter, truediv
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from ..layout.items import Box, LaidOut, Link, OutlineEntry, Picture, Qr, Raster, Rule, Svg, TextLine
from ..text import bidi
from .assets import drawing, qr_modules, store, stored_ops
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString, xObjectName

from .pdfa import add_output_intent, flate_once, page_stream_once
from .pdfdoc import Written, document_bytes, formatted
from .pdffont import HEX_CODE, EmbeddedFont, Pairs, font_key, thousandths_of, utf16_hex
from .tags import Tagger
from ..lru import BytesLru, Kept, Lru


rl_config.useA85 = 0      # plain Flate streams: smaller files, no slow ASCII85 pass


@dataclass(frozen=True)
class Metadata:
    """A document's title, author, subject, keywords and language, for its metadata."""
    title: str
    author: str
    subject: str
    keywords: str
    lang: str


class GlyphWriter:
    """Turns TextLines into content-stream operators, tracking glyph use per font."""

    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self.fonts: dict = {}
        self.right_to_left = False      # the document says its reading order is right to left
        self.outlines: dict = {}        # (font, glyph) -> name of the form XObject drawing it
        self.variant = False            # a stamped clinic's document (see _template)

    def embedded(self, font) -> EmbeddedFont:
        emb = self.fonts.get(font.name)
        if emb is None:
            emb = self.fonts[font.name] = EmbeddedFont(font, f"LP{len(self.fonts) + 1}")
            self.canvas._doc.delayedFonts.append(emb)
        return emb

    def line(self, item: TextLine, mark=None, quoting: bool = False) -> str:
        """Operators for one line. ``mark(href, latin, rect)`` gives (tag, MCID) for tagged
        content; without it the caller has wrapped the line as an artifact. ``quoting``: runs of
        Latin-script words get marked content of their own (a Span with their language).

        Pieces are drawn in logical (reading) order, each as one ``TJ`` whose adjustments put
        every glyph where shaping placed it (a right-to-left piece goes leftwards), split only
        where a glyph is raised or lowered or a cluster carries an ``/ActualText``; word spaces
        are space glyphs. So readers that take the content in stream order and readers that
        rebuild lines from the glyphs' positions both get the words, spaces and order right.

        A line's operators are worked out once per line object (a pattern's lines are the same
        objects in every clinic's variant) as a template: the text with the parts that depend on
        the document left open (font resource names, each ``mark`` call, glyph-outline forms),
        filled per document (:meth:`_fill`), made when a line is drawn the second time (a
        clinic's variant; the first time it is worked out directly). The template with the glyph
        ids written in as codes (:meth:`_Template.baked`) is used where it gives what working the
        line out again would: every piece's glyphs must have their glyph ids as codes in this
        document (``EmbeddedFont.use_all``), else the one whose TJ bodies are holes, filled with
        the codes the document gives."""
        key = (self.right_to_left, mark is not None, quoting)
        tpl = _template(item, key, self.variant)
        if tpl is not None:
            out = self._fill(tpl.fast, mark)
            if out is not None:
                return out
            # Some glyph has a code of its own here: the template whose bodies are left open.
            return tpl.fill(self, mark)
        return _compose(item, key, self.embedded, partial(_filled, self, mark), shared=self.variant)

    def _fill(self, tpl: "_Template", mark, defer=None) -> str | None:
        """The template's text for this document, or None when a piece's glyphs need codes of
        their own here (then nothing was marked or drawn, and what was recorded, the next try
        records again: no change). ``defer``: see :meth:`_Template.fill`."""
        for font, pairs in tpl.uses:
            if not self.embedded(font).use_all(pairs):
                return None
        return tpl.fill(self, mark, defer)

    def outline(self, font, gid: int) -> str:
        """The resource name of a form XObject that fills the glyph's outline (font units, in
        the current fill colour), written once per document and named on the current page."""
        key = (font.name, gid)
        name = self.outlines.get(key)
        if name is None:
            name = self.outlines[key] = f"G{len(self.outlines) + 1}"
            form = Written()
            form.data = _outline_form(font, gid, self.canvas._doc)
            self.canvas._doc.Reference(form, xObjectName(name))
        if name not in self.canvas._formsinuse:
            self.canvas._formsinuse.append(name)     # the page's resources name it (ReportLab)
        return xObjectName(name)


_FORMS = BytesLru("glyph outline forms", 512, 2 << 20)    # (font, glyph) -> the form object's bytes


def _outline_form(font, gid: int, doc) -> bytes:
    """The form XObject filling a glyph's outline, as written (it refers to nothing, so its
    bytes are the same in every document): made once while among the recent ones."""
    key = (font_key(font), gid)
    got = _FORMS.get(key)
    if got is None:
        e = font.hb.get_glyph_extents(gid)
        bbox = [e.x_bearing, e.y_bearing + e.height, e.x_bearing + e.width, e.y_bearing] if e else [0, 0, 0, 0]
        path = (_glyph_path(font, gid) + " f").encode("ascii")
        form = PDFStream(PDFDictionary({"Type": PDFName("XObject"), "Subtype": PDFName("Form"),
                                        "BBox": PDFArray(bbox), "Resources": PDFDictionary({})}),
                         path, filters=[flate_once(path)])
        got = formatted(form, doc)
        _FORMS.put(key, got, len(got))
    return got


def _compose(item: TextLine, key: tuple, embedded, hole, plans: list | None = None, shared: bool = True) -> str:
    """A line's operators (see :meth:`GlyphWriter.line`), each piece that depends on the
    document's state written as ``hole(what)`` gives it: a ``mark`` call ("M": its marked
    content, "I": its MCID alone) or a glyph-outline form ("O"). For a template, ``hole`` is a
    :func:`_hole_maker`'s ("\\0k\\0" standing for the k-th); for a line drawn the first time,
    :func:`_filled` (what the template's fill would put there). ``key``: (the document reads
    right to left, the line is tagged, Latin-script runs are quoted). ``embedded(font)``: the
    document's EmbeddedFont, or a :class:`_Pending` one (a template: its resource names are
    holes too). ``plans``: where given, each piece's TJ bodies are holes too ("B": the piece's
    place in ``plans``, where its font and plan are added, group, segment), filled with the
    bodies the document's codes give; else they are written with the codes the document gives
    (a :class:`_Pending` font: the glyph ids)."""
    right_to_left, tagged, quoting = key

    size = item.size
    ops = [_fill_colour(item.colour), "BT 0 Ts 0 Tc 0 Tw 100 Tz 0 Tr"]
    pieces = item.pieces
    xs, x = [], item.x
    for piece in pieces:
        xs.append(x)
        x += piece.width * size
    soft = item.line.end if getattr(item.line, "hyphen", False) else None
    current = None
    marks = []
    ltr_runs = _ltr_runs(item, xs, soft, shared) if right_to_left or _pdfium_rtl(item) else {}
    for i in _logical_order(pieces):
        piece = pieces[i]
        emb = embedded(piece.font)
        plan = _plan(piece, soft is not None and piece.clusters[0][3] == soft, shared)
        if ltr_runs.get(i):
            plan = plan.anchored(*ltr_runs[i])
        rect = (xs[i], item.y - size * 0.25, piece.width * size, size * 1.1)
        fsize = size * piece.font.scale     # a script font drawn larger (text/fonts.py)
        if current != (emb, fsize):         # (one EmbeddedFont, one resource name, per font)
            ops.append(f"/{emb.resource} {_num(fsize)} Tf")
            current = (emb, fsize)
        ops.append(f"1 0 0 1 {_num(xs[i])} {_num(item.y)} Tm")
        if plans is not None:
            bodies = [[hole(("B", len(plans), gi, si)) for si in range(len(subs))]
                      for gi, (_, subs) in enumerate(plan.groups)]
            plans.append((piece.font, plan))
        else:
            bodies = plan.bodies if emb.use_all(plan.pairs) else plan.render(emb)  # cached if codes are glyph ids
        run = None                  # the Latin-script flag of the marked content open
        token_text = plan.token_text
        words = {w.start: w for w in plan.words} if plan.words else _NO_WORDS
        word = None                 # the cascading word being drawn (see _Word)
        for gi, ((latin, subs), group) in enumerate(zip(plan.groups, bodies)):
            if word is not None and gi == word.end:
                ops.append(word.close(emb, fsize, xs[i], item.y))
                word = None
            latin = latin and quoting
            tokens = bool(token_text) and (gi, 0) in token_text
            if tagged and (latin != run or tokens):
                if run is not None:
                    ops.append("EMC")
                    run = None
                if not tokens:
                    ops.append(hole(("M", piece.style.href, latin, rect)))
                    run = latin
            if gi in words:
                word = words[gi]
                ops.append(word.open(emb, fsize, xs[i], item.y))
            for si, ((rise, entries, hidden, resume), body) in enumerate(zip(subs, group)):
                tj = f"{_num(rise * size)} Ts [{body}] TJ 0 Ts" if rise else f"[{body}] TJ"
                if tokens:
                    # The token's own text, without its blank (see _Plan.anchored), with
                    # its MCID in one property list: PDFium reads the ActualText only on the
                    # innermost marked content, poppler's structure text ends a sequence
                    # with an MCID at any EMC inside it.
                    mcid = hole(("I", piece.style.href, latin, rect)) if tagged else ""
                    tj = f"/{TOKEN_TAG} <<{mcid}/ActualText <FEFF{utf16_hex(token_text[gi, si])}>>> BDC {tj} EMC"
                elif hidden:
                    # A size of its own: pdf.js starts a new text item at a change of size,
                    # so it does not reorder a mark with its letter. Then the pen goes back
                    # where the visible glyphs left it.
                    tf = f"/{emb.resource} {_num(fsize * hidden)} Tf"
                    tj = (f"3 Tr {_num(SQUEEZE * 100)} Tz {tf} {tj} /{emb.resource} {_num(fsize)} Tf 100 Tz 0 Tr "
                          f"1 0 0 1 {_num(xs[i] + resume * fsize)} {_num(item.y)} Tm")
                elif RTL_SPACE in (t0 := entries[0][1]) and t0.strip(_MARKS) == " ":
                    # poppler: a plain space (with the direction marks the bidi layer gave it)
                    actual = t0.replace(RTL_SPACE, " ", 1)
                    tj = (f"/Span <</ActualText ( )>> BDC {tj} EMC" if actual == " " else
                          f"/Span <</ActualText <FEFF{utf16_hex(actual)}>>> BDC {tj} EMC")
                elif word is None and (t0 in _QUIET if len(entries) == 1 else _quiet(entries)):
                    # Glyphs that stand for no text of their own (raised or lowered marks,
                    # the second glyph of a ligature, a layout hyphen): an empty ActualText
                    # keeps poppler from making words or lines of them. (Inside a cascading
                    # word, the word's span does that: poppler does not nest ActualText.)
                    tj = f"/Span <</ActualText ()>> BDC {tj} EMC"
                ops.append(tj)
        if word is not None:
            ops.append(word.close(emb, fsize, xs[i], item.y))
        if run is not None:
            ops.append("EMC")
        marks += [(emb.font, fsize, gid, xs[i] + x * fsize, item.y + dy * size) for gid, x, dy in plan.marks]
    ops.append("ET")
    if marks:
        # The text is the letters' (the marks read as nothing): the outlines are an artifact.
        ops.append("/Artifact BMC")
        for font, fsize, gid, x, y in marks:
            k = fsize / font.upem
            ops.append(f"q {_num(k)} 0 0 {_num(k)} {_num(x)} {_num(y)} cm /{hole(('O', font, gid))} Do Q")
        ops.append("EMC")
    return "\n".join(ops)


_NO_WORDS: dict = {}


@lru_cache(maxsize=64)
def _fill_colour(colour: str) -> str:
    """The fill colour operator of a text colour."""
    col = _colour(colour)
    return f"{col.red:.4f} {col.green:.4f} {col.blue:.4f} rg"


def _logical_order(pieces) -> list:
    """The indexes of a line's pieces in reading (logical) order."""
    if len(pieces) == 1:
        return [0]
    return sorted(range(len(pieces)), key=lambda i: min(map(_INDEX, pieces[i].clusters)))


def _quiet(entries) -> bool:
    """Whether every glyph of a segment stands for no text of its own (see _compose)."""
    for e in entries:
        t = e[1]
        if t not in SILENT and t != SOFT_HYPHEN:
            return False
    return True


@lru_cache(maxsize=8192)
def _rtl_letters(text: str) -> bool:
    """Whether a cluster's text has a right-to-left letter (bidi class R or AL)."""
    return not text.isascii() and max(text) >= FIRST_RTL \
        and any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


FIRST_RTL = "\u0590"      # no character before it is of bidi class R or AL (a test checks)


def _hole_maker(holes: list):
    def hole(what) -> str:
        holes.append(what)
        return f"\0{len(holes) - 1}\0"
    return hole


def _filled(writer: GlyphWriter, mark, h) -> str:
    """A hole's text in this document: a mark call ("M", "I") or a glyph-outline form ("O"),
    for :meth:`_Template.fill` and, as a line is first composed, for :func:`_compose` (the same
    calls in the same order: the order _compose makes the holes in)."""
    kind = h[0]
    if kind == "M":
        tag, mcid = mark(h[1], h[2], h[3])
        return f"/{tag} <</MCID {mcid}>> BDC"
    if kind == "I":
        return f"/MCID {mark(h[1], h[2], h[3])[1]} "
    return writer.outline(writer.fonts[h[1].name].font, h[2])      # "O"


class _Pending:
    """A font of a line template: its resource name is a hole, and each piece's glyphs are
    recorded (to be checked with ``EmbeddedFont.use_all`` when the template is filled)."""

    def __init__(self, font, holes_of, uses: list):
        self.font, self._holes_of, self._uses = font, holes_of, uses

    @property
    def resource(self) -> str:
        return self._holes_of(("F", self.font))

    def use_all(self, pairs) -> bool:
        self._uses.append((self.font, pairs))
        return True


class _Template:
    """A line's operators with holes (see :func:`_compose`), and the glyphs each piece draws
    (``uses``: (font, pairs) where the bodies are written with glyph ids; ``plans``: (font,
    plan) where they are holes)."""
    __slots__ = ("parts", "holes", "uses", "plans", "fast")

    def __init__(self, text: str, holes: list, uses: tuple, plans: tuple = ()):
        self.parts = tuple(text.split("\0"))       # odd places: the index of a hole
        self.holes, self.uses, self.plans = tuple(holes), uses, plans
        self.fast: _Template | None = None      # the bodies written with glyph ids (baked())

    def baked(self) -> "_Template":
        """This template with each TJ body written with glyph ids (what :func:`_compose` writes
        for a font whose codes are glyph ids), and the glyphs each piece draws as ``uses``."""
        out, holes = [], []
        parts, own = self.parts, self.holes
        for k, part in enumerate(parts):
            if k % 2 == 0:
                out.append(part)
                continue
            h = own[int(part)]
            if h[0] == "B":
                out.append(self.plans[h[1]][1].bodies[h[2]][h[3]])
            else:
                out.append(f"\0{len(holes)}\0")
                holes.append(h)
        return _Template("".join(out), holes, tuple((font, plan.pairs) for font, plan in self.plans))

    def fill(self, writer: GlyphWriter, mark, defer=None) -> str:
        """The text with each hole filled in order (the order line() made the calls in).
        ``defer(hole)``: where given, the holes that call into the document (a ``mark`` call, a
        glyph-outline form) are left open, as what ``defer`` returns for them (see _Run), and
        only the fonts' names and codes are filled."""
        bodies = []
        for font, plan in self.plans:       # as _compose does with the document's fonts
            emb = writer.embedded(font)
            bodies.append(plan.bodies if emb.use_all(plan.pairs) else plan.render(emb))
        parts = self.parts
        if len(parts) == 1:
            return parts[0]
        out = list(parts)
        holes = self.holes
        for k in range(1, len(parts), 2):
            h = holes[int(parts[k])]
            kind = h[0]
            if kind == "B":
                out[k] = bodies[h[1]][h[2]][h[3]]
            elif kind == "F":
                out[k] = writer.fonts[h[1].name].resource
            elif defer is not None:
                out[k] = defer(h)
            else:
                out[k] = _filled(writer, mark, h)
        return "".join(out)


# Lines drawn anew in each variant (a slot's) that are the same paragraph, line and place:
# (id of the paragraph, line, place) -> (a weak reference to it, place, templates). Weak: the
# paragraphs of every clinic's details stay shaped, and what drawing them adds must not.
_SLOT_TEMPLATES = Lru("pdf line templates", 512)


# A stamped clinic's lines that draw what another clinic's did (the same glyphs at the same place:
# the lines of a credit paragraph that names the clinic further on): (what the line draws) ->
# its templates by key, shared by every such line.
_SAME_LINES = Lru("pdf line templates by content", 256)


def _drawn_as(item: TextLine) -> tuple:
    """Everything :func:`_compose` reads of a line: its place, size and colour, its pieces (font,
    direction, width, link, glyphs, clusters) and where a layout hyphen is; the clusters' places
    in their paragraph counted from the line's start (they only order the pieces and find the
    layout hyphen: lines whose places differ by the same amount draw the same)."""
    pieces = item.pieces
    line = item.line
    base = line.start
    soft = line.end - base if getattr(line, "hyphen", False) else None
    return (item.x, item.y, item.size, item.colour, soft,
            tuple((p.font, p.rtl, p.width, p.style.href, p.glyphs,
                   tuple([(c[0], c[1], c[2], c[3] - base) for c in p.clusters])) for p in pieces))


def _template(item: TextLine, key: tuple, variant: bool = False) -> _Template | None:
    """The line's template for ``key``, made once and kept on the line (it lives as long as the
    laid-out pages; a stamped clinic's variant draws the pattern's own line objects) and, for
    the lines that slots draw anew in every variant, by paragraph, line and place. None for a
    line that sets words off the baseline (their anchors take codes of their own: worked out
    each time), and the first time a line is drawn: most lines of a first build are drawn once,
    and working one out directly costs less than making and filling its template; the template
    is made when the same line is drawn again. Kept only while the line is where and what it
    was made for. In a clinic's variant (``variant``), a line of a paragraph not seen before
    shares the templates of lines that draw the same (:func:`_drawn_as`)."""
    seen = (item.x, item.y, item.size, item.colour, item.line)
    store = item.__dict__.get("_pdf_templates")
    if store is None or store[0]() is not item.paragraph or store[1] != seen:
        shared = _Key((id(item.paragraph),) + seen)        # (hashed once: looked up, then stored)
        store = _SLOT_TEMPLATES.get(shared)
        if store is None or store[0]() is not item.paragraph:
            table = None
            if variant:
                same = _drawn_as(item)
                table = _SAME_LINES.get(same)
                if table is None:
                    table = {}
                    _SAME_LINES.put(same, table)
            store = (weakref.ref(item.paragraph), seen, table if table is not None else {})
            _SLOT_TEMPLATES.put(shared, store)
        item.__dict__["_pdf_templates"] = store
    cache = store[2]
    tpl = cache.get(key, _UNSEEN)
    if tpl is _UNSEEN:
        cache[key] = _DRAWN
        return None
    if tpl is not _DRAWN:
        return tpl
    soft = item.line.end if getattr(item.line, "hyphen", False) else None
    tpl = None
    if not any(_plan(p, soft is not None and p.clusters[0][3] == soft).words for p in item.pieces):
        holes: list = []
        uses: list = []
        pending: dict = {}
        hole = _hole_maker(holes)

        def embedded(font):
            if font.name not in pending:
                pending[font.name] = _Pending(font, hole, uses)
            return pending[font.name]
        plans: list = []        # (see GlyphWriter.line)
        text = _compose(item, key, embedded, hole, plans)
        tpl = _Template(text, holes, tuple(uses), tuple(plans))
        tpl.fast = tpl.baked()      # (drawn again: the glyph ids written in, tried first)
    cache[key] = tpl
    return tpl


_UNSEEN, _DRAWN = object(), object()    # a line not drawn yet, drawn once (see _template)


@lru_cache(maxsize=4096)
def _glyph_path(font, gid: int) -> str:
    """A glyph's outline as path operators, in font units (the caller scales it; whole units,
    a thousandth of an em or finer, are as exact as print needs)."""
    ops: list[str] = []
    last = [0.0, 0.0]

    def move(x, y, _):
        ops.append(f"{round(x)} {round(y)} m")
        last[:] = x, y

    def line(x, y, _):
        ops.append(f"{round(x)} {round(y)} l")
        last[:] = x, y

    def cubic(x1, y1, x2, y2, x, y, _):
        ops.append(" ".join(str(round(v)) for v in (x1, y1, x2, y2, x, y)) + " c")
        last[:] = x, y

    def quad(qx, qy, x, y, _):            # as the cubic it is
        x0, y0 = last
        cubic(x0 + 2 / 3 * (qx - x0), y0 + 2 / 3 * (qy - y0), x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x, y, _)

    funcs = hb.DrawFuncs()
    funcs.set_move_to_func(move)
    funcs.set_line_to_func(line)
    funcs.set_cubic_to_func(cubic)
    funcs.set_quadratic_to_func(quad)
    funcs.set_close_path_func(lambda _: ops.append("h"))
    font.hb.draw_glyph(gid, funcs, None)
    return " ".join(ops) if ops else "0 0 m"


def _scripts(piece) -> list[bool]:
    """Per cluster (logical order within the piece): whether it belongs to a run of Latin-script
    words. Letters decide; spaces, digits and punctuation between two Latin words go with them."""
    kinds = list(map(_latin_letters, map(_TEXT, piece.clusters)))
    if None not in kinds:
        return kinds            # (every cluster has letters: each is what its letters are)
    if True not in kinds:
        return [False] * len(kinds)     # (no Latin letters: what _by_passes gives)
    if False not in kinds:
        # Only Latin letters: the clusters from the first with letters to the last are Latin
        # (what _by_passes gives, in list operations).
        n, first = len(kinds), kinds.index(True)
        last = n - 1 - kinds[::-1].index(True)
        return [False] * first + [True] * (last + 1 - first) + [False] * (n - 1 - last)
    return _by_passes(kinds)


def _by_passes(kinds: list) -> list[bool]:
    """:func:`_scripts` from its clusters' kinds (Latin letters, other letters, None: no
    letters) in two passes, for any piece: a cluster without letters is Latin between two Latin
    ones."""
    after, last = [False] * len(kinds), False     # the next cluster with letters: Latin?
    for k in range(len(kinds) - 1, -1, -1):
        after[k] = last
        if kinds[k] is not None:
            last = kinds[k]
    out, before = [], False                        # the last cluster with letters: Latin?
    for k, kind in enumerate(kinds):
        if kind is None:
            kind = before and after[k]
        else:
            before = kind
        out.append(kind)
    return out


def _latin_letters_of(text: str) -> bool | None:
    """Whether a cluster's letters are all Latin (None: it has none)."""
    letters = [ch for ch in text if ch.isalpha()]
    return None if not letters else all(_is_latin(ch) for ch in letters)


_latin_letters = Kept("pdf.latin_letters", _latin_letters_of, 8192).__getitem__     # (asked once per cluster drawn)


@lru_cache(maxsize=4096)
def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")


SOFT_HYPHEN = "\u00ad"
# What a cluster's other glyphs read back as. Readers treat a missing or empty ToUnicode entry as
# unknown and guess a character from the code; an invisible format character (category Cf) is
# dropped by pdf.js and by text comparison, and read as nothing by screen readers: a word joiner
# in left-to-right text, a right-to-left mark in right-to-left text (PDFium's bidi splits a
# right-to-left line at a neutral character).
SILENT = ("\u2060", "\u200f")
_QUIET = frozenset((*SILENT, SOFT_HYPHEN))      # a one-glyph segment reads as one of these: it is _quiet
# A word space in right-to-left text. pdf.js makes spaces only from gaps in left-to-right
# progress and drops space characters; a right-to-left mark before the space (invisible, and
# of the text's own direction) makes pdf.js keep it. An ActualText of a plain space keeps
# poppler's text plain.
RTL_SPACE = "\u200f "
_MARKS = "".join(sorted(bidi.MARKS))
TOKEN_TAG = "LTRRun"    # marked content giving a token its text without its blank (_Plan.anchored)
SQUEEZE = 0.1       # horizontal scale of the invisible glyphs that carry a cluster's further characters


class _Plan:
    """A piece's glyphs as TJ bodies, in logical order.

    Each glyph reads back (ToUnicode) as the text it stands for: its own character where a
    cluster's glyphs are its characters' own glyphs in order, else the whole cluster's text on
    the cluster's first glyph and nothing (an invisible format character) on the others. A
    cluster of several glyphs that poppler or PDFium could put in the wrong order (a mark drawn
    where the next letter starts) also gets an ``/ActualText`` with its text. Segments: (rise in
    em, ActualText or None, [(gid, text, adjustment before it)])."""

    def __init__(self, piece, soft: bool):
        font = self.font = piece.font
        self.token_text: dict = {}      # (group, sub) -> a token's own text (see anchored())
        advances = _advances(font)      # glyph id -> its advance as the pen moves (em)
        pg, rtl = piece.glyphs, piece.rtl
        fscale = font.scale
        # Where each glyph's origin is (em of the font's own size, which is the type size
        # times its scale, from the piece's left edge), in visual order.
        origins = _origins(pg, fscale)
        clusters = piece.clusters[::-1] if rtl else piece.clusters
        latin = _scripts(piece)
        if rtl:
            latin.reverse()
        silent = SILENT[rtl]
        self.words: list[_Word] = []    # a cascading piece's words (each cluster a group of its own)
        cascading = _cascades(piece)
        bodies = None
        if not (rtl or soft or cascading):
            groups, pairs, deferred, pen, bodies = _plain(pg, clusters, latin, origins, advances, font)
        else:
            groups, pairs, deferred, pen = self._general(piece, soft, clusters, latin, origins, advances, cascading)
        # Raised or lowered glyphs that stand for no text (a mark the cluster's first glyph
        # reads for) come last. Right to left they are drawn as outlines, not text: as text
        # objects of their own, PDFium took one a few points above the letters for a new line,
        # split the line there and read its halves in the wrong order (left to right, the
        # halves of a split line keep their order).
        self.marks: tuple = ()
        if rtl:
            self.marks = tuple((gid, origins[g], pg[g][3]) for g, gid in deferred)
            deferred = []
        for g, gid in deferred:
            before = _adjust((pen - origins[g]) * 1000)
            groups.append([groups[-1][0] if groups else False,
                           [[pg[g][3], [(gid, silent, before)], False, None]]])
            pairs.append((gid, silent))
            pen += advances[gid] - before / 1000
        # Kept as tuples: a plan lives as long as its piece, and tuples of numbers and strings
        # are left alone by the garbage collector's full passes (lists are scanned every time).
        self.groups: tuple = _frozen(groups)
        self.pairs: tuple = Pairs(pairs)
        if bodies is None:
            bodies = self._bodies(None)
        elif deferred:      # (the groups _plain wrote, then one a glyph deferred)
            bodies += _bodies_of(self.groups[len(bodies):], None)
        self.bodies: tuple = bodies

    def _general(self, piece, soft: bool, clusters, latin, origins, advances, cascading: bool) -> tuple:
        """The groups, (glyph, text) pairs, raised or lowered glyphs standing for no text, and the
        pen's place at the end, of any piece (right to left, cascading, a layout hyphen; a plain
        left-to-right piece gets the same from :func:`_plain`, in one pass)."""
        font, pg, rtl = piece.font, piece.glyphs, piece.rtl
        nominal = font.hb.get_nominal_glyph
        silent = SILENT[rtl]
        starts = [origins[g] - pg[g][2] / font.scale for g in range(len(origins))] if cascading else ()
        groups: list = []               # [Latin-script run?, [[rise, [(gid, text, adjustment)], ...]]]
        pairs: list = []                # (gid, text) of every entry, in the order the groups hold them
        deferred: list = []
        own_group = rtl or cascading    # each cluster a group of its own
        subs = None
        pen = 0.0
        for (first, count, text, _), in_latin in zip(clusters, latin):
            if cascading:
                self._word(piece, len(groups), text, in_latin, pen, first, count, starts)
            extra = ()                         # characters drawn as invisible glyphs
            glyphs: list | tuple
            if count == 1:
                glyphs = (first,)
                gids = (pg[first][0],)
            else:
                glyphs = list(range(first, first + count))
                if rtl:
                    # The widest glyph (the letter, not a mark on it) first: it carries the text.
                    glyphs.sort(key=lambda g: (-pg[g][1], -g))
                gids = [pg[g][0] for g in glyphs]
            if soft:
                texts = (SOFT_HYPHEN,)         # a layout hyphen is not text
            elif rtl:
                # Right to left, readers disagree on the order of a glyph's characters and of a
                # mark and its base: the cluster's first character on its first glyph, each
                # further one on an empty glyph a hair further left, nothing on the others.
                # Direction marks the bidi layer gave a bracket or sign (paragraph._marked) are
                # not a first character: they go on the glyph's own text with it, on the side
                # they were typed (right to left on the page: a mark typed before is to the
                # right), where the ActualText put them before. Taken as the first character,
                # the mark alone was the glyph's text (poppler drops it) and the bracket went
                # on an invisible carrier, so poppler read the bracket into the neighbouring run.
                pre, core, post = _split_marks(text)       # (a table's look-up)
                head = RTL_SPACE if core == " " else core[:1]     # (a marked space: see line())
                texts = [post[::-1] + head + pre[::-1]] + [silent] * (count - 1)
                extra = core[1:]
            elif count == 1:
                texts = (text,)                # (what either rule below gives one glyph)
            elif count == len(text) and gids == [nominal(ord(ch)) for ch in text] \
                    and all(pg[g][1] for g in glyphs[1:]):
                texts = text
            else:
                texts = [text] + [silent] * (count - 1)
            if own_group or not groups or groups[-1][0] != in_latin:
                groups.append([in_latin, []])
                subs = groups[-1][1]
            for g, gid, t in zip(glyphs, gids, texts):
                dy = pg[g][3]
                if dy and t == silent:
                    deferred.append((g, gid))
                    continue
                if rtl or not subs or subs[-1][0] != dy:     # PDFium reorders inside a TJ
                    subs.append([dy, [], False, None])
                v = (pen - origins[g]) * 1000
                before = 0.0 if -0.0004 < v < 0.0004 else _adjust(v)    # (a shortcut: _adjust gives 0.0 here)
                subs[-1][1].append((gid, t, before))
                pairs.append((gid, t))
                pen += advances[gid] - before / 1000
            if extra:
                left = min(origins[g] for g in glyphs)
                # Each further character on an invisible copy of the first glyph, squeezed just
                # to its left (PDFium skips text objects without ink and orders them by where
                # they start; poppler splits words at overlapping glyphs).
                carrier = gids[0]
                for k, ch in enumerate(extra, 1):   # line() puts the pen back after each
                    left -= 0.001
                    grow = 1 + 0.001 * k              # each carrier a size of its own (see line())
                    before = _adjust((pen - left) * 1000 / (SQUEEZE * grow))
                    subs.append([0.0, [(carrier, ch, before)], grow, pen])
                    pairs.append((carrier, ch))
            if cascading and self.words and self.words[-1].end == len(groups):
                self.words[-1].pen_after = pen
        return groups, pairs, deferred, pen

    def _word(self, piece, group: int, text: str, latin: bool, pen: float, first: int, count: int,
              starts: list) -> None:
        """Start or extend the word that a cluster of a cascading piece belongs to (words end
        at a space and where Latin-script words begin or end)."""
        core = text.strip(_MARKS)
        if not core or core.isspace():
            return
        left = min(starts[g] for g in range(first, first + count))
        right = max(starts[g] + piece.glyphs[g][1] / piece.font.scale for g in range(first, first + count))
        last = self.words[-1] if self.words else None
        if last is not None and last.end == group and last.latin == latin:
            last.text += text
            last.left, last.right = min(last.left, left), max(last.right, right)
            last.end = group + 1
        else:
            self.words.append(_Word(group, group + 1, text, latin, left, right, pen, pen, piece))

    def _tokens(self) -> list | None:
        """The piece's glyphs as PDFium's bidi sees them: runs of letters, of digits, and each
        other character alone, with where each glyph's origin is (em from the piece's left)."""
        font = self.font
        cached = getattr(self, "_token_cache", 0)
        if cached != 0:
            return cached
        self._token_cache = None
        if any(rise or hidden for _, subs in self.groups for rise, _, hidden, _ in subs) \
                or font.hb.get_nominal_glyph(32) is None:
            return None
        tokens: list = []
        pen = 0.0
        advances = _advances(font)      # (each glyph's /W advance in em, kept with the font)
        kind_of = _pdfium_class
        last = None
        for latin, subs in self.groups:
            for _, entries, _, _ in subs:
                for gid, text, before in entries:
                    origin = pen - before / 1000
                    kind = (latin, kind_of(text))
                    if kind != last or kind[1] == "N":
                        glyphs: list = []
                        tokens.append((kind, glyphs))
                        last = kind
                    glyphs.append((gid, text, origin))
                    pen = origin + advances[gid]
        self._token_cache = tokens
        return tokens

    def tokens(self) -> int:
        """How many text objects :meth:`anchored` writes (0: it leaves the piece as it is)."""
        got = self._tokens()
        return len(got) if got else 0

    def anchored(self, right: float, k0: int) -> "_Plan":
        """This left-to-right piece of a right-to-left line, written for PDFium's reading.

        PDFium sorts a line's text objects by where they start and then reverses the order of
        the line's runs of one direction, and every space, dot or bracket is a run of its own:
        the words of an English name or the parts of a web address came back in reverse
        ("org.theinterventionalinitiative"). Here each run of letters, of digits and each other
        character is a text object of its own that starts with a blank glyph (the font's
        space) just inside the right end of the left-to-right run (``right``, em from the
        piece's left edge), each further one (``k0`` counts those of the run's earlier pieces)
        a hair more to the left, and then steps back to where its glyphs are drawn: PDFium
        meets them in reverse and so reads them in order. Every glyph is drawn where it was;
        pdf.js and MuPDF (content order) and poppler (the glyphs' places) read the same words."""
        key = (round(right, 4), k0)
        done = self.__dict__.setdefault("_anchored", {})
        if key in done:
            return done[key]
        tokens = self._tokens()
        if not tokens:
            return self     # (not kept in ``done``: the plan would hold itself, a cycle; _tokens is kept)
        font = self.font
        space = font.hb.get_nominal_glyph(32)
        plan = _Plan.__new__(_Plan)      # (what copy.copy makes of it, without its generic path)
        plan.__dict__.update(self.__dict__)
        groups: list = []
        pairs: list = []            # (glyph, text) of every entry, in order
        token_text: dict = {}       # (group, sub) -> the token's own text (its glyphs', not the blank's)
        pen = 0.0
        advances = _advances(font)      # (each glyph's /W advance in em, kept with the font)
        wspace = advances[space]
        for k, ((latin, _), glyphs) in enumerate(tokens, k0 + 1):
            anchor = right - 0.001 * k        # (not by the blank's width: fonts differ in it)
            entries = [(space, " ", _adjust((pen - anchor) * 1000))]
            pairs.append((space, " "))
            pen = anchor + wspace
            first = True
            for gid, text, origin in glyphs:
                if first:
                    # A thousandth or two of an em off: pdf.js takes a glyph that lands exactly
                    # where the last one ended, after a blank, for the next word (a space in
                    # "leaflets . example . org"); one a hair off it joins to the word. (Two
                    # amounts in turn: a one-glyph token before was moved as well.)
                    origin += 0.001 * (1 + k % 2)
                    first = False
                entries.append((gid, text, _adjust((pen - origin) * 1000)))
                pairs.append((gid, text))
                pen = origin + advances[gid]
            if not groups or groups[-1][0] != latin:
                groups.append([latin, []])
            subs = groups[-1][1]
            token_text[len(groups) - 1, len(subs)] = "".join([g[1] for g in glyphs])
            subs.append([0.0, entries, False, None])
        plan.groups = _frozen(groups)
        plan.token_text = token_text
        plan.pairs = Pairs(pairs)
        plan.bodies = plan._bodies(None)
        plan.__dict__["_anchored"] = {}
        plan.__dict__.pop("_rendered", None)        # (the copy's bodies are its own)
        done[key] = plan
        return plan

    def _bodies(self, codes) -> tuple:
        """Per group, per rise: the TJ array's body, with ``codes`` (an iterator giving each
        entry's code in order) or, without, the glyph ids."""
        return _bodies_of(self.groups, codes)

    def render(self, emb: EmbeddedFont) -> list:
        """The bodies with the document's codes (asked for in the order _bodies writes them).
        The last result is kept with the plan: the same codes give the same bodies."""
        codes = emb.codes(self.pairs)
        last = self.__dict__.get("_rendered")
        if last is not None and last[0] == codes:
            return last[1]
        bodies = self._bodies(iter(codes))
        self._rendered = (codes, bodies)
        return bodies


def _bodies_of(groups, codes) -> tuple:
    """The TJ bodies of a plan's ``groups`` (see :meth:`_Plan._bodies`)."""
    out = []
    hexes = HEX_CODE
    for _, subs in groups:
        bodies = []
        for _, entries, _, _ in subs:
            if len(entries) == 1:       # (right to left, a segment a glyph: the join of one or two parts)
                gid, _, before = entries[0]
                code = hexes[gid if codes is None else next(codes)]
                bodies.append(f"{_num(before)} {code}" if before else code)
                continue
            parts = []
            for gid, _, before in entries:
                if before:
                    parts.append(_num(before))
                parts.append(hexes[gid if codes is None else next(codes)])
            bodies.append(" ".join(parts))
        out.append(tuple(bodies))
    return tuple(out)


class _Word:
    """A word of a piece that sets letters off the baseline (Nastaliq's cascade sets nearly
    every letter higher or lower than the one after it). Drawn glyph by glyph, such letters land
    on lines of their own in poppler. The word's glyphs (groups ``start`` to ``end`` of the
    plan) are drawn as the plan has them, inside one ``/ActualText`` span that opens and closes
    with an invisible space glyph on the baseline at the word's left and right edges: poppler
    puts the span where its first glyph starts and ends it where its last one ends, so it keeps
    each word on its line and its letters in order. Readers that take the glyphs' own text
    (pdf.js) read the anchors as an invisible format character."""

    def __init__(self, start, end, text, latin, left, right, pen_before, pen_after, piece):
        self.start, self.end, self.text, self.latin = start, end, text, latin
        self.left, self.right = left, right            # em (of the font's size) from the piece's left edge
        self.pen_before, self.pen_after = pen_before, pen_after
        # The piece's font and direction, not the piece: the piece keeps its plan, which keeps
        # its words (a word keeping the piece made a reference cycle, see gcpolicy.py).
        self.font, self.rtl = piece.font, piece.rtl

    def _anchor(self, emb: EmbeddedFont) -> tuple[int, float] | None:
        font = self.font
        space = font.hb.get_nominal_glyph(0x20)
        if not space:
            return None
        return emb.code(space, SILENT[self.rtl]), font.hb.get_glyph_h_advance(space) / font.upem

    def open(self, emb: EmbeddedFont, size: float, x: float, y: float) -> str:
        # Poppler spreads an ActualText over the span's width left to right.
        actual = self.text[::-1] if self.rtl else self.text
        out = f"/Span <</ActualText <FEFF{utf16_hex(actual)}>>> BDC"
        anchor = self._anchor(emb)
        if anchor is not None:
            out += (f" 1 0 0 1 {_num(x + self.left * size)} {_num(y)} Tm <{anchor[0]:04X}> Tj"
                    f" 1 0 0 1 {_num(x + self.pen_before * size)} {_num(y)} Tm")
        return out

    def close(self, emb: EmbeddedFont, size: float, x: float, y: float) -> str:
        anchor = self._anchor(emb)
        if anchor is None:
            return "EMC"
        # Poppler takes the span's type size from where it ends, and gathers lines into a
        # paragraph only when their baselines are close for that size. A cascading face's lines
        # stand far apart (Nastaliq: 2.5 em of ink, lines about 2 em apart), so the closing
        # anchor is set at the size a face of ordinary height would have for the same ink.
        big = size * self.font.reading_scale
        code, advance = anchor
        return (f"/{emb.resource} {_num(big)} Tf 1 0 0 1 {_num(x + self.right * size - advance * big)} {_num(y)} Tm"
                f" <{code:04X}> Tj /{emb.resource} {_num(size)} Tf"
                f" 1 0 0 1 {_num(x + self.pen_after * size)} {_num(y)} Tm EMC")


def _cascades(piece) -> bool:
    """Whether a piece sets a letter (a glyph that advances) off the baseline: a property of the
    font's shaping (Nastaliq), not of a language."""
    if not any(map(_DY, piece.glyphs)):
        return False            # (nothing off the baseline: most pieces)
    for g in piece.glyphs:
        if g[3] and g[1] > 0 and abs(g[3]) > 1e-6:
            return True
    return False


def _plain(pg, clusters, latin, origins, advances, font) -> tuple:
    """What :class:`_Plan` works out for a left-to-right piece that neither cascades nor is a
    layout hyphen (most pieces), in one pass: its groups, (glyph, text) pairs, the raised or
    lowered glyphs that stand for no text (to be added after), the pen's place at the end and the
    TJ bodies written with glyph ids (as _Plan._bodies writes them)."""
    silent = SILENT[0]
    hexes = HEX_CODE
    if len(clusters) == len(pg):
        # One glyph a cluster (most pieces): the cluster's glyph, its text and script as they are.
        flat = zip(map(_FIRST, clusters), map(_TEXT, clusters), latin)
    else:
        flat = _flat(pg, clusters, latin, font)
    groups: list = []
    pairs: list = []
    pair = pairs.append
    deferred: list = []
    bodies: list = []           # per group, per sub: the parts of its TJ body
    pen = 0.0
    latin_now = subs = entries = rise = parts = group_parts = None
    for g, t, in_latin in flat:
        if subs is None or in_latin != latin_now:       # (only ever at a cluster's first glyph)
            subs, group_parts = [], []
            groups.append([in_latin, subs])
            bodies.append(group_parts)
            latin_now, entries = in_latin, None
        gid, _, _, dy = pg[g]
        if dy and t == silent:
            deferred.append((g, gid))
            continue
        if entries is None or rise != dy:
            entries, parts, rise = [], [], dy
            subs.append([dy, entries, False, None])
            group_parts.append(parts)
        v = (pen - origins[g]) * 1000
        if -0.0004 < v < 0.0004:
            # (what rounding to three places gives: no adjustment, and the pen moves by the
            # glyph's width alone)
            entries.append((gid, t, 0.0))
            pen += advances[gid]
        else:
            before = round(v, 3)     # (as _adjust)
            if -0.0005 < before < 0.0005:
                before = 0.0
            else:
                parts.append(_num(before))
            entries.append((gid, t, before))
            pen += advances[gid] - before / 1000
        pair((gid, t))
        parts.append(hexes[gid])
    return groups, pairs, deferred, pen, tuple(tuple(" ".join(p) for p in gp) for gp in bodies)


def _flat(pg, clusters, latin, font) -> zip:
    """Each glyph of a left-to-right piece with the text it reads as and its cluster's script:
    a cluster's glyphs read as its characters where they are those characters' own glyphs, in
    order, each advancing; else the first glyph reads as the cluster's text and the others as
    nothing (an invisible format character)."""
    silent = SILENT[0]
    nominal = font.hb.get_nominal_glyph
    gs: list = []
    ts: list = []
    ls: list = []
    for (first, count, text, _), in_latin in zip(clusters, latin):
        if count == 1:
            gs.append(first)
            ts.append(text)
            ls.append(in_latin)
            continue
        span = range(first, first + count)
        if count == len(text) and [pg[g][0] for g in span] == [nominal(ord(ch)) for ch in text] \
                and all(pg[g][1] for g in span[1:]):
            ts.extend(text)
        else:
            ts.append(text)
            ts.extend([silent] * (count - 1))
        gs.extend(span)
        ls.extend([in_latin] * count)
    return zip(gs, ts, ls)


class _Advances(dict):
    """A font's glyph advances as the pen moves in a plan (em, rounded as /W writes them). Kept
    with the font, it holds the font's thousandths (pdffont), not the font (no cycle)."""

    def __init__(self, font):
        super().__init__()
        self.thousandths = thousandths_of(font)

    def __missing__(self, gid: int) -> float:
        got = self[gid] = self.thousandths[gid] / 1000
        return got


def _advances(font) -> dict:
    """A font's :class:`_Advances`, kept with the font (at most one entry a glyph of the font:
    bounded by the font itself)."""
    got = font.__dict__.get("_plan_advances")
    if got is None:
        got = font._plan_advances = _Advances(font)
    return got


def _origins(pg, fscale: float) -> list:
    """Where each glyph's origin is (em of the font's own size, from the piece's left edge): the
    pen (0, then plus each glyph's advance over the font's scale) plus the glyph's offset over
    the scale, each operation made in C in the order a loop glyph by glyph makes it (the same
    numbers: tests/test_line_plans.py compares them with the loop's)."""
    shifted = any(map(_DX, pg))
    if fscale == 1 and not shifted:
        # A division by one and an addition of zero change no number.
        out = list(accumulate(map(_AX, pg), initial=0.0))
        out.pop()
        return out
    pens = list(accumulate(map(truediv, map(_AX, pg), repeat(fscale)), initial=0.0))
    pens.pop()
    # (unshifted: the pen plus zero is the pen; it never is -0.0, summed from 0.0)
    return list(map(add, pens, map(truediv, map(_DX, pg), repeat(fscale)))) if shifted else pens


_FIRST, _AX, _DX, _DY, _TEXT, _INDEX = (itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(3), itemgetter(2),
                                        itemgetter(3))
_CLUSTER = itemgetter(0, 1, 2)      # a cluster without its logical index: (first glyph, count, text)


def _frozen(groups: list) -> tuple:
    """A plan's groups as tuples (see _Plan)."""
    return tuple([(latin, tuple([(rise, tuple(entries), hidden, resume) for rise, entries, hidden, resume in subs]))
                  for latin, subs in groups])       # (lists, not generators: the same tuples, made faster)


def _pdfium_class_of(text: str) -> str:
    """How PDFium's bidi groups a glyph's text: letters (L), digits (D) or other (N)."""
    ch = text.strip(_MARKS)[:1]
    if not ch:
        return "N"
    kind = unicodedata.bidirectional(ch)
    return "L" if kind == "L" else "D" if kind in ("EN", "AN") else "N"


_pdfium_class = Kept("pdf.pdfium_class", _pdfium_class_of, 4096).__getitem__     # (a glyph's text: a character or a few)


def _split_marks_of(text: str) -> tuple[str, str, str]:
    """A cluster's text as (direction marks before, the rest, direction marks after)."""
    a, b = 0, len(text)
    while a < b - 1 and text[a] in bidi.MARKS:
        a += 1
    while b > a + 1 and text[b - 1] in bidi.MARKS:
        b -= 1
    return text[:a], text[a:b], text[b:]


_split_marks = Kept("pdf.split_marks", _split_marks_of, 8192).__getitem__     # (asked once per right-to-left cluster drawn)


# A piece's plan by what it is made from (font, direction, layout hyphen, glyphs, clusters'
# glyphs and text): a clinic's lines are new pieces in every variant, but many of them are the
# same words ("Questions? Contact us:", a credit line, " · ", the clinic's name twice).
_PLANS = Lru("pdf piece plans", 64)


def _plan(piece, soft: bool, shared: bool = True) -> _Plan:
    """The piece's plan, worked out once and kept with the piece (the line cache shares pieces
    between documents and layouts), and, ``shared``, shared by pieces made of the same glyphs
    and text (a plan reads nothing else of its piece: the key is all it is made from). Only a
    clinic's variant asks for that: its clinic's lines are new pieces of the same words in every
    variant, while in a first build a piece made of another's glyphs and text is rare (about one
    plan in 40 of 30 first builds) and the key costs what a tenth of the plans cost."""
    plan = getattr(piece, "_plan", None)
    if plan is None:
        if not shared:
            plan = piece._plan = _Plan(piece, soft)
            return plan
        key = _Key((piece.font, piece.rtl, soft, piece.glyphs, tuple(map(_CLUSTER, piece.clusters))))
        plan = _PLANS.get(key)
        if plan is None:
            plan = _Plan(piece, soft)
            _PLANS.put(key, plan)
        piece._plan = plan
    return plan


class _Key:
    """A cache key made of many parts (a piece's glyphs: a few dozen tuples of numbers), hashed
    once: a lookup and a store hash it three times."""
    __slots__ = ("parts", "hash")

    def __init__(self, parts: tuple):
        self.parts, self.hash = parts, hash(parts)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other) -> bool:
        return isinstance(other, _Key) and self.hash == other.hash and self.parts == other.parts


def _pdfium_rtl(item: TextLine) -> bool:
    """Whether PDFium reads this line right to left in a document that does not say its order
    is right to left: it has at least as many runs of right-to-left letters as of left-to-right
    ones (PDFium's CFX_BidiString)."""
    para = item.paragraph
    if not para.rtl and not _has_rtl_letters(para):
        return False        # (a left-to-right paragraph's clusters are pieces of its text)
    if not any(_rtl_letters(c[2]) for piece in item.pieces for c in piece.clusters):
        return False        # (no run of right-to-left letters at all)
    kinds = []
    for piece in item.pieces:
        for *_, text, index in piece.clusters:
            for ch in text:
                b = unicodedata.bidirectional(ch)
                kinds.append((index, "R" if b in ("R", "AL") else "L" if b == "L" else ""))
    kinds.sort(key=lambda k: k[0])
    runs = {"R": 0, "L": 0, "": 0}
    last = None
    for _, kind in kinds:
        if kind != last:
            runs[kind] += 1
            last = kind
    return runs["R"] > 0 and runs["R"] >= runs["L"]


def _has_rtl_letters(paragraph) -> bool:
    """Whether a paragraph's text has a right-to-left letter, worked out once per paragraph."""
    cached = paragraph.__dict__.get("_rtl_letters")
    if cached is None:
        cached = paragraph._rtl_letters = _rtl_letters.__wrapped__(paragraph.text)     # (not kept in the clusters' cache)
    return cached


def _ltr_runs(item: TextLine, xs: list, soft, shared: bool = True) -> dict:
    """For the left-to-right pieces of a right-to-left line, by piece index: where the run of
    such pieces they belong to ends on the right (em from the piece's left edge) and how many
    tokens (see :meth:`_Plan.anchored`) the run's earlier pieces hold."""
    pieces, size = item.pieces, item.size
    order = _logical_order(pieces)
    out: dict = {}
    run: list = []
    for i in order + [None]:
        if i is not None and not pieces[i].rtl:
            run.append(i)
            continue
        if run:
            right = max(xs[j] + pieces[j].width * size for j in run)
            k0, found = 0, {}
            for j in run:
                found[j] = ((right - xs[j]) / (size * pieces[j].font.scale), k0)     # em of the piece's font
                k0 += _plan(pieces[j], soft is not None and pieces[j].clusters[0][3] == soft, shared).tokens()
            if k0 > 1:                  # a single word PDFium reads right as it is
                out.update(found)
            run = []
    return out


def _adjust(v: float) -> float:
    """A TJ adjustment as written (thousandths of an em, three decimals)."""
    v = round(v, 3)
    return 0.0 if abs(v) < 0.0005 else v


def _number(v: float) -> str:
    """A number as the content stream writes it (three decimals at most, no trailing zeros)."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# (positions, sizes and adjustments recur: a lookup, not formatting)
_num = Kept("pdf.numbers", _number, 8192).__getitem__


def render_pdf(laid: LaidOut, meta: Metadata, tagged: bool = True) -> bytes:
    """The PDF's bytes. ``tagged=False`` exists only so the benchmark can measure what tagging
    costs; leaflets are always tagged."""
    buf = io.BytesIO()
    W, H = laid.pages[0].width, laid.pages[0].height
    c = Canvas(buf, pagesize=(W, H), invariant=1, pageCompression=1, lang=meta.lang,
               initialFontName=_base_font())
    c.setTitle(meta.title)
    c.setAuthor(meta.author)
    c.setSubject(meta.subject)
    c.setKeywords(meta.keywords)
    c.setCreator("leafpress")
    c.setViewerPreference("DisplayDocTitle", "true")
    if _right_to_left(laid):
        # The predominant reading order; PDFium orders the runs of a mixed line by it.
        c.setViewerPreference("Direction", "R2L")
    writer = GlyphWriter(c)
    writer.right_to_left = _right_to_left(laid)
    writer.variant = laid.known is not None
    tagger = Tagger(laid.lang or meta.lang, laid.parts)
    # Footer text repeats on every page: it is tagged once (its last appearance), an artifact elsewhere.
    last_seen = {}
    for pi, page in enumerate(laid.pages):
        for item in page.items:
            if isinstance(item, TextLine) and item.node.furniture:
                last_seen[(item.lang, item.node)] = pi
    bookmarks = []
    outline = _outline(laid)
    n_pages = len(laid.pages)
    runs = _runs(laid, (writer.right_to_left, tagger.lang)) if tagged else None
    for pi, page in enumerate(laid.pages):
        c.setPageSize((page.width, page.height))
        tagger.new_page()
        lines: dict | None = None   # the page's text lines by node, once a drawing asks (_picture_lang)

        def lines_of(page=page) -> dict:
            nonlocal lines
            if lines is None:
                lines = _line_index(page)
            return lines

        def draw(item, pi=pi) -> None:
            if not tagged:
                _draw(c, writer, item, None)
                return
            role = _role(item, pi, last_seen)
            if role == "Artifact":
                c.addLiteral("/Artifact BMC")
                _draw(c, writer, item, None)
                c.addLiteral("EMC")
                return
            if isinstance(item, TextLine):
                lang = item.lang or tagger.lang
            else:
                lang = _picture_lang(lines_of(), item) or laid.lang
            elem = tagger.elem(lang, item.node, role)
            quote = _quote_lang(laid, item)
            mark = partial(_marked, tagger, elem, pi, quote)
            if isinstance(item, TextLine):
                c.addLiteral(writer.line(item, mark, quoting=quote is not None))
            else:
                tag, mcid = mark(None)
                if isinstance(item, Picture):
                    elem.bbox = [item.x, item.y, item.x + item.w, item.y + item.h]
                c.addLiteral(f"/{tag} <</MCID {mcid}>> BDC")
                _draw(c, writer, item, None)
                c.addLiteral("EMC")

        items = page.items
        if runs is None:
            for item in items:
                draw(item)
        else:
            # A stamped clinic's page: the stretches of the pattern's own items between the
            # clinic's slots are drawn as one (_Run) where this document's state allows.
            own, store = runs
            n_items, i = len(items), 0
            page_ctx = (c, writer, tagger, pi, last_seen, laid, lines_of)
            while i < n_items:
                if id(items[i]) not in own:
                    draw(items[i])
                    i += 1
                    continue
                j = i + 1
                while j < n_items and id(items[j]) in own:
                    j += 1
                if j - i < 2 or not _Run.drawn(store, items, i, j, page_ctx):
                    for item in items[i:j]:
                        draw(item)
                i = j
        qr_spots = {_spot(item) for item in page.items
                    if isinstance(item, Picture) and item.node is not None and item.node.kind == "qr"}
        for link in _merged_links(page.links):
            if not tagged:
                c.linkURL(link.url, (link.x, link.y, link.x + link.w, link.y + link.h), relative=0, thickness=0)
                continue
            rect = (link.x, link.y, link.w, link.h)
            target = tagger.link_on_page(pi, link.url, tagger.lang, rect, qr=_spot(link) in qr_spots)
            key = n_pages + len(tagger.annots)
            c.linkURL(link.url, (link.x, link.y, link.x + link.w, link.y + link.h), relative=0, thickness=0,
                      StructParent=key, Contents=PDFString(target.alt or link.url), F=4)   # F 4: Print
            ref = c._doc.refAnnotation("NUMBER" + repr(c._annotationCount))
            tagger.annots.append((target, ref))
            target.kids.append(("objr", pi, ref))
        for f in page.fields:
            # A fillable field over a write-in line: its tooltip is the label (what a screen
            # reader says); tagged as a Form element holding the widget annotation.
            c.acroForm.textfield(name=f.name, tooltip=f.label, x=f.x, y=f.y, width=f.w, height=f.h,
                                 borderWidth=0, fillColor=None, fontSize=11, maxlen=200)
            if tagged:
                ref = c._doc.refAnnotation("NUMBER" + repr(c._annotationCount))
                widget = c._doc.idToObject[ref.name]
                key = n_pages + len(tagger.annots)
                widget.dict["StructParent"] = key
                form = tagger.form(f.lang, f.node, pi)
                tagger.annots.append((form, ref))
                form.kids.append(("objr", pi, ref))
        for n, entry in enumerate(outline):
            if entry.page == pi:
                key = f"s{n}"
                c.bookmarkHorizontalAbsolute(key, entry.y)
                bookmarks.append((n, key, entry))
        c.showPage()
        pdf_page = c._doc.Pages.pages[-1]
        page_stream_once(pdf_page, None if laid.known is None else (id(laid.known), pi))
        if laid.print_boxes is not None:
            _print_boxes(pdf_page, page, laid.print_boxes)
        if not tagged:
            continue
        pdf_page.__NoDefault__ = list(type(pdf_page).__NoDefault__) + ["StructParents", "Tabs"]
        pdf_page.StructParents = pi
        pdf_page.Tabs = PDFName("S")
    for _, key, entry in sorted(bookmarks, key=lambda t: t[0]):
        c.addOutlineEntry(entry.title, key, entry.level)
    c.showOutline()
    if tagged:
        tagger.write(c._doc, [f"Page{i + 1}" for i in range(n_pages)], laid.alts,
                     {"title": meta.title, "author": meta.author, "subject": meta.subject, "keywords": meta.keywords})
        add_output_intent(c._doc)
    return document_bytes(c)


def _role(item, pi: int, last_seen: dict) -> str:
    """The structure role an item is drawn in on page ``pi`` ("Artifact": not tagged). Footer
    text repeats on every page: it is tagged once (its last appearance, ``last_seen``)."""
    role = getattr(item, "role", "Artifact")
    if isinstance(item, TextLine) and item.node.furniture and last_seen.get((item.lang, item.node)) != pi:
        role = "Artifact"
    if isinstance(item, Box) and role != "Label":
        role = "Artifact"
    return role


def _marked(tagger: Tagger, elem, pi: int, quote, href, latin=False, rect=None) -> tuple:
    """(tag, MCID) of a piece of an item's content (``elem``'s, or its link's, or a Span's with
    the language ``quote`` for Latin-script words): what a line template's ``mark`` gives."""
    target = tagger.link(elem, href, pi, rect) if href else elem
    if latin and quote:                           # /Lang on a foreign term
        if target.type == "Link":
            target.lang = quote
        else:
            target = tagger.span(target, quote, pi)
    return target.type, tagger.mcid(pi, target)


def _runs(laid: LaidOut, key: tuple) -> tuple | None:
    """For a stamped clinic's pages (a pattern's :class:`~leafpress.layout.stamp.Known`): the
    ids of the pattern's own items and where their :class:`_Run` s are kept (with the pattern,
    for as long as it lives), with what they depend on besides the items."""
    known = laid.known
    own = getattr(known, "ids", None)
    if own is None:
        return None
    return own, (known.__dict__.setdefault("_pdf_runs", {}), key + (laid.lang, laid.quote_lang, laid.parts))


_RUN_TRIES = 3      # a stretch that cannot be made into a run after this many documents is drawn item by item


class _Run:
    """A stretch of a pattern page's own items (between two clinic slots) as its operators, made
    once and drawn in every clinic's variant: the items' lines filled with this document's font
    names and codes, the boxes, rules and pictures' operators as they are; left open only what
    calls into the document (each item's structure element, ``mark`` calls, glyph-outline
    forms), filled per document in the order drawing item by item makes the calls.

    The fonts' names and codes a stretch was filled with are those the document gives only
    where its fonts are in the same state for the stretch's glyphs: each font's name, the text
    each glyph of the stretch already stands for, the codes of its own any (glyph, text) pair of
    the stretch has, and the next free code where the stretch takes new ones. That is checked
    per document (:meth:`_replay`); then the stretch's own effect on the fonts (the glyphs and
    codes it added) is applied as recorded, else its items are drawn one by one. The footer's
    lines' roles (tagged on their last page only) are checked the same way.
    ``tests/test_pdf_reuse.py`` compares variants drawn from runs with the same drawn item by
    item, and a document where a run's check must fail."""

    __slots__ = ("items", "parts", "holes", "info", "furniture", "fonts", "new_fonts", "count")
    items: tuple        # the pattern's items it draws
    parts: tuple        # its text split at the holes (the odd places are the holes)
    holes: tuple        # in the text's order: ("E", item) its structure element ("S": the last one's), ("M"/"I",
    #                     item, href, latin, rect) its marked content, ("P", item) a drawing's, ("O", item, font, glyph)
    info: tuple         # per item: (item, role, language or None for a picture's, quote)
    furniture: tuple    # ((language, node), tagged on this page?) for the footer's lines
    fonts: tuple        # per font it draws with: what it read of the font's state, what it left and added
    new_fonts: tuple    # the fonts it embedded first, in order
    count: int          # how many fonts the document had before it

    @staticmethod
    def drawn(store, items: list, i: int, j: int, ctx) -> bool:
        """Draw ``items[i:j]`` (the pattern's own) as a run: False when this document cannot
        (nothing drawn then)."""
        runs, prefix = store
        key = (ctx[3], id(items[i]), j - i) + prefix
        run = runs.get(key)
        if isinstance(run, _Run) and all(map(operator.is_, run.items, items[i:j])):
            return run._replay(ctx)
        tries = run if isinstance(run, int) else 0
        if tries >= _RUN_TRIES:
            return False
        made = _Run._record(items[i:j], ctx)
        runs[key] = made if made is not None else tries + 1
        return made is not None

    @staticmethod
    def _record(items: list, ctx) -> "_Run | None":
        """The run of ``items``, filled with the document's fonts as they are now, or None where
        an item cannot be part of one (a line without a template yet or ever, a raster, a
        drawing not converted yet: they call into the document)."""
        c, writer, tagger, pi, last_seen, laid, _ = ctx
        rtl = writer.right_to_left
        info: list = []
        templates: list = []
        missing = False
        reads: dict = {}            # font name -> [font, glyphs, (glyph, text) pairs] the run reads
        for item in items:
            role = _role(item, pi, last_seen)
            quote = None
            if isinstance(item, TextLine):
                if role != "Artifact":
                    quote = _quote_lang(laid, item)
                tpl = _template(item, (rtl, role != "Artifact", quote is not None))
                templates.append(tpl)
                if tpl is None or tpl.fast is None:
                    missing = True      # (every line is asked: the next document has their templates)
                    continue
                for font, pairs in tpl.fast.uses:
                    got = reads.get(font.name)
                    if got is None:
                        got = reads[font.name] = [font, {}, {}]
                    got[1].update(dict.fromkeys(g for g, _ in pairs))
                    got[2].update(dict.fromkeys(pairs))
            elif isinstance(item, (Box, Rule)) or (isinstance(item, Picture) and (
                    isinstance(item.source, Qr) or (isinstance(item.source, Svg) and stored_ops(item.source)))):
                templates.append(None)
            else:
                return None
            lang = (item.lang or tagger.lang) if isinstance(item, TextLine) else None
            info.append((item, role, lang, quote))
        if missing:
            return None
        fonts = writer.fonts
        names = list(fonts)
        before = {}
        for name, (font, glyphs, pairs) in reads.items():
            emb = fonts.get(name)
            before[name] = (emb.resource if emb else None, dict(emb.extra) if emb else {}, emb._next if emb else None)
        # Filled as line() fills them, with the calls into the document left open.
        holes: list = []
        hole = _hole_maker(holes)
        entries: list = []
        code = c._code
        last = None         # the structure element the last tagged line asked for
        for k, ((item, role, lang, _), tpl) in enumerate(zip(info, templates)):
            def defer(h, k=k):
                return hole((h[0], k) + h[1:])
            if tpl is not None:
                text = writer._fill(tpl.fast, None, defer)
                if text is None:
                    text = tpl.fill(writer, None, defer)
                drawn = [text]
            else:
                start = len(code)
                _draw(c, writer, item, None)
                drawn = code[start:]
                del code[start:]
            if role == "Artifact":
                entries += ["/Artifact BMC", *drawn, "EMC"]
            elif tpl is not None:
                # The next line of the same node asks for the same element ("S"): the tagger
                # gives the one it has (Tagger.elem).
                same = (lang, item.node, role) == last
                last = (lang, item.node, role)
                entries.append(hole(("S" if same else "E", k)) + drawn[0])
            else:
                last = None
                entries += [hole(("E", k)) + hole(("P", k)), *drawn, "EMC"]
        run = _Run()
        run.items, run.info = tuple(items), tuple(info)
        text = "\n".join(entries)
        run.parts = tuple(text.split("\0"))
        run.holes = tuple(holes[int(k)] for k in run.parts[1::2])     # in the text's order
        run.furniture = tuple({(item.lang, item.node): last_seen.get((item.lang, item.node)) == pi
                               for item, *_ in info if isinstance(item, TextLine) and item.node.furniture}.items())
        run.count = len(names)
        run.new_fonts = tuple(fonts[name].font for name in list(fonts)[len(names):])
        uses = []
        for name, (font, glyphs, pairs) in reads.items():
            resource, ex0, next0 = before[name]
            emb = fonts[name]
            tu = emb.to_unicode
            gl = tuple(glyphs)
            others = tuple(p for p in pairs if tu.get(p[0]) != p[1])     # those that look up a code of their own
            first: dict = {}            # each glyph's first text in the run (what it gives one it finds new)
            for g, t in pairs:
                first.setdefault(g, t)
            added_ex = {p: emb.extra[p] for p in others if p in emb.extra and p not in ex0}
            # The next free code: read where the run took codes of its own from a font it found;
            # a font it embedded is made anew the same, and ends where it ended.
            took = next0 is not None and emb._next != next0
            uses.append((name, resource, gl, tuple(map(first.get, gl)), tuple(map(tu.get, gl)), others,
                         tuple(map(ex0.get, others)), next0 if took else None, added_ex,
                         emb._next if took or next0 is None else None))
        run.fonts = tuple(uses)
        # This document drew it through line() just now: what is left is to make its calls.
        run._calls(ctx)
        return run

    def _replay(self, ctx) -> bool:
        _, writer, _, pi, last_seen, _, _ = ctx
        for where, last in self.furniture:
            if (last_seen.get(where) == pi) != last:
                return False
        fonts = writer.fonts
        if self.new_fonts and len(fonts) != self.count:
            return False
        known = []          # the fonts that have every glyph of the run already, as it leaves them
        for name, resource, glyphs, first, tu1, others, ex0, next0, _, _ in self.fonts:
            emb = fonts.get(name)
            if emb is None:
                if resource is not None:
                    return False
                continue
            if emb.resource != resource:
                return False
            # Each glyph stands, when the run first draws it, for the text it stood for then:
            # the text the document has for it, or, new, its first text in the run.
            now = tuple(map(emb.to_unicode.get, glyphs))
            if now == tu1:
                known.append(name)
            elif not all((n if n is not None else f) == a for n, f, a in zip(now, first, tu1)):
                return False
            if others and tuple(map(emb.extra.get, others)) != ex0:
                return False
            if next0 is not None and emb._next != next0:
                return False
        for font in self.new_fonts:     # in the order the run embedded them: the same names
            writer.embedded(font)
        for name, _, glyphs, _, tu1, _, _, _, added_ex, next1 in self.fonts:
            emb = fonts[name]
            if name not in known:
                emb.to_unicode.update(zip(glyphs, tu1))
                emb.gids.update(glyphs)
            if added_ex:
                emb.extra.update(added_ex)
            if next1 is not None:
                emb._next = next1
        self._calls(ctx)
        return True

    def _calls(self, ctx) -> None:
        """The run's text with each open hole filled, in order, as drawing its items one by one
        fills them: each item's structure element, its marked content, its glyph-outline forms."""
        c, writer, tagger, pi, _, laid, lines_of = ctx
        parts, info = self.parts, self.info
        out = list(parts)
        elem: Any = None        # (an "E" hole comes first)
        quote = None
        mcid = tagger.mcid
        for k, h in zip(range(1, len(parts), 2), self.holes):
            kind = h[0]
            if kind == "M":
                if h[2] is None and not (h[3] and quote):       # (as _marked: the element's own)
                    out[k] = f"/{elem.type} <</MCID {mcid(pi, elem)}>> BDC"
                else:
                    tag, n = _marked(tagger, elem, pi, quote, h[2], h[3], h[4])
                    out[k] = f"/{tag} <</MCID {n}>> BDC"
            elif kind == "E":
                item, role, lang, quote = info[h[1]]
                if lang is None:
                    lang = _picture_lang(lines_of(), item) or laid.lang
                elem = tagger.elem(lang, item.node, role)
                if isinstance(item, Picture):
                    elem.bbox = [item.x, item.y, item.x + item.w, item.y + item.h]
                out[k] = ""
            elif kind == "S":
                quote = info[h[1]][3]
                out[k] = ""
            elif kind == "I":
                out[k] = f"/MCID {_marked(tagger, elem, pi, quote, h[2], h[3], h[4])[1]} "
            elif kind == "P":
                tag, n = _marked(tagger, elem, pi, quote, None)
                out[k] = f"/{tag} <</MCID {n}>> BDC"
            else:       # "O"
                out[k] = writer.outline(writer.fonts[h[2].name].font, h[3])
        c.addLiteral("".join(out))


def _print_boxes(pdf_page, page, boxes) -> None:
    """A print-shop copy: the trim is the page as laid out, the bleed and the sheet with the
    marks around it (MediaBox ⊇ BleedBox ⊇ TrimBox; the page's coordinates stay the trim's)."""
    W, H = page.width, page.height
    for name, d in (("MediaBox", boxes.media), ("BleedBox", boxes.bleed), ("TrimBox", 0.0)):
        setattr(pdf_page, name, PDFArray([round(v, 3) for v in (-d, -d, W + d, H + d)]))


def _spot(item) -> tuple:
    return tuple(round(v, 2) for v in (item.x, item.y, item.w, item.h))


def _merged_links(links: list) -> list:
    """Link areas as annotations: the pieces of one address on one line (fonts and directions
    split it) become one annotation, one tab stop."""
    out: list = []
    for link in links:
        last = out[-1] if out else None
        if last is not None and last.url == link.url and abs(last.y - link.y) < 0.01 \
                and abs(last.h - link.h) < 0.01 and link.x <= last.x + last.w + 0.5 and last.x <= link.x + link.w + 0.5:
            x0, x1 = min(last.x, link.x), max(last.x + last.w, link.x + link.w)
            out[-1] = Link(x0, last.y, x1 - x0, last.h, last.url)
        else:
            out.append(link)
    return out


def _line_index(page) -> dict:
    """A page's text lines (with their place in the page's items) by node, and its captions by
    section, block and column: what :func:`_picture_lang` looks up for each drawn item."""
    index: dict = {}
    for n, item in enumerate(page.items):
        if isinstance(item, TextLine):
            node = item.node
            index.setdefault(node, []).append((n, item))
            if node.kind == "caption":
                index.setdefault(("caption", node.section, node.block, node.column), []).append((n, item))
    return index


def _picture_lang(lines: dict, drawn) -> str | None:
    """The language of a figure's drawing (or leader line or label box): that of its caption and
    labels (same node) whose column it shares, so the figures of a dual-language sheet are told
    apart. ``lines``: the page's :func:`_line_index`."""
    if isinstance(drawn, Rule):
        x0, x1 = sorted((drawn.x1, drawn.x2))
    else:
        x0, x1 = drawn.x, drawn.x + drawn.w
    best, lang = -1e9, None
    node = drawn.node
    if node is None:
        return None
    found = dict(lines.get(node, ()))
    found.update(lines.get(("caption", node.section, node.block, node.column), ()))
    for n in sorted(found):             # in the page's order: the first of equal overlaps wins
        item = found[n]
        overlap = min(x1, item.x + item.width) - max(x0, item.x)
        if overlap > best:
            best, lang = overlap, item.lang
    return lang


def _quote_lang(laid: LaidOut, item) -> str | None:
    """The language of Latin-script words inside a line of another script: the source's (set by
    the project), or on a dual-language sheet the first column's, for the other columns' lines
    that are written in another script."""
    if not isinstance(item, TextLine):
        return None
    if laid.quote_lang:
        return laid.quote_lang
    if laid.parts and item.lang != laid.parts[0] and not _mostly_latin(item.paragraph):
        return laid.parts[0]
    return None


def _mostly_latin(paragraph) -> bool:
    cached = getattr(paragraph, "_mostly_latin", None)
    if cached is None:
        letters = [ch for ch in paragraph.text if ch.isalpha()]
        cached = paragraph._mostly_latin = sum(map(_is_latin, letters)) * 2 >= len(letters)
    return cached


def _outline(laid: LaidOut) -> list:
    """Bookmarks: the layout's, and on a dual-language sheet each other column's section
    headings too, in reading order (page, height, column)."""
    if not laid.parts:
        return list(laid.outline)
    entries = [(e.page, -round(e.y, 1), 0, n, e) for n, e in enumerate(laid.outline)]
    seen = set()
    for pi, page in enumerate(laid.pages):
        for item in page.items:
            if isinstance(item, TextLine) and item.role == "H2" and item.lang != laid.parts[0] \
                    and item.node.kind == "heading" and (item.lang, item.node) not in seen:
                seen.add((item.lang, item.node))
                top = item.y + item.size
                entries.append((pi, -round(top, 1), laid.parts.index(item.lang) if item.lang in laid.parts else 1,
                                len(entries), OutlineEntry(item.paragraph.text, pi, top)))
    entries.sort(key=lambda e: e[:4])
    # Headings that start level in the columns (within a few points): first column first.
    for k in range(1, len(entries)):
        j = k
        while j > 0 and entries[j][0] == entries[j - 1][0] and abs(entries[j][1] - entries[j - 1][1]) < 6 \
                and entries[j][2] < entries[j - 1][2]:
            entries[j - 1], entries[j] = entries[j], entries[j - 1]
            j -= 1
    return [e[-1] for e in entries]


def _right_to_left(laid: LaidOut) -> bool:
    """Whether the document's own language is set right to left (its paragraphs say so)."""
    for page in laid.pages:
        for item in page.items:
            if isinstance(item, TextLine) and item.lang == laid.lang:
                return bool(item.paragraph.rtl)
    return False


def _draw(c: Canvas, writer: GlyphWriter, item, mark) -> None:
    if isinstance(item, TextLine):
        c.addLiteral(writer.line(item, mark))
    elif isinstance(item, Box):
        _box(c, item)
    elif isinstance(item, Rule):
        _rule(c, item)
    elif isinstance(item, Picture):
        _picture(c, item)


_BASE = None


def _base_font() -> str:
    """ReportLab wants an initial font; register a dynamic (subset-on-use) one so no unembedded
    Helvetica is ever referenced. It is never used for drawing (no leaflet embeds it), so it is
    Noto Sans cut down to its space by HarfBuzz's subsetter (1 ms), not the whole font for
    ReportLab to parse (13 ms of every cold start)."""
    global _BASE
    if _BASE is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        name = Path("assets") / "fonts" / "NotoSans-Regular.ttf"    # the checkout's, or (installed) the project's
        path = Path(__file__).resolve().parents[2] / name
        path = path if path.is_file() else Path.cwd() / name
        inp = hb.SubsetInput()
        inp.sets(hb.SubsetInputSets.GLYPH_INDEX).update([0])
        inp.sets(hb.SubsetInputSets.UNICODE).update([0x20])
        data = hb.subset(hb.Face(hb.Blob.from_file_path(str(path))), inp).blob.data
        pdfmetrics.registerFont(TTFont("LeafpressBase", io.BytesIO(data)))
        _BASE = "LeafpressBase"
    return _BASE


@lru_cache(maxsize=64)
def _colour(hex_colour: str):
    """A colour as ReportLab takes it, parsed once (ReportLab never changes a colour object)."""
    return HexColor(hex_colour)


def _box(c: Canvas, b: Box) -> None:
    if b.fill:
        c.setFillColor(_colour(b.fill))
    if b.stroke:
        c.setStrokeColor(_colour(b.stroke))
        c.setLineWidth(b.stroke_width)
    if b.radius:
        c.roundRect(b.x, b.y, b.w, b.h, b.radius, stroke=1 if b.stroke else 0, fill=1 if b.fill else 0)
    else:
        c.rect(b.x, b.y, b.w, b.h, stroke=1 if b.stroke else 0, fill=1 if b.fill else 0)


def _rule(c: Canvas, r: Rule) -> None:
    c.setStrokeColor(_colour(r.colour))
    c.setLineWidth(r.width)
    _replayed(c, ("line", r.x1, r.y1, r.x2, r.y2), lambda: c.line(r.x1, r.y1, r.x2, r.y2))
    if r.dot:
        c.setFillColor(_colour(r.colour))
        _replayed(c, ("dot", r.x2, r.y2, r.dot), lambda: c.circle(r.x2, r.y2, r.dot, stroke=0, fill=1))


_PATH_OPS = Lru("path operators", 256)     # (shape, place, fill rule) -> its operators


def _replayed(c: Canvas, key: tuple, draw) -> None:
    """A path's operators, which depend on nothing but ``key`` and the canvas's fill rule (no
    colour, width or other state): drawn once by ReportLab, replayed in later documents (the
    leader lines and dots of a diagram are at the same places in every clinic's variant)."""
    key += (c._fillMode,)
    ops = _PATH_OPS.get(key)
    if ops is None:
        start = len(c._code)
        draw()
        _PATH_OPS.put(key, tuple(c._code[start:]))
    else:
        c._code.extend(ops)


_QR_OPS = Lru("qr operators", 16)      # (data, place) -> the code's operators


def _qr(modules: tuple, p: Picture) -> str:
    """Dark modules as one filled path, runs of a row merged, with a two-module quiet zone."""
    n = len(modules)
    m = min(p.w, p.h) / (n + 4)
    ops = ["q 0 0 0 rg"]
    for r, runs in enumerate(_dark_runs(modules)):
        y = p.y + p.h - (r + 3) * m
        for c0, col in runs:
            ops.append(f"{_num(p.x + (c0 + 2) * m)} {_num(y)} {_num((col - c0) * m)} {_num(m)} re")
    ops.append("f Q")
    return "\n".join(ops)


_RUNS = Lru("qr module runs", 16)      # a code's modules -> each row's runs of dark modules


def _dark_runs(modules: tuple) -> tuple:
    """Per row, (first, end) of each run of dark modules: found once per code (a code is drawn at
    another place in each layout)."""
    got = _RUNS.get(modules)
    if got is None:
        rows = []
        for row in modules:
            runs, c0 = [], None
            for col, dark in enumerate(list(row) + [False]):
                if dark and c0 is None:
                    c0 = col
                elif not dark and c0 is not None:
                    runs.append((c0, col))
                    c0 = None
            rows.append(tuple(runs))
        got = tuple(rows)
        _RUNS.put(modules, got)
    return got


PRINT_DPI = 300     # a raster logo is embedded at no more than this at its printed size
MAX_EMBED_PIXELS = 4_000_000    # and with no more pixels than this (about 12 MB raw, once per PDF)
_IMAGES = Lru("raster logos", 32)


def _print_image(path: Path, w: float, h: float):
    """The logo as embedded: the file itself when it is about the print resolution, else
    downsampled to PRINT_DPI at its printed size (a 49-megapixel logo would add 70 MB to
    every PDF). The pixels embedded are so bounded by the box it is drawn in."""
    key = (str(path), round(w, 2), round(h, 2))
    got = _IMAGES.get(key)
    if got is None:
        from PIL import Image
        from reportlab.lib.utils import ImageReader
        need = (max(1, math.ceil(w / 72 * PRINT_DPI)), max(1, math.ceil(h / 72 * PRINT_DPI)))
        if need[0] * need[1] > MAX_EMBED_PIXELS:      # the budget: a huge logo box gets fewer dpi
            k = math.sqrt(MAX_EMBED_PIXELS / (need[0] * need[1]))
            need = (max(1, int(need[0] * k)), max(1, int(need[1] * k)))
        im = Image.open(path)
        try:
            if im.width <= need[0] * 1.5 and im.height <= need[1] * 1.5:
                got = str(path)
            else:
                im.thumbnail(need, Image.Resampling.LANCZOS, reducing_gap=3.0)     # in place, no full-size copy
                got = ImageReader(im.copy())
        finally:
            im.close()
        _IMAGES.put(key, got)
    return got


def _picture(c: Canvas, p: Picture) -> None:
    """Every kind of asset has its rule; an unknown kind fails loudly."""
    src = p.source
    if isinstance(src, Qr):
        key = (src.data, p.x, p.y, p.w, p.h)
        ops = _QR_OPS.get(key)
        if ops is None:
            ops = _qr(qr_modules(src), p)
            _QR_OPS.put(key, ops)
        c.addLiteral(ops)
        return
    if isinstance(src, Raster):
        c.drawImage(_print_image(src.path, p.w, p.h), p.x, p.y, p.w, p.h, mask="auto", preserveAspectRatio=True)
        return
    if not isinstance(src, Svg):
        raise TypeError(f"the PDF writer has no rule for asset {type(src).__name__}")
    d = drawing(src)
    c.saveState()
    c.translate(p.x, p.y)
    c.scale(p.w / d.width, p.h / d.height)
    _svg_ops(c, d, src)
    c.restoreState()


def _svg_ops(c: Canvas, d, src: Svg) -> None:
    """The drawing's operators, converted once per process and replayed: a logo or diagram is
    drawn the same way in every document (in its own coordinates, inside the transform above).
    Only operators that name no resource (font, graphics state) are kept; others are redrawn."""
    ops = stored_ops(src)       # kept by this process or stored by an earlier one (assets.py)
    if ops is None:
        from reportlab.graphics import renderPDF     # with svglib: only documents that draw an SVG
        d.initialFontName = _base_font()    # else ReportLab sets (and references) Helvetica
        start, fonts = len(c._code), len(c._doc.fontMapping)
        renderPDF.draw(d, c, 0, 0)
        ops = tuple(c._code[start:])
        if len(c._doc.fontMapping) != fonts or any("/" in op for op in ops):
            store(src, d, None)     # redrawn every time: said once, not looked up on disk per draw
            return
        store(src, d, ops)
    else:
        c._code.extend(ops)
