"""The page inspector: what is wrong with a laid-out page, read from the display list.

Input: a :class:`LaidOut` (every item's box and role), the layout's printable margin and the
kinds of box that bleed. Output: :func:`line_collisions` -- lines whose ink touches (warnings);
:func:`inspect` -- a list of :class:`Defect` (overlaps, ink in the unprintable edge, stranded
headings, hyphenated titles, broken phone numbers, crossing leaders, CJK one-character last
lines, small QR codes). The fitting loop fails a document with errors, like an overflow.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..content.model import LEAD_IN     # (a translation's lead-ins are its source's: LaidOut.lead_ins)
from ..errors import LeafletError
from ..text.paragraph import has_cjk, unbreakable
from .items import Box, LaidOut, Picture, Qr, Rule, TextLine


class BadPage(LeafletError):
    """A page the inspector fails at every allowed body size (text over a rule, a heading
    stranded at the foot of a column, a hyphenated title...)."""


def piece_ink(piece) -> tuple:
    """Ink boxes of a piece's glyphs in em, relative to the piece's start (kept with the piece)."""
    boxes = getattr(piece, "_ink", None)
    if boxes is None:
        boxes = piece._ink = tuple(_glyph_boxes(piece))
    return boxes


def _glyph_boxes(piece):
    """The piece's glyphs' ink boxes (x0, x1, bottom, top) in em from its start, one by one."""
    x = 0.0
    inks = _glyph_inks(piece.font)
    for gid, ax, dx, dy in piece.glyphs:
        e = inks.get(gid, _NONE)
        if e is _NONE:
            e = _glyph_ink(piece.font, inks, gid)
        if e is not None:
            x0 = x + dx + e[0]
            yield x0, x0 + e[1], dy + e[2], dy + e[3]
        x += ax


def _glyph_inks(font) -> dict:
    """A font's glyph ink in em (of the type size: the font's ``em``) as HarfBuzz's extents give
    it, kept with the font (at most one entry a glyph of the font: bounded by the font itself):
    glyph id -> (left bearing, width, top, bottom), or None for a glyph without ink."""
    got = font.__dict__.get("_glyph_inks")
    if got is None or got[0] != font.em:      # (a scaled copy of a font starts with its original's)
        got = font._glyph_inks = (font.em, {})
    return got[1]


def _glyph_ink(font, inks: dict, gid: int):
    e = font.hb.get_glyph_extents(gid)
    em = font.em
    got = inks[gid] = (e.x_bearing / em, e.width / em, (e.y_bearing + e.height) / em, e.y_bearing / em) \
        if e is not None and e.width and e.height else None
    return got


def _ink(item: TextLine) -> list:
    """Ink boxes (x0, x1, bottom, top) of a line's glyphs, in points."""
    boxes, x, s, y = [], item.x, item.size, item.y
    for piece in item.pieces:
        boxes += [(x + a * s, x + b * s, y + lo * s, y + hi * s) for a, b, lo, hi in piece_ink(piece)]
        x += piece.width * s
    return boxes


def piece_box(piece):
    """The union of a piece's glyph ink boxes, in em (kept with the piece), or None (worked out
    without keeping each glyph's box: most lines are near nothing the inspector compares glyph
    by glyph). The boxes as :func:`_glyph_boxes` gives them, in one loop (every line's box is
    asked for)."""
    box = getattr(piece, "_box", False)
    if box is False:
        font = piece.font
        inks = _glyph_inks(font)
        known = inks.get
        left = bottom = _INF
        right = top = -_INF
        x = 0.0
        for gid, ax, dx, dy in piece.glyphs:
            e = known(gid, _NONE)
            if e is _NONE:
                e = _glyph_ink(font, inks, gid)
            if e is not None:
                x0 = x + dx + e[0]
                x1, lo, hi = x0 + e[1], dy + e[2], dy + e[3]
                if x0 < left:
                    left = x0
                if x1 > right:
                    right = x1
                if lo < bottom:
                    bottom = lo
                if hi > top:
                    top = hi
            x += ax
        box = piece._box = (left, right, bottom, top) if left != _INF else None
    return box


