"""Content into flow blocks: one rule per block kind (heading, paragraph, list item, call-out,
figure, and the closing contact block of flowing leaflets).

Input: a :class:`Ctx` (one handout in one language at one body size). Output: the list of
:class:`FlowBlock` in reading order; heights are measured at the width of the column a block
lands in, never estimated at another.
"""
from __future__ import annotations


from ..content.model import Bullets, Callout, Figure, Paragraph, Steps, Text, unknown_kind
from .figures import draw_figure
from .flow import FlowBlock, whole
from .furniture import draw_contact
from .inspection import LEAD_IN
from .items import Box, Node, OutlineEntry, Page
from .setting import Ctx, break_lines, emit, ink_gaps


def flow_blocks(ctx: Ctx, outline: list, flowing: set) -> list[FlowBlock]:
    """The flow: per section its heading, then its blocks (figures whose id is in ``flowing``
    among them; the others have a diagram slot)."""
    h, ts, brand = ctx.handout, ctx.ts, ctx.brand
    size = ctx.size
    colours = brand.colours
    out: list[FlowBlock] = []
    for si, sec in enumerate(h.sections):
        hs = ctx.sz("heading")
        hsp = ts.shape(sec.heading, bold=True, file=h.file)
        hpitch = ctx.pitch(hs, max(1.25, ctx.lh - 0.15))
        node = Node("heading", si)

        def draw_heading(pages, fr, off, n, top, hsp=hsp, hs=hs, hpitch=hpitch, node=node, title=sec.heading.plain):
            lines = hsp.lines(fr.width / hs)
            emit(ctx, pages[fr.page], hsp, lines, fr.x, fr.width, top, hs, hpitch, colours["primary"], "H2", node,
                 gaps=ink_gaps(ctx, hsp, lines, fr.width, hs, hpitch))
            outline.append(OutlineEntry(title, fr.page, top))
            return len(hsp.text)

        def heading_heights(width, off, hsp=hsp, hs=hs, hpitch=hpitch):
            lines = hsp.lines(width / hs)
            return [len(lines) * hpitch + sum(ink_gaps(ctx, hsp, lines, width, hs, hpitch)) + size * 0.25]

        out.append(FlowBlock(sec.id, heading_heights, draw_heading,
                             space_before=size * ctx.spec.spacing["section"], keep_with_next=True))
        for bi, block in enumerate(sec.blocks):
            sb = size * ctx.spec.spacing["paragraph"]
            bnode = Node("block", si, bi)
            if isinstance(block, Paragraph):
                out.append(_paragraph(ctx, sec.id, block.text, bnode, sb))
                nxt = sec.blocks[bi + 1] if bi + 1 < len(sec.blocks) else None
                if isinstance(nxt, (Bullets, Steps)) and block.text.plain.rstrip().endswith(LEAD_IN):
                    out[-1].keep_with_next = True       # a list's lead-in stays with the list
            elif isinstance(block, (Bullets, Steps)):
                short = ctx.keep_lists and len(block.items) <= SHORT_LIST
                for ii, item in enumerate(block.items):
                    out.append(_list_item(ctx, sec.id, item, ii, isinstance(block, Steps),
                                          Node("item", si, bi, ii), sb if ii == 0 else size * ctx.spec.measures["item_gap"]))
                    out[-1].keep_group = short and ii + 1 < len(block.items)   # short lists stay whole
            elif isinstance(block, Callout):
                out.append(_callout(ctx, sec.id, block.text, bnode, sb))
            elif isinstance(block, Figure):
                if id(block) in flowing:
                    out.append(_figure_block(ctx, sec.id, block, sb))
            else:
                raise unknown_kind(block, "layout.blocks")
    return out


SHORT_LIST = 5      # lists of up to this many items are kept together in one column


def _paragraph(ctx: Ctx, section: str, text: Text, node: str, space: float) -> FlowBlock:
    """A paragraph: splits between columns at a line, resuming at that text position."""
    size, colour = ctx.size, ctx.brand.colours["text"]
    pitch = size * ctx.lh
    sp = ctx.ts.shape(text, file=ctx.handout.file)

    def heights(width, off):
        lines = sp.lines(width / size, off)
        return [pitch + g for g in ink_gaps(ctx, sp, lines, width, size, pitch)]

    def draw(pages, fr, off, n, top):
        lines = sp.lines(fr.width / size, off)[:n]
        for ln in lines:
            if ln.forced:
                ctx.warnings.append(f"{text.key}: a word is wider than its column and was cut")
        emit(ctx, pages[fr.page], sp, lines, fr.x, fr.width, top, size, pitch, colour, "P", node,
             gaps=ink_gaps(ctx, sp, lines, fr.width, size, pitch))
        return lines[-1].end

    return FlowBlock(section, heights, draw, space, keep_together=False)


