"""Inspections of a laid-out document: ink that touches other ink.

Input: a :class:`LaidOut`. Output: one line per problem (page and text), recorded as warnings.
"""
from __future__ import annotations

from .items import LaidOut, TextLine


def piece_ink(piece) -> list:
    """Ink boxes of a piece's glyphs in em, relative to the piece's start (kept with the piece)."""
    boxes = getattr(piece, "_ink", None)
    if boxes is None:
        boxes, x, f = [], 0.0, piece.font
        for gid, ax, dx, dy in piece.glyphs:
            e = f.hb.get_glyph_extents(gid)
            if e is not None and e.width and e.height:
                x0 = x + dx + e.x_bearing / f.upem
                boxes.append((x0, x0 + e.width / f.upem, dy + (e.y_bearing + e.height) / f.upem,
                              dy + e.y_bearing / f.upem))
            x += ax
        piece._ink = boxes
    return boxes


def _ink(item: TextLine) -> list:
    """Ink boxes (x0, x1, bottom, top) of a line's glyphs, in points."""
    boxes, x, s, y = [], item.x, item.size, item.y
    for piece in item.pieces:
        boxes += [(x + a * s, x + b * s, y + lo * s, y + hi * s) for a, b, lo, hi in piece_ink(piece)]
        x += piece.width * s
    return boxes


def line_collisions(laid: LaidOut) -> list[str]:
    """Places where the ink of one line touches the ink of another: stacked marks in Thai, Khmer,
    Vietnamese, Devanagari reaching the line below, and text running into other text (a column
    over the footer, a label over a caption), whatever their sizes. Should always be empty."""
    found = []
    for pi, page in enumerate(laid.pages):
        lines = [i for i in page.items if isinstance(i, TextLine)]
        inks = [_ink(ln) for ln in lines]
        tops = [max((b[3] for b in ink), default=ln.y) for ln, ink in zip(lines, inks)]
        bottoms = [min((b[2] for b in ink), default=ln.y) for ln, ink in zip(lines, inks)]
        order = sorted(range(len(lines)), key=lambda k: (-tops[k], lines[k].x))
        for n, i in enumerate(order):
            a = lines[i]
            for j in order[n + 1:]:
                if tops[j] <= bottoms[i]:
                    break               # sorted by top: nothing further down reaches this line
                c = lines[j]
                if c.x >= a.x + a.width or a.x >= c.x + c.width or not inks[i] or not inks[j]:
                    continue
                worst = max((min(at, ct) - max(ab, cb) for ax0, ax1, ab, at in inks[i]
                             for cx0, cx1, cb, ct in inks[j] if ax0 < cx1 and cx0 < ax1 and ct > ab and at > cb),
                            default=0.0)
                if worst > 0:
                    upper, lower = (a, c) if a.y >= c.y else (c, a)
                    text = "".join(t for p in upper.pieces for _, _, t, _ in p.clusters)[:30]
                    found.append(f"page {pi + 1}: the line below {text!r} touches it ({worst:.1f} pt)")
    return found