_INF = float("inf")


def _line_box(item: TextLine):
    """The ink box (x0, x1, bottom, top) of a whole line, in points, or None (no ink)."""
    out, x, s, y = None, item.x, item.size, item.y
    for piece in item.pieces:
        b = piece_box(piece)
        if b is not None:
            g = (x + b[0] * s, x + b[1] * s, y + b[2] * s, y + b[3] * s)
            out = g if out is None else (min(out[0], g[0]), max(out[1], g[1]), min(out[2], g[2]), max(out[3], g[3]))
        x += piece.width * s
    return out


def _known(table: str, item, make, known):
    """``make(item)``, kept in ``known``'s ``table`` when ``item`` draws a paragraph of its
    pattern's (see stamp.Known); otherwise worked out."""
    if known is None:
        return make(item)
    own = known.own.get(id(item))       # one of the pattern's own lines: by its identity
    if own is not None and own[0] is item:
        got = own[1]
        value = got.get(table, _NONE)
        if value is _NONE:
            value = got[table] = make(item)
        return value
    key = known.key(item)
    if key is None:
        return make(item)
    got = getattr(known, table)
    value = got.get(key, _NONE)
    if value is _NONE:
        value = make(item)
        got.put(key, value)
    return value


_NONE = object()


def _overlap(a: TextLine, c: TextLine, boxes: tuple, known) -> float:
    """How far the ink of two lines overlaps (0: not at all). Line ink boxes that do not meet
    say 0 at once (each glyph's box lies inside its line's); two lines of a pattern's
    paragraphs, at the same places, are compared once for all its variants."""
    ba, bc = boxes
    if not (ba[0] < bc[1] and bc[0] < ba[1] and bc[3] > ba[2] and ba[3] > bc[2]):
        return 0.0
    key = None
    if known is not None:
        ka, kc = known.key(a), known.key(c)
        if ka is not None and kc is not None:
            key = frozenset((ka, kc))       # the overlap is the same either way round
            got = known.pairs.get(key)
            if got is not None:
                return got
    ia, ic = _known("inks", a, _ink, known), _known("inks", c, _ink, known)
    worst = max((min(at, ct) - max(ab, cb) for ax0, ax1, ab, at in ia
                 for cx0, cx1, cb, ct in ic if ax0 < cx1 and cx0 < ax1 and ct > ab and at > cb), default=0.0)
    if key is not None:
        known.pairs.put(key, worst)
    return worst


def line_collisions(laid: LaidOut) -> list[str]:
    """Places where the ink of one line touches the ink of another: stacked marks in Thai, Khmer,
    Vietnamese, Devanagari reaching the line below, and text running into other text (a column
    over the footer, a label over a caption), whatever their sizes. Should always be empty.
    Stamped pages (``laid.known``) compare their pattern's own lines once for all variants, and
    a variant whose new lines touch nothing is known clean from them alone (:func:`_fresh_clear`)."""
    found, known = [], laid.known
    if known is not None and _fresh_clear(laid, known):
        return found
    for pi, page in enumerate(laid.pages):
        # (a line without ink touches nothing)
        inked = [(ln, b) for ln in page.items
                 if isinstance(ln, TextLine) and (b := _known("boxes", ln, _line_box, known)) is not None]
        for a, c, worst in _touching_pairs(inked, known):
            upper = a if a.y >= c.y else c
            text = "".join(t for p in upper.pieces for _, _, t, _ in p.clusters)[:30]
            found.append(f"page {pi + 1}: the line below {text!r} touches it ({worst:.1f} pt)")
    return found


def touching(lines: list, known) -> bool:
    """Whether the ink of any two of ``lines`` ((TextLine, ink box) pairs, every box not None)
    touches, as :func:`line_collisions` finds them."""
    return next(_touching_pairs(lines, known), None) is not None


