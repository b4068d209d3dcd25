"""Setting text on a page: the context of one document in one language, and the helpers that
break shaped paragraphs into lines and place them.

Input: a :class:`Ctx` (handout, language, layout, brand, typesetter, body size), shaped
paragraphs, a box. Output: :class:`TextLine` items on a :class:`Page` (with their links), in the
order they are set (``seq``, the reading order the conservation check follows).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
import functools
from itertools import count

from ..brand import Brand
from ..lru import Lru
from ..content.model import Handout
from ..languages import Language
from ..text.paragraph import ShapedParagraph
from ..text.setter import Typesetter
from .items import Link, Node, Page, TextLine
from .spec import LayoutSpec


JUSTIFIED = frozenset({"block", "item", "summary"})     # node kinds whose text may be justified


@dataclass
class Ctx:
    """What laying out one document needs at hand: handout, language, layout, brand, typesetter."""
    handout: Handout
    lang: Language
    spec: LayoutSpec
    brand: Brand
    ts: Typesetter
    diagrams: dict
    size: float = 12.0
    lh: float = 1.45
    warnings: list = field(default_factory=list)
    alts: dict = field(default_factory=dict)      # (lang, figure node) -> alternative text
    notice_also: str | None = None
    keep_lists: bool = True      # short lists kept in one column (dropped only when they cannot be)
    lead_ins: set = field(default_factory=set)      # nodes of the lead-ins laid out (for the inspector)
    seq: Iterator[int] = field(default_factory=count)   # numbers lines in the order they are set
    peers: tuple = ()       # the project's brands (see peers_in): room for clinic details fits them all
    # what one fitting's attempts have shaped (see shape); None: the typesetter is asked each time
    shaped: dict | None = field(default=None, compare=False, repr=False)

    def pitch(self, size: float, factor: float) -> float:
        """Line pitch for text set tighter than the body (titles, notices, labels, footers): never
        below the language's ``min_line_height`` (scripts whose marks reach far above and below
        the line, such as Nastaliq and Myanmar)."""
        return size * max(factor, self.lang.min_line_height)

    def shape(self, text, *, bold: bool = False, file: str | None = None) -> ShapedParagraph:
        """``ts.shape(text, bold=bold, file=file)``, asked once per fitting (``shaped``, shared by
        its attempts at each body size, which set the same texts): the same paragraph, without
        the typesetter's cache lookups for every block at every size. A text (content) is known
        by its identity, a plain string (a list marker) by its value."""
        memo = self.shaped
        if memo is None:
            return self.ts.shape(text, bold=bold, file=file)
        key = (text, bold) if isinstance(text, str) else (id(text), bold)
        got = memo.get(key)
        if got is None or got[0] is not text and not isinstance(text, str):
            got = memo[key] = (text, self.ts.shape(text, bold=bold, file=file))
        return got[1]

    def sz(self, key: str) -> float:
        v = self.size * self.spec.scale[key]
        return max(v, self.spec.minimum.get(key, 0))


_PEERS = Lru("setting.peers", 64)


def peers_in(peers: tuple, code: str, rtl: bool) -> tuple:
    """The project's brands as a leaflet in language ``code`` prints them: the same tuple for
    every document of that language (rooms sized by them are worked out once, see
    furniture.most), made once per language however many clinics are built."""
    return _PEERS.of((peers,), (code, rtl), lambda: tuple(p.for_language(code, rtl) for p in peers))


def break_lines(ctx: Ctx, sp: ShapedParagraph, width: float, size: float, where: str,
                balance: bool = False):
    """``balance``: a title's or heading's lines as even as they can be (ShapedParagraph.balanced)."""
    lines = sp.balanced(width / size) if balance else sp.lines(width / size)
    for ln in lines:
        if ln.forced:
            ctx.warnings.append(f"{where}: a word is wider than its column and was cut")
    return lines


INK_BIN = 0.25        # em: the width of the strips in which two lines' ink is compared
INK_CLEAR = 0.05      # em: the least room left between the ink of two lines


def _kept(fn):
    """``fn(sp, *args)`` kept with the shaped paragraph ``sp`` (it lives as long as the
    paragraph, which the shaping caches bound: a cache of its own would keep every clinic's
    paragraphs alive)."""
    name = "_kept_" + fn.__name__

    @functools.wraps(fn)
    def kept(sp, *args):
        table = sp.__dict__.get(name)
        if table is None:
            table = sp.__dict__[name] = {}
        got = table.get(args)
        if got is None:
            got = table[args] = fn(sp, *args)
        return got
    return kept


@_kept
def _ink_profile(sp: ShapedParagraph, ln, width: float, rtl: bool) -> dict:
    """A line's ink as {strip: (lowest, highest)} in em from its baseline, placed as ``emit``
    places it (right-aligned in right-to-left text) in a column ``width`` em wide."""
    from .inspection import piece_ink
    prof: dict = {}
    x = width - ln.width - min(rtl_overhang(sp, ln), max(0.0, width - ln.width)) \
        if rtl else 0.0     # where emit puts it
    for piece in sp.pieces(ln):
        for x0, x1, lo, hi in piece_ink(piece):
            for b in range(int((x + x0) // INK_BIN), int((x + x1) // INK_BIN) + 1):
                old = prof.get(b)
                prof[b] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))
        x += piece.width
    return prof


@_kept
def _ink_right(sp: ShapedParagraph, ln) -> float:
    """Where a line's ink ends on the right, in em from its start (past ``ln.width`` where the
    first letter of a right-to-left line overhangs its advance). From each piece's ink box
    (inspection.piece_box, kept with the piece): the rightmost glyph's edge, the same number as
    glyph by glyph (adding the piece's place is monotonic)."""
    from .inspection import piece_box
    x, right = 0.0, 0.0
    for piece in sp.pieces(ln):
        b = piece_box(piece)
        if b is not None:
            right = max(right, x + b[1])
        x += piece.width
    return right


def rtl_overhang(sp: ShapedParagraph, ln) -> float:
    """How far (em) a line's ink reaches past its end on the right (the first letter of a
    right-to-left line, a Nastaliq swash); 0 for a line whose ink stays within its advance. A
    right-aligned right-to-left line is moved left by it where its column has the room (emit)."""
    return max(0.0, _ink_right(sp, ln) - ln.width)


@_kept
def ink_span(sp: ShapedParagraph, ln) -> tuple[float, float]:
    """Where a line's ink starts and ends, in em from the line's start as drawn left to right
    (before 0 or past ``ln.width`` where a letter's swash or tail overhangs its advance, as
    Nastaliq's do); (0, ``ln.width``) at least. From each piece's ink box (see _ink_right)."""
    from .inspection import piece_box
    x, left, right = 0.0, 0.0, ln.width
    for piece in sp.pieces(ln):
        b = piece_box(piece)
        if b is not None:
            left, right = min(left, x + b[0]), max(right, x + b[1])
        x += piece.width
    return left, right


def ink_gaps(ctx: Ctx, sp: ShapedParagraph, lines, width: float, size: float, pitch: float) -> list:
    """Extra room in points above each line so that its ink clears the line above, for languages
    whose lines are spaced by their ink (``space_by_ink``: Nastaliq); zeros for the others."""
    gaps = [0.0] * len(lines)
    if not ctx.lang.space_by_ink:
        return gaps
    w, p = width / size, pitch / size
    profiles = [_ink_profile(sp, ln, round(w, 4), ctx.lang.rtl) for ln in lines]
    for i in range(1, len(lines)):
        up, down = profiles[i - 1], profiles[i]
        need = max((down[b][1] - up[b][0] for b in down.keys() & up.keys()), default=0.0)
        gaps[i] = max(0.0, need + INK_CLEAR - p) * size
    return gaps


def emit(ctx: Ctx, page: Page, sp: ShapedParagraph, lines, x: float, width: float, top: float,
          size: float, pitch: float, colour: str, role: str, node: Node, align: str | None = None,
          gaps: list | None = None):
    """Draw lines from ``top`` downwards; align follows the text direction unless given.
    Body text (paragraphs, list items, the summary) is justified as the language says
    (``justify``), all lines but a paragraph's last. ``gaps``: extra room above each line
    (see :func:`ink_gaps`)."""
    if align is None and role in ("P", "LBody") and node.kind in JUSTIFIED and ctx.lang.justify != "none":
        lines = [sp.justify(ln, width / size, ctx.lang.justify) for ln in lines]
    align = align or ("right" if ctx.lang.rtl else "left")
    y = top
    has_links = any(st.href for st in sp.styles)
    for i, ln in enumerate(lines):
        if gaps:
            y -= gaps[i]
        w = ln.width * size
        if align == "right":
            lx = x + width - w
            if ctx.lang.rtl:    # a first letter whose ink reaches past its start (Nastaliq) stays in
                lx -= min(rtl_overhang(sp, ln) * size, max(0.0, width - w))
        elif align == "center":
            lx = x + (width - w) / 2
        else:
            lx = x
        baseline = y - (pitch - size) / 2 - size * 0.8
        page.items.append(TextLine(lx, baseline, size, colour, sp, ln, w, role, node, ctx.lang.code,
                                   next(ctx.seq)))
        if has_links:
            px = lx
            for p in sp.pieces(ln):
                if p.style.href:
                    page.links.append(Link(px, baseline - size * 0.25, p.width * size, size * 1.1, p.style.href))
                px += p.width * size
        y -= pitch
    return y


def fit_words(sp: ShapedParagraph, width: float, size: float, floor: float) -> float:
    """A display size no larger than ``size`` at which the longest word fits ``width``."""
    widest = sp.min_width()
    if widest * size <= width or widest == 0:
        return size
    return max(floor, width / widest * 0.98)