def _list_item(ctx: Ctx, section: str, item: Text, index: int, numbered: bool, node: str, space: float):
    ts, size, colours = ctx.ts, ctx.size, ctx.brand.colours
    pitch = size * ctx.lh
    indent = size * ctx.spec.measures["step_indent" if numbered else "bullet_indent"]
    sp = ts.shape(item, file=ctx.handout.file)
    marker = ts.shape(ctx.lang.mark("step").format(n=index + 1) if numbered else ctx.lang.mark("bullet"),
                      bold=numbered)

    def draw(pages, fr, off, n, top):
        page = pages[fr.page]
        lines = break_lines(ctx, sp, fr.width - indent, size, item.key)
        rtl = ctx.lang.rtl
        tx = fr.x if rtl else fr.x + indent
        mw = indent - size * 0.45
        mx = fr.x + fr.width - mw if rtl else fr.x
        emit(ctx, page, marker, marker.lines(100), mx, mw, top, size, pitch, colours["primary"],
              "Lbl", node, "left" if rtl else "right")
        emit(ctx, page, sp, lines, tx, fr.width - indent, top, size, pitch, colours["text"], "LBody", node,
             gaps=ink_gaps(ctx, sp, lines, fr.width - indent, size, pitch))
        return 0

    def height(w):
        lines = sp.lines((w - indent) / size)
        return len(lines) * pitch + sum(ink_gaps(ctx, sp, lines, w - indent, size, pitch))

    return FlowBlock(section, whole(height), draw, space, keep_together=True)


def _callout(ctx: Ctx, section: str, text: Text, node: str, space: float):
    ts, size, colours = ctx.ts, ctx.size, ctx.brand.colours
    pitch = size * ctx.lh
    pad = size * ctx.spec.measures["callout_pad"]
    bar = ctx.spec.measures["bar"]
    sp = ts.shape(text, file=ctx.handout.file)

    def height(width):
        lines = sp.lines((width - 2 * pad - bar) / size)
        return len(lines) * pitch + sum(ink_gaps(ctx, sp, lines, width - 2 * pad - bar, size, pitch)) + 2 * pad

    def draw(pages, fr, off, n, top):
        page = pages[fr.page]
        h = height(fr.width)
        page.items.append(Box(fr.x, top - h, fr.width, h, fill=colours["accent"]))
        bx = fr.x + fr.width - bar if ctx.lang.rtl else fr.x
        page.items.append(Box(bx, top - h, bar, h, fill=colours["primary"]))
        tx = fr.x + pad if ctx.lang.rtl else fr.x + bar + pad
        lines = break_lines(ctx, sp, fr.width - 2 * pad - bar, size, text.key)
        emit(ctx, page, sp, lines, tx, fr.width - 2 * pad - bar, top - pad, size, pitch,
              colours["text"], "P", node, gaps=ink_gaps(ctx, sp, lines, fr.width - 2 * pad - bar, size, pitch))
        return 0

    return FlowBlock(section, whole(height), draw, space, keep_together=True)


def _figure_block(ctx: Ctx, section: str, fig: Figure, space: float) -> FlowBlock:
    """A figure that flows with the text (beyond the layout's diagram slots): column wide, at
    most about 70% of a page tall, never split from its caption."""
    spec = ctx.spec
    max_h = (spec.page_size[1] - spec.margins["top"] - spec.margins["bottom"]) * spec.measures["figure_max"]
    heights = whole(lambda w: draw_figure(ctx, Page(0, 0), fig, 0, w, 0, max_h))

    def draw(pages, fr, off, n, top):
        height = heights(fr.width, 0)[0]
        draw_figure(ctx, pages[fr.page], fig, fr.x, fr.x + fr.width, top - height, height)
        return 0

    return FlowBlock(section, heights, draw, space, keep_together=True, floats=True)


def contact_block(ctx: Ctx) -> FlowBlock:
    """The contact block and credits as the last thing in a flowing leaflet."""
    probe_top = 10000.0

    def draw(pages, fr, off, n, top):
        draw_contact(ctx, pages[fr.page], fr.x, fr.x + fr.width, top)
        return 0

    return FlowBlock("contact", whole(lambda w: probe_top - draw_contact(ctx, Page(0, 0), 0, w, probe_top)),
                     draw, ctx.size * 1.5, keep_together=True)