def _touching_pairs(lines: list, known):
    """(line, line, how far their ink overlaps) for each two of ``lines`` ((TextLine, ink box)
    pairs; a line's ink box is its glyphs' extremes) whose ink touches: swept from the top, each
    line against those below it whose ink reaches its height."""
    lines = sorted(lines, key=lambda lb: (-lb[1][3], lb[0].x))
    for n, (a, ba) in enumerate(lines):
        for c, bc in lines[n + 1:]:
            if bc[3] <= ba[2]:
                break               # sorted by top: nothing further down reaches this line
            worst = _touch(a, ba, c, bc, known)
            if worst > 0:
                yield a, c, worst


def _touch(a: TextLine, ba: tuple, c: TextLine, bc: tuple, known) -> float:
    """How far the ink of two lines overlaps (0 where their advances do not overlap across)."""
    if c.x >= a.x + a.width or a.x >= c.x + c.width:
        return 0.0
    return _overlap(a, c, (ba, bc), known)


def _fresh_clear(laid: LaidOut, known) -> bool:
    """Whether no two lines of a stamped document touch, shown from its new lines alone: the
    lines its pattern keeps in every variant (``known.clear``: the same objects in the same
    places, compared with each other once) touch nowhere, and no new line touches a kept line
    whose ink reaches its height, nor another new line. :func:`line_collisions` reports a pair
    exactly when both lines have ink, their advances overlap across and their ink touches (its
    sweep reaches every pair whose boxes overlap, whatever the order): so True means it reports
    nothing. False: not shown (every line is compared, and any touch worded)."""
    ids = known.ids
    for pi, page in enumerate(laid.pages):
        kept_ids, clear = known.clear(pi)
        if not clear:
            return False
        new: list[TextLine] = []
        old = set()
        for item in page.items:
            if isinstance(item, TextLine):
                if id(item) in ids:
                    old.add(id(item))
                else:
                    new.append(item)
        if old != kept_ids:
            return False        # not the pattern's kept lines (every variant has exactly those)
        fresh = [(ln, b) for ln in new if (b := _known("boxes", ln, _line_box, known)) is not None]
        if not fresh:
            continue
        kept, bottoms, tallest = known.kept(pi)
        for a, ba in fresh:
            for c in kept[_window(bottoms, tallest, ba[2], ba[3])]:
                if _touch(a, ba, c, _known("boxes", c, _line_box, known), known) > 0:
                    return False
        if touching(fresh, known):
            return False
    return True


# ---------------------------------------------------------------- the page inspector

QR_MIN = 20 * 72 / 25.4          # pt: the smallest QR code a phone camera reads at arm's length


@dataclass(frozen=True)
class Defect:
    """One page defect: which rule, where (page, structure node), what, and whether it fails the
    document (``error``) or is only reported (``warning``)."""
    page: int
    rule: str
    what: str
    node: str = ""
    severity: str = "error"

    def line(self) -> str:
        where = f"page {self.page + 1}" + (f", {self.node}" if self.node else "")
        return f"{where}: {self.what} [{self.rule}]"


# Rules whose findings fail a document; the others are reported as warnings.
ERRORS = frozenset({"overlap", "edge", "stranded", "hyphen", "broken", "leaders", "qr", "contact-size"})
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _text(ln: TextLine) -> str:
    return ln.paragraph.text[ln.line.start:ln.line.vis_end]


def _bbox(boxes: list, pad: float = 0.0):
    if not boxes:
        return None
    return (min(b[0] for b in boxes) - pad, max(b[1] for b in boxes) + pad,
            min(b[2] for b in boxes) - pad, max(b[3] for b in boxes) + pad)


def _seg_hits_box(x1, y1, x2, y2, box) -> bool:
    """Whether the segment (x1, y1)-(x2, y2) passes through the box (x0, x1, bottom, top)."""
    bx0, bx1, bb, bt = box
    t0, t1 = 0.0, 1.0
    dx, dy = x2 - x1, y2 - y1
    for p, q in ((-dx, x1 - bx0), (dx, bx1 - x1), (-dy, y1 - bb), (dy, bt - y1)):
        if p == 0:
            if q < 0:
                return False
        else:
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True


