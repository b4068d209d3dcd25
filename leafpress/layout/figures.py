"""Figures and call-outs: a diagram with its labels beside the art (leader lines), or numbered
markers and a key when the column is narrow, and its caption.

Input: a :class:`Ctx`, a :class:`Figure` of the content, its :class:`Diagram`, a box. Output:
the items on the page and the height used (drawn upwards from the box's bottom).
"""
from __future__ import annotations

from ..content.model import Figure
from ..diagram import Diagram
from ..errors import LeafletError
from .inspection import segments_cross
from .items import Node, Page, Picture, Raster, Rule, Svg
from .setting import Ctx, break_lines, emit


def draw_figure(ctx: Ctx, page: Page | None, fig: Figure, left: float, right: float, bottom: float,
            max_h: float) -> float:
    """Diagram with call-out labels in the side gutters, or numbered markers and a key.
    Drawn upwards from ``bottom``; returns the height used (at most ``max_h``). A raster
    illustration is drawn as large as fits, above its caption. With ``page`` None, only the
    height: the number drawing gives, worked out the same way, without placing the labels."""
    if fig.image is not None:
        return _draw_image(ctx, page, fig, left, right, bottom, max_h)
    diagram: Diagram = ctx.diagrams[fig.diagram]
    colours = ctx.brand.colours
    width = right - left
    labels_key = fig.caption.key.rsplit(".", 1)[0] + ".labels"
    missing = [a for a in diagram.anchors if fig.label(a) is None]
    if missing:
        raise LeafletError(f"no label for the diagram's anchor(s) {', '.join(missing)}",
                           file=ctx.handout.file, key=labels_key,
                           hint="Add a label for each anchor in assets/diagrams/" + fig.diagram + ".yaml")
    unknown = [k for k, _ in fig.labels if k not in diagram.anchors]
    if unknown:
        raise LeafletError(f"label(s) {', '.join(unknown)} name no anchor of diagram {fig.diagram!r}",
                           file=ctx.handout.file, key=labels_key,
                           hint="Use the anchor ids of assets/diagrams/" + fig.diagram + ".yaml")
    csize = ctx.sz("caption")
    cpitch = csize * max(1.35, ctx.lh)
    cap = ctx.shape(fig.caption, file=ctx.handout.file)
    clines = break_lines(ctx, cap, width, csize, fig.caption.key)
    cap_h = len(clines) * cpitch
    node = figure_node(ctx, fig)
    ctx.alts[(ctx.lang.code, node)] = fig.alt.plain
    art_bottom = bottom + cap_h + csize * 0.5
    ls = ctx.sz("label")
    lpitch = ls * ctx.lh
    max_gutter = width * 0.22
    shaped = {aid: ctx.shape(fig.label(aid), file=ctx.handout.file) for aid in diagram.anchors}
    gutters, fits = {}, True
    for side in ("left", "right"):
        ids = [a.id for a in diagram.anchors.values() if a.side == side]
        if ids:
            natural = max(shaped[i].natural_width() for i in ids) * ls + ls * 1.2
            gutters[side] = min(natural, max_gutter)
    labels = {}
    for aid, anchor in diagram.anchors.items():
        lines = shaped[aid].lines((gutters[anchor.side] - ls * 1.2) / ls)
        if len(lines) > 3 or any(ln.forced for ln in lines):
            fits = False
        labels[aid] = lines
    aw = width - sum(gutters.values())
    scale = max(min(aw / diagram.width, (max_h - (art_bottom - bottom)) / diagram.height), 0.05)
    dw, dh = diagram.width * scale, diagram.height * scale
    for side in gutters:        # call-outs need room: stacked labels no taller than the art
        stacked = sum(len(labels[a.id]) * lpitch + ls * 0.3 for a in diagram.anchors.values() if a.side == side)
        if stacked > dh:
            fits = False
    if dw < width * 0.5:        # a narrow column: the art gets the whole width, labels become a key
        fits = False
    if fits:
        ax0 = left + gutters.get("left", 0)
        dx, dy = ax0 + (aw - dw) / 2, art_bottom
        art_top = dy + dh
        if page is None:
            return art_top - bottom
        emit(ctx, page, cap, clines, left, width, bottom + cap_h, csize, cpitch, colours["muted"], "Caption", Node("caption", node.section, node.block))
        page.items.append(Picture(Svg(diagram.svg), dx, dy, dw, dh, role="Figure", node=node))
        for side, gutter in gutters.items():
            group = sorted((a for a in diagram.anchors.values() if a.side == side), key=lambda a: -a.y)
            boxes = [[dy + a.y * scale + len(labels[a.id]) * lpitch / 2, len(labels[a.id]) * lpitch, a]
                     for a in group]
            _spread(boxes, art_top, art_bottom, ls * 0.3)
            # Labels sit next to the art, not at the page edge.
            gx = dx - gutter if side == "left" else dx + dw
            for ytop, hgt, a in boxes:
                tw = gutter - ls * 1.2
                tx = gx if side == "left" else gx + ls * 1.2
                emit(ctx, page, shaped[a.id], labels[a.id], tx, tw, ytop, ls, lpitch, colours["text"],
                      "Label", node, "right" if side == "left" else "left")
                mid = ytop - lpitch / 2
                ex = gx + gutter - ls * 0.8 if side == "left" else gx + ls * 0.8
                page.items.append(Rule(ex, mid, dx + a.x * scale, dy + a.y * scale,
                                       colours["text"], 0.6, role="Label", node=node, dot=1.6))
        return art_top - bottom
    # Numbered call-outs: numbers in narrow gutters with leader lines, the labels in a key below.
    sides = [side for side in ("left", "right") if side in gutters]
    ids = [a.id for side in sides
           for a in sorted((a for a in diagram.anchors.values() if a.side == side), key=lambda a: -a.y)]
    npitch = ctx.pitch(ls, 1.5)
    ng = ls * 2.2
    cols = max(1, min(3, int(width // (ls * 10))))
    kw = width / cols
    per_col = -(-len(ids) // cols)
    key_rows = [shaped[aid].lines((kw - ls * 2) / ls) for aid in ids]
    key_h = max(sum(len(r) for r in key_rows[c * per_col:(c + 1) * per_col]) for c in range(cols)) * lpitch + ls * 0.5
    aw = width - ng * len(sides)
    scale = max(min(aw / diagram.width, (max_h - (art_bottom - bottom) - key_h) / diagram.height), 0.05)
    dw, dh = diagram.width * scale, diagram.height * scale
    dx = left + (ng if "left" in sides else 0) + (aw - dw) / 2
    dy = art_bottom + key_h
    # The numbers may stand taller than a small drawing: their column then rises above it.
    col_h = max(sum(1 for a in diagram.anchors.values() if a.side == side) * (npitch + ls * 0.15)
                for side in sides)
    numbers_top = dy + max(dh, col_h)
    if page is None:
        return numbers_top - bottom
    emit(ctx, page, cap, clines, left, width, bottom + cap_h, csize, cpitch, colours["muted"], "Caption", Node("caption", node.section, node.block))
    page.items.append(Picture(Svg(diagram.svg), dx, dy, dw, dh, role="Figure", node=node))
    placed = []
    for side in sides:
        group = [diagram.anchors[aid] for aid in ids if diagram.anchors[aid].side == side]
        boxes = [[dy + a.y * scale + npitch / 2, npitch, a] for a in group]
        _spread(boxes, numbers_top, dy, ls * 0.15)
        gx = dx - ng if side == "left" else dx + dw
        ex = gx + ng - ls * 0.6 if side == "left" else gx + ls * 0.6
        _uncross(boxes, ex, npitch, lambda a: (dx + a.x * scale, dy + a.y * scale))
        placed.append((side, gx, ex, boxes))
    # Numbered in reading order of the number columns (top down; the right column first for
    # right-to-left readers), so the key reads 1, 2, 3... and no two leaders cross.
    order = placed[::-1] if ctx.lang.rtl else placed
    ids = [a.id for _, _, _, boxes in order for _, _, a in boxes]
    number = {aid: i + 1 for i, aid in enumerate(ids)}
    key_rows = [shaped[aid].lines((kw - ls * 2) / ls) for aid in ids]
    for side, gx, ex, boxes in placed:
        for ytop, hgt, a in boxes:
            num = ctx.shape(str(number[a.id]), bold=True)
            # The number sits on the far side of where its leader starts (never on the line).
            nx = gx if side == "left" else gx + ls * 0.8
            emit(ctx, page, num, num.lines(10), nx, ng - ls * 0.8, ytop, ls, npitch, colours["primary"],
                  "Label", node, "right" if side == "left" else "left")
            mid = ytop - npitch / 2
            page.items.append(Rule(ex, mid, dx + a.x * scale, dy + a.y * scale, colours["text"], 0.6,
                                   role="Label", node=node, dot=1.4))
    for c in range(cols):
        y = art_bottom + key_h - ls * 0.25
        cx = left + c * kw if not ctx.lang.rtl else right - (c + 1) * kw
        for i in range(c * per_col, min(len(ids), (c + 1) * per_col)):
            num = ctx.shape(f"{i + 1}", bold=True)
            nx = cx if not ctx.lang.rtl else cx + kw - ls * 1.5
            emit(ctx, page, num, num.lines(10), nx, ls * 1.5, y, ls, lpitch, colours["primary"], "Label", node)
            y = emit(ctx, page, shaped[ids[i]], key_rows[i], cx + (0 if ctx.lang.rtl else ls * 2), kw - ls * 2, y,
                      ls, lpitch, colours["text"], "Label", node)
    return numbers_top - bottom


def _draw_image(ctx: Ctx, page: Page | None, fig: Figure, left: float, right: float, bottom: float,
                max_h: float) -> float:
    image = ctx.diagrams["image:" + fig.image]
    width = right - left
    csize = ctx.sz("caption")
    cpitch = csize * max(1.35, ctx.lh)
    cap = ctx.shape(fig.caption, file=ctx.handout.file)
    clines = break_lines(ctx, cap, width, csize, fig.caption.key)
    cap_h = len(clines) * cpitch
    node = figure_node(ctx, fig)
    ctx.alts[(ctx.lang.code, node)] = fig.alt.plain
    art_bottom = bottom + cap_h + csize * 0.5
    scale = max(min(width / image.width_px, (max_h - (art_bottom - bottom)) / image.height_px), 0.0001)
    dw, dh = image.width_px * scale, image.height_px * scale
    if page is None:
        return art_bottom + dh - bottom
    emit(ctx, page, cap, clines, left, width, bottom + cap_h, csize, cpitch, ctx.brand.colours["muted"],
         "Caption", Node("caption", node.section, node.block))
    page.items.append(Picture(Raster(image.path), left + (width - dw) / 2, art_bottom, dw, dh, role="Figure", node=node))
    return art_bottom + dh - bottom


def figure_node(ctx: Ctx, fig: Figure) -> Node:
    """The figure's structure node: its place in the content (section, block)."""
    for si, sec in enumerate(ctx.handout.sections):
        for bi, block in enumerate(sec.blocks):
            if block is fig:
                return Node("block", si, bi)
    return Node("other")


def _uncross(boxes: list, ex: float, pitch: float, anchor) -> None:
    """Give the number slots (spread top down) their anchors so that no two leaders cross:
    swapping the anchors of two crossing leaders always shortens them, so this ends."""
    def seg(i):
        x, y = anchor(boxes[i][2])
        return (ex, boxes[i][0] - pitch / 2, x, y)
    for _ in range(len(boxes) ** 2):
        pair = next(((i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                     if segments_cross(seg(i), seg(j))), None)
        if pair is None:
            return
        i, j = pair
        boxes[i][2], boxes[j][2] = boxes[j][2], boxes[i][2]


def _spread(boxes: list, top: float, bottom: float, gap: float) -> None:
    """Move label boxes ([top y, height, anchor], sorted top first) so none overlap."""
    for i in range(1, len(boxes)):
        prev_bottom = boxes[i - 1][0] - boxes[i - 1][1] - gap
        if boxes[i][0] > prev_bottom:
            boxes[i][0] = prev_bottom
    overflow = bottom - (boxes[-1][0] - boxes[-1][1])
    if overflow > 0:
        boxes[-1][0] += overflow
        for i in range(len(boxes) - 2, -1, -1):
            limit = boxes[i + 1][0] + boxes[i][1] + gap
            if boxes[i][0] < limit:
                boxes[i][0] = limit
    for b in boxes:
        b[0] = min(b[0], top)