def segments_cross(a, b) -> bool:
    """Whether two segments cross (touching at a shared end does not count)."""
    def orient(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    p1, p2, p3, p4 = (a[0], a[1]), (a[2], a[3]), (b[0], b[1]), (b[2], b[3])
    d1, d2, d3, d4 = orient(p3, p4, p1), orient(p3, p4, p2), orient(p1, p2, p3), orient(p1, p2, p4)
    return d1 * d2 < 0 and d3 * d4 < 0


def _item_box(item):
    """The ink box (x0, x1, bottom, top) of a box, rule or picture."""
    if isinstance(item, Rule):
        h = item.width / 2
        return (min(item.x1, item.x2) - h, max(item.x1, item.x2) + h,
                min(item.y1, item.y2) - h, max(item.y1, item.y2) + h)
    return (item.x, item.x + item.w, item.y, item.y + item.h)


class _Boxes(dict):
    """Text lines' ink boxes, worked out when first asked for (a pattern's own once, see
    stamp.Known)."""

    def __init__(self, lines, known=None):
        super().__init__()
        self.lines, self.known = {id(ln): ln for ln in lines}, known

    def __missing__(self, key):
        value = self[key] = _known("boxes", self.lines[key], _line_box, self.known)
        return value


def _sweep(lines: list, boxes: dict) -> tuple:
    """The lines (their ink boxes in ``boxes``) sorted by their bottoms: their order, the
    bottoms in that order and the tallest line's height (see _near)."""
    bottom = [boxes[id(ln)][2] for ln in lines]
    order = sorted(range(len(lines)), key=bottom.__getitem__)
    return order, [bottom[k] for k in order], max(boxes[id(ln)][3] - boxes[id(ln)][2] for ln in lines)


def _near(lines: list, boxes: dict, spans: list, sweep: tuple | None = None) -> list[list[int]]:
    """For each line (its ink box in ``boxes``), the indexes, in order, of the items whose
    vertical extent (``spans``: (bottom, top)) comes within a point of the line's: a sweep over
    the lines sorted by their bottoms (``sweep``: :func:`_sweep` of them, when the caller has
    it), so the work grows with the pairs that are near, not with every line times every item.
    The callers still test each pair exactly."""
    out: list[list[int]] = [[] for _ in lines]
    if not lines or not spans:
        return out
    order, bottoms, tallest = sweep or _sweep(lines, boxes)
    for i, (lo, hi) in enumerate(spans):
        for k in order[_window(bottoms, tallest, lo, hi)]:
            out[k].append(i)
    return out


def _window(bottoms: list, tallest: float, lo: float, hi: float) -> slice:
    """Of lines sorted by their bottoms (``bottoms``; ``tallest``: the tallest one's height),
    those that may come within a point of the extent ``lo`` .. ``hi``."""
    return slice(bisect.bisect_left(bottoms, lo - tallest - 1.0), bisect.bisect_right(bottoms, hi + 1.0))


def _near_fresh(pi: int, lines: list, boxes: dict, new, known, kinds: tuple, spans: tuple):
    """:func:`_near` for a stamped page (``known``: its pattern's): the fresh lines with every
    rule, picture and filled box near them; the pattern's own lines (``known.kept``, sorted once
    for every variant) only with the fresh items near them (a pair of the pattern's own passed
    with it). Gives the lines to look at, in page order, and for each the indexes near it (of
    the kinds a line meets), as the sweep over every line would, less pairs of two old items."""
    fresh = [ln for ln in lines if new(ln) and boxes[id(ln)] is not None]
    sweep = _sweep(fresh, boxes) if fresh else None         # (sorted once for every kind)
    near = [_near(fresh, boxes, sp, sweep) for sp in spans]
    old: dict = {}
    kept, bottoms, tallest = known.kept(pi)
    for kind, (items, sp) in enumerate(zip(kinds, spans)):
        for i, (item, (lo, hi)) in enumerate(zip(items, sp)):
            if not new(item):
                continue
            for ln in kept[_window(bottoms, tallest, lo, hi)]:
                old.setdefault(id(ln), ([], [], []))[kind].append(i)
    if not old:
        return fresh, near
    at = {id(ln): k for k, ln in enumerate(fresh)}
    inked, lists = [], ([], [], [])
    for ln in lines:
        k = at.get(id(ln))
        got = old.get(id(ln)) if k is None else tuple(n[k] for n in near)
        if got is not None:
            inked.append(ln)
            for out, idx in zip(lists, got):
                out.append(idx)
    return inked, lists


def inspect(laid: LaidOut, margin: float = 18.0, bleeds: frozenset = frozenset(),
            contact_min: float = 11.0, only: set | None = None, known=None) -> list[Defect]:
    """Every page defect of a laid-out document (see the rules below); empty for a clean one.
    ``only``: the ids of the items that are new (a clinic stamped into pages that passed, see
    stamp.py): the rules are applied to each of them and to each pair with one of them; the
    other items were inspected with the pattern, and a heading's or the last line's rules look
    only at content, which stamping does not change. ``known``: the pattern's (stamp.Known).

    - overlap: ink of text touching other text, a rule, a leader, a picture (figure art, logo, QR)
      or the edge of a filled box it is not inside;
    - edge: ink within ``margin`` pt of the trim edge, unless it is a box of a kind in ``bleeds``
      that runs off the edge;
    - stranded: a heading, or a list's lead-in line (ending in ':'), that ends a column or page;
    - hyphen: a hyphenated title or heading line, or the last line of a page;
    - broken: a phone number, web or e-mail address broken across lines (unless it is wider
      than its column: then the line was cut, with a warning);
    - contact-size: a phone number, web or e-mail address under ``contact_min`` pt in the
      contact details, footer or QR caption (content text has the type-size check);
    - leaders: leader lines that cross each other or a label;
    - cjk-orphan: a CJK paragraph whose last line is one or two characters (warning);
    - qr: a QR code under 20 mm."""
    found: list[Defect] = []
    for pi, page in enumerate(laid.pages):
        W, H = page.width, page.height
        lines = [i for i in page.items if isinstance(i, TextLine)]
        new = (lambda item: True) if only is None else (lambda item: id(item) in only)
        # the items the rules of one item look at, in the page's order (a stamped page: the new)
        fresh = page.items if only is None else [i for i in page.items if id(i) in only]
        boxes = {id(ln): _line_box(ln) for ln in lines} if only is None else _Boxes(lines, known)
        inks: dict = {}

        def ink_of(ln):         # glyph by glyph, only for lines near something
            if id(ln) not in inks:
                inks[id(ln)] = _known("inks", ln, _ink, known)
            return inks[id(ln)]
        rules = [i for i in page.items if isinstance(i, Rule)]
        pics = [i for i in page.items if isinstance(i, Picture)]
        filled = [i for i in page.items if isinstance(i, Box) and i.fill]

        def add(rule, what, node=None):
            found.append(Defect(pi, rule, what, str(node) if node else "",
                                "error" if rule in ERRORS else "warning"))

        # overlap: text with rules and leaders, pictures, box edges (each line with the items
        # at its height only, found by a sweep: not every line with every item; with ``only``,
        # only pairs with a new item)
        any_new = any(map(new, rules + pics + filled))
        spans = ([(min(r.y1, r.y2) - r.width / 2, max(r.y1, r.y2) + r.width / 2) for r in rules],
                 [(p.y, p.y + p.h) for p in pics], [(b.y, b.y + b.h) for b in filled])
        if only is not None and known is not None:
            inked, (near_rules, near_pics, near_filled) = _near_fresh(pi, lines, boxes, new, known,
                                                                      (rules, pics, filled), spans)
        else:
            inked = [ln for ln in lines if (any_new or new(ln)) and boxes[id(ln)] is not None]
            sweep = _sweep(inked, boxes) if inked else None     # (once for the three kinds)
            near_rules, near_pics, near_filled = (_near(inked, boxes, sp, sweep) for sp in spans)
        for k, ln in enumerate(inked):
            old = not new(ln)
            bb = boxes[id(ln)]
            for r in (rules[i] for i in near_rules[k]):
                if old and not new(r):
                    continue
                hw = r.width / 2
                if _seg_hits_box(r.x1, r.y1, r.x2, r.y2, (bb[0] - hw, bb[1] + hw, bb[2] - hw, bb[3] + hw)) and any(
                        _seg_hits_box(r.x1, r.y1, r.x2, r.y2, (g[0] - r.width / 2, g[1] + r.width / 2,
                                                               g[2] - r.width / 2, g[3] + r.width / 2))
                        for g in ink_of(ln)):
                    kind = "a leader line" if r.dot else "a rule"
                    add("leaders" if r.dot else "overlap", f"{kind} crosses the text {_text(ln)[:30]!r}", ln.node)
                    break
            for p in (pics[i] for i in near_pics[k]):
                if old and not new(p):
                    continue
                pb = _item_box(p)
                if bb[0] < pb[1] and pb[0] < bb[1] and bb[2] < pb[3] and pb[2] < bb[3] and any(
                        g[0] < pb[1] and pb[0] < g[1] and g[2] < pb[3] and pb[2] < g[3] for g in ink_of(ln)):
                    what = "a QR code" if isinstance(p.source, Qr) else "a picture"
                    add("overlap", f"the text {_text(ln)[:30]!r} runs into {what}", ln.node)
                    break
            for b in (filled[i] for i in near_filled[k]):
                if old and not new(b):
                    continue
                if not (bb[0] < b.x + b.w and b.x < bb[1] and bb[2] < b.y + b.h and b.y < bb[3]):
                    continue            # nowhere near this box
                if b.x <= bb[0] and bb[1] <= b.x + b.w and b.y <= bb[2] and bb[3] <= b.y + b.h:
                    continue            # wholly inside it
                ink = ink_of(ln)
                inside = [b.x <= g[0] and g[1] <= b.x + b.w and b.y <= g[2] and g[3] <= b.y + b.h for g in ink]
                touching = [g[0] < b.x + b.w and b.x < g[1] and g[2] < b.y + b.h and b.y < g[3] for g in ink]
                if any(touching) and not all(inside):
                    add("overlap", f"the text {_text(ln)[:30]!r} runs over the edge of a coloured box", ln.node)
                    break
        for i, p in enumerate(pics):
            for q in pics[i + 1:]:
                if not (new(p) or new(q)):
                    continue
                a, b = _item_box(p), _item_box(q)
                if a[0] < b[1] - 0.5 and b[0] < a[1] - 0.5 and a[2] < b[3] - 0.5 and b[2] < a[3] - 0.5:
                    add("overlap", "two pictures overlap", p.node)
        # edge: nothing inked in the unprintable zone
        for item in fresh:
            if isinstance(item, TextLine):
                bb = boxes[id(item)]
                label = None            # (the text's own words: only where there is a defect)
            elif isinstance(item, Box) and not item.fill and not item.stroke:
                continue
            elif isinstance(item, Rule) and item.part == "crop" or (
                    isinstance(item, Rule) and item.part == "fold" and not 0 < item.y1 < H):
                continue                # a print shop's marks, outside the trim (they are cut off)
            else:
                bb = _item_box(item)
                label = {Rule: "a rule", Box: "a box", Picture: "a picture"}[type(item)]
                if isinstance(item, Box) and item.part in bleeds and (
                        item.x <= 0 or item.y <= 0 or item.x + item.w >= W or item.y + item.h >= H):
                    continue            # a background that runs off the edge (bleeds)
            if bb is None:
                continue
            gap = min(bb[0], W - bb[1], bb[2], H - bb[3])
            if gap < margin - 0.01:
                if label is None:
                    label = f"the text {_text(item)[:30]!r}"
                add("edge", f"{label} is {max(gap, 0):.1f} pt from the edge of the paper "
                            f"(the printable area starts {margin:g} pt in)", getattr(item, "node", None))
        # qr
        for p in fresh:
            if isinstance(p, Picture) and isinstance(p.source, Qr) and min(p.w, p.h) < QR_MIN - 0.01:
                add("qr", f"the QR code is {min(p.w, p.h) * 25.4 / 72:.1f} mm (at least 20 mm)", p.node)
        # leaders crossing each other
        leaders = [r for r in rules if r.dot]
        for i, la in enumerate(leaders):
            for lb in leaders[i + 1:]:
                if (new(la) or new(lb)) and segments_cross((la.x1, la.y1, la.x2, la.y2), (lb.x1, lb.y1, lb.x2, lb.y2)):
                    add("leaders", "two leader lines of a diagram cross", la.node)
        # stranded headings and lead-ins; hyphenation; broken tokens; CJK last lines
        mine = [ln for ln in fresh if isinstance(ln, TextLine)]
        content = [ln for ln in lines if ln.node.content] if mine else []
        lowest = min(content, key=lambda ln: ln.y, default=None)
        ends: dict = {}         # a paragraph's text without its trailing spaces (asked line by line)
        for ln in mine:
            sp, line, node = ln.paragraph, ln.line, ln.node
            text = sp.text
            stripped = ends.get(id(sp))
            if stripped is None:
                stripped = ends[id(sp)] = text.rstrip()
            last_of_par = line.end >= len(stripped)
            heading = ln.role in ("H1", "H2", "H3") or node.kind in ("title", "subtitle", "heading")
            lead_in = last_of_par and ln.role == "P" and node.content and (
                stripped.endswith(LEAD_IN) or node in laid.lead_ins)
            if (heading and last_of_par and node.kind == "heading") or lead_in:
                x0, x1, y, seq = ln.x, ln.x + ln.width, ln.y, ln.seq
                if not any(o.seq > seq and o.y < y and o.x < x1 and x0 < o.x + o.width for o in content) and \
                        not any(p.node and p.node.content and p.y < y and p.x < x1 and x0 < p.x + p.w for p in pics):
                    what = "heading" if heading else "list lead-in"
                    add("stranded", f"the {what} {_text(ln)[:30]!r} ends a column, its text is elsewhere", ln.node)
            if line.hyphen and (heading or ln is lowest):
                where = "a title or heading" if heading else "the last line of the page"
                add("hyphen", f"{where} is hyphenated: {_text(ln)[:30]!r}", node)
            for t0, t1 in unbreakable(text):
                token = text[t0:t1]
                if t0 < line.end < t1 and t0 >= line.start and not line.forced:
                    add("broken", f"{token!r} is broken across lines", node)
                if t0 < line.end and line.start < t1 and ln.size < contact_min - 0.01 and \
                        not node.content and not _DATE.fullmatch(token):     # content: type-size
                    add("contact-size", f"{token!r} is set at {ln.size:g} pt (at least {contact_min:g})", node)
            if last_of_par and line.start > 0:
                tail = text[line.start:line.vis_end].strip()
                if 0 < len(tail) <= 2 and has_cjk(text):
                    add("cjk-orphan", f"a paragraph ends with a line of {len(tail)} character(s) {tail!r}", ln.node)
    return found


def errors(laid: LaidOut, spec, only: set | None = None) -> list[Defect]:
    """The defects that fail a document in this layout (its printable margin and bleeds); the
    softer ones are added to the document's warnings. ``only``: see :func:`inspect`."""
    found = inspect(laid, spec.printable, spec.bleeds, spec.measures["contact_min"], only,
                    laid.known if only is not None else None)
    laid.warnings.extend(d.line() for d in found if d.severity != "error")
    return [d for d in found if d.severity == "error"]


def bad_page(found: list[Defect], spec, lang, file: str, size: float) -> BadPage:
    """The one-line message for a document whose pages stay wrong at every allowed size."""
    first = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return BadPage(f"{first.line()}{more}, in layout {spec.name!r} in {lang.name} ({lang.code}) at body "
                   f"size {size:g} pt and every allowed size", file=file,
                   key=first.node if first.node.startswith("sections") else None,
                   hint="Fix the layout rule this names (see the README's page inspector), or shorten "
                        "the text there")
