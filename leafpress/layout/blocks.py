"""Content into flow blocks: one rule per block kind (heading, paragraph, list item, call-out,
figure, and the closing contact block of flowing leaflets).

Input: a :class:`Ctx` (one handout in one language at one body size). Output: the list of
:class:`FlowBlock` in reading order; heights are measured at the width of the column a block
lands in, never estimated at another.
"""
from __future__ import annotations


from ..content.model import (LEAD_IN, Bullets, Callout, Figure, Paragraph, Steps, Table, Text, WriteIn,
                             unknown_kind)
from ..content.template import expand
from ..errors import LeafletError
from .figures import draw_figure
from .flow import FlowBlock, whole
from .furniture import draw_contact, room
from .items import Box, FormField, Node, OutlineEntry, Page, Picture, Rule
from .setting import Ctx, break_lines, emit, ink_gaps, ink_span, rtl_overhang
from .stamp import slot


def flow_blocks(ctx: Ctx, outline: list, flowing: set) -> list[FlowBlock]:
    """The flow: per section its heading, then its blocks (figures whose id is in ``flowing``
    among them; the others have a diagram slot)."""
    h, brand = ctx.handout, ctx.brand
    size = ctx.size
    colours = brand.colours
    out: list[FlowBlock] = []
    for si, sec in enumerate(h.sections):
        hs = ctx.sz("heading")
        hsp = ctx.shape(sec.heading, bold=True, file=h.file)
        hpitch = ctx.pitch(hs, max(1.25, ctx.lh - 0.15))
        node = Node("heading", si)

        def draw_heading(pages, fr, off, n, top, hsp=hsp, hs=hs, hpitch=hpitch, node=node, title=sec.heading.plain):
            lines = hsp.balanced(fr.width / hs)
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
                if isinstance(nxt, (Bullets, Steps)) and is_lead_in(ctx, block.text):
                    out[-1].keep_with_next = True       # a list's lead-in stays with the list
                    ctx.lead_ins.add(bnode)
            elif isinstance(block, (Bullets, Steps)) and block.keep_together:
                out.append(_kept_list(ctx, sec.id, block, si, bi, sb))
            elif isinstance(block, (Bullets, Steps)):
                short = ctx.keep_lists and len(block.items) <= SHORT_LIST
                for ii, item in enumerate(block.items):
                    out.append(_list_item(ctx, sec.id, item, ii, isinstance(block, Steps),
                                          Node("item", si, bi, ii), sb if ii == 0 else size * ctx.spec.measures["item_gap"]))
                    out[-1].keep_group = short and ii + 1 < len(block.items)   # short lists stay whole
            elif isinstance(block, Callout) and block.text is not None:
                out.append(_callout(ctx, sec.id, block.text, bnode, sb))
            elif isinstance(block, Callout):
                out.append(_callout_box(ctx, sec.id, block, si, bi, sb))
            elif isinstance(block, Table):
                out.append(_table(ctx, sec.id, block, si, bi, sb))
            elif isinstance(block, WriteIn):
                out.append(_write_in(ctx, sec.id, block, si, bi, sb))
            elif isinstance(block, Figure):
                if id(block) in flowing:
                    out.append(_figure_block(ctx, sec.id, block, sb))
            else:
                raise unknown_kind(block, "layout.blocks")
    return out


SHORT_LIST = 5      # lists of up to this many items are kept together in one column


def is_lead_in(ctx: Ctx, text: Text) -> bool:
    """Whether a paragraph introduces the list after it: its source's does (the handout's
    lead_ins, whatever this language's punctuation), or it ends in a colon."""
    return text.key in ctx.handout.lead_ins or text.plain.rstrip().endswith(LEAD_IN)


def _paragraph(ctx: Ctx, section: str, text: Text, node: str, space: float) -> FlowBlock:
    """A paragraph: splits between columns at a line, resuming at that text position."""
    size, colour = ctx.size, ctx.brand.colours["text"]
    pitch = size * ctx.lh
    sp = ctx.shape(text, file=ctx.handout.file)

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

    def breaks(width, off, n):
        """A column (or page) never ends on a hyphenated line where the paragraph can break a
        line earlier (only layouts with ``hyphenate: true`` hyphenate at all)."""
        return not sp.lines(width / size, off)[n - 1].hyphen

    return FlowBlock(section, heights, draw, space, keep_together=False, breaks=breaks)


def _list_item(ctx: Ctx, section: str, item: Text, index: int, numbered: bool, node: str, space: float):
    size, colours = ctx.size, ctx.brand.colours
    pitch = size * ctx.lh
    indent = size * ctx.spec.measures["step_indent" if numbered else "bullet_indent"]
    sp = ctx.shape(item, file=ctx.handout.file)
    marker = ctx.shape(expand(ctx.lang.mark("step"), {"n": index + 1}) if numbered else ctx.lang.mark("bullet"),
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
    size, colours = ctx.size, ctx.brand.colours
    pitch = size * ctx.lh
    pad = size * ctx.spec.measures["callout_pad"]
    bar = ctx.spec.measures["bar"]
    sp = ctx.shape(text, file=ctx.handout.file)

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


class _Stack:
    """Paragraphs and list items set one under another in a box (a call-out's content or a list
    kept together): measured and drawn by the same code at a given width."""

    def __init__(self, ctx: Ctx, parts: list):
        self.ctx = ctx
        self.parts = parts          # (kind, Text, Node, index, gap before)
        self.shaped = [ctx.shape(t, file=ctx.handout.file) for _, t, _, _, _ in parts]

    def _indent(self, kind: str) -> float:
        m = self.ctx.spec.measures
        return 0.0 if kind == "paragraph" else self.ctx.size * m["step_indent" if kind == "steps" else "bullet_indent"]

    def units(self, width: float, start: int = 0) -> list:
        """The height of each part from ``start`` (the first without its gap above)."""
        size, pitch = self.ctx.size, self.ctx.size * self.ctx.lh
        out = []
        for k, ((kind, _, _, _, gap), sp) in enumerate(zip(self.parts, self.shaped)):
            if k >= start:
                w = width - self._indent(kind)
                lines = sp.lines(w / size)
                # (lines spaced by their ink, as in every other block: ``space_by_ink``)
                out.append((gap if k > start else 0.0) + len(lines) * pitch
                           + sum(ink_gaps(self.ctx, sp, lines, w, size, pitch)))
        return out

    def height(self, width: float) -> float:
        return self.parts[0][4] + sum(self.units(width)) if self.parts else 0.0

    def draw(self, page: Page, x: float, width: float, top: float, start: int = 0, stop: int | None = None) -> float:
        ctx, size = self.ctx, self.ctx.size
        pitch, colours, rtl = size * ctx.lh, ctx.brand.colours, ctx.lang.rtl
        y = top
        for k, ((kind, text, node, index, gap), sp) in enumerate(zip(self.parts, self.shaped)):
            if k < start or (stop is not None and k >= stop):
                continue
            y -= gap if k > start else (gap if start == 0 else 0.0)
            indent = self._indent(kind)
            lines = break_lines(ctx, sp, width - indent, size, text.key)
            gaps = ink_gaps(ctx, sp, lines, width - indent, size, pitch)
            if kind == "paragraph":
                y = emit(ctx, page, sp, lines, x, width, y, size, pitch, colours["text"], "P", node, gaps=gaps)
                continue
            marker = ctx.shape(expand(ctx.lang.mark("step"), {"n": index + 1}) if kind == "steps"
                               else ctx.lang.mark("bullet"), bold=kind == "steps")
            mw = indent - size * 0.45
            emit(ctx, page, marker, marker.lines(100), x + width - mw if rtl else x, mw, y, size, pitch,
                 colours["primary"], "Lbl", node, "left" if rtl else "right")
            y = emit(ctx, page, sp, lines, x if rtl else x + indent, width - indent, y, size, pitch,
                     colours["text"], "LBody", node, gaps=gaps)
        return top - y


def _list_parts(ctx: Ctx, block, si: int, bi: int, part: int | None, first_gap: float) -> list:
    gap = ctx.size * ctx.spec.measures["item_gap"]
    return [(block.kind, t, Node("item", si, bi, ii, part=part), ii, first_gap if ii == 0 else gap)
            for ii, t in enumerate(block.items)]


def _kept_list(ctx: Ctx, section: str, block, si: int, bi: int, space: float) -> FlowBlock:
    """A list the editor asked to keep together: never split between columns or pages."""
    stack = _Stack(ctx, _list_parts(ctx, block, si, bi, None, 0.0))

    def draw(pages, fr, off, n, top):
        stack.draw(pages[fr.page], fr.x, fr.width, top)
        return 0

    return FlowBlock(section, whole(stack.height), draw, space, keep_together=True)


def _callout_box(ctx: Ctx, section: str, block: Callout, si: int, bi: int, space: float) -> FlowBlock:
    """A call-out with a tone: its icon (vector art with alternative text) and its paragraphs and
    lists in a tinted box, kept together where a column holds it. One taller than a whole column
    splits between its parts (a paragraph or a list item each): the box runs open to the foot of
    the column, with no padding below, and goes on at the top of the next, its bar unbroken
    and the icon only at its start; the parts keep their places in the tags (one call-out)."""
    size, colours = ctx.size, ctx.brand.colours
    pad = size * ctx.spec.measures["callout_pad"]
    bar = ctx.spec.measures["bar"]
    icon_size = size * 1.8
    icon = ctx.diagrams.get("icon:" + block.tone)
    alt = ctx.lang.strings.get("icon_" + block.tone.replace("-", "_"))
    if icon is None or alt is None:
        raise LeafletError(f"no icon or no alternative text for the call-out tone {block.tone!r}",
                           file=ctx.lang.file if icon is not None else ctx.handout.file,
                           key="strings.icon_" + block.tone.replace("-", "_") if icon is not None else None,
                           hint="Add the icon's words to the language file's strings (e.g. "
                                "icon_warning: \"Warning\")" if icon is not None else
                                "Ship assets/icons/" + block.tone + ".svg")
    parts = []
    pitch_gap = size * ctx.spec.spacing["paragraph"]
    for k, part in enumerate(block.parts):
        gap = 0.0 if k == 0 else pitch_gap
        if isinstance(part, Paragraph):
            parts.append(("paragraph", part.text, Node("block", si, bi, part=k), 0, gap))
        else:
            parts += _list_parts(ctx, part, si, bi, k, gap)
    stack = _Stack(ctx, parts)
    inner = lambda width: width - 2 * pad - bar - icon_size - pad * 0.6      # noqa: E731
    cache: dict = {}

    def heights(width, off):
        """One entry per part from ``off``; the padding above the first and below the last, and
        at the start the icon's height at least."""
        if (width, off) not in cache:
            hs = stack.units(inner(width), off)
            hs[0] += pad
            hs[-1] += pad
            if off == 0 and sum(hs) < icon_size + 2 * pad:
                hs[-1] += icon_size + 2 * pad - sum(hs)
            cache[(width, off)] = hs
        return cache[(width, off)]

    def draw(pages, fr, off, n, top):
        page = pages[fr.page]
        h = sum(heights(fr.width, off)[:n])
        rtl = ctx.lang.rtl
        page.items.append(Box(fr.x, top - h, fr.width, h, fill=colours["accent"]))
        page.items.append(Box(fr.x + fr.width - bar if rtl else fr.x, top - h, bar, h, fill=colours["primary"]))
        if off == 0:
            ix = fr.x + fr.width - bar - pad - icon_size if rtl else fr.x + bar + pad
            node = Node("icon", si, bi)
            ctx.alts[(ctx.lang.code, node)] = alt
            page.items.append(Picture(icon, ix, top - pad - icon_size, icon_size, icon_size, role="Figure", node=node))
        tx = fr.x + pad if rtl else fr.x + bar + pad + icon_size + pad * 0.6
        stack.draw(page, tx, inner(fr.width), top - pad, off, off + n)
        return off + n

    def breaks(width: float, off: int, n: int) -> bool:
        kind, text = parts[off + n - 1][0], parts[off + n - 1][1]
        return not (kind == "paragraph" and is_lead_in(ctx, text))

    return FlowBlock(section, heights, draw, space, keep_together=True, split_tall=True, breaks=breaks)


def _table(ctx: Ctx, section: str, table: Table, si: int, bi: int, space: float) -> FlowBlock:
    """A table: column widths from its cells' natural and narrowest widths; rows never split,
    the table splits between rows with its header repeated (the repeat is an artifact: the
    header is content once). Right-to-left: the first column is on the right."""
    size, colours = ctx.size, ctx.brand.colours
    pitch = size * ctx.lh
    pad = size * 0.35
    file = ctx.handout.file
    head = [ctx.shape(t, bold=True, file=file) for t in table.header]
    rows = [[ctx.shape(t, file=file) for t in row] for row in table.rows]
    ncol = len(head)

    def widths(width: float) -> list:
        every = [head] + rows
        natural = [max(r[c].natural_width() for r in every) * size + 2 * pad for c in range(ncol)]
        narrow = [max(r[c].min_width() for r in every) * size + 2 * pad for c in range(ncol)]
        if sum(natural) <= width:
            return [n * width / sum(natural) for n in natural]
        if sum(narrow) >= width:
            return [width / ncol] * ncol
        slack = [n - m for n, m in zip(natural, narrow)]
        extra = width - sum(narrow)
        return [m + extra * s / (sum(slack) or 1) for m, s in zip(narrow, slack)]

    cache: dict = {}

    def row_heights(width: float) -> list:
        if width not in cache:
            ws = widths(width)
            cache[width] = (ws, [max(len(sp.lines((w - 2 * pad) / size)) for sp, w in zip(r, ws)) * pitch + 2 * pad
                                 for r in [head] + rows])
        return cache[width]

    def heights(width, off):
        hs = row_heights(width)[1]
        return [hs[0] + hs[1 + off]] + hs[2 + off:]

    def draw_row(page, fr, cells, top, h, r, ws, header: bool, repeat: bool):
        rtl = ctx.lang.rtl
        x = fr.x + fr.width if rtl else fr.x
        if header:
            page.items.append(Box(fr.x, top - h, fr.width, h, fill=colours["accent"]))
        for c, (sp, w) in enumerate(zip(cells, ws)):
            cx = x - w if rtl else x
            node = Node("other") if repeat else Node("cell", si, bi, r, part=c)
            role = "Artifact" if repeat else ("TH" if header else "TD")
            lines = break_lines(ctx, sp, w - 2 * pad, size, table.header[c].key if header else table.rows[r - 1][c].key)
            emit(ctx, page, sp, lines, cx + pad, w - 2 * pad, top - pad, size, pitch,
                 colours["primary" if header else "text"], role, node)
            if c:
                edge = cx + w if rtl else cx
                page.items.append(Rule(edge, top, edge, top - h, colours["muted"], 0.5))
            x = cx if rtl else cx + w
        page.items.append(Rule(fr.x, top - h, fr.x + fr.width, top - h, colours["muted"], 0.5))

    def draw(pages, fr, off, n, top):
        page = pages[fr.page]
        ws, hs = row_heights(fr.width)
        page.items.append(Rule(fr.x, top, fr.x + fr.width, top, colours["primary"], 1.0))
        draw_row(page, fr, head, top, hs[0], 0, ws, True, off > 0)
        y = top - hs[0]
        for r in range(off, off + n):
            draw_row(page, fr, rows[r], y, hs[r + 1], r + 1, ws, False, False)
            y -= hs[r + 1]
        return off + n

    # The flow splits a block only with two rows or more on each side: a shorter table is whole.
    return FlowBlock(section, heights, draw, space, keep_together=len(rows) < 4)


def _write_in(ctx: Ctx, section: str, block: WriteIn, si: int, bi: int, space: float) -> FlowBlock:
    """Write-in lines: each label with a ruled line to write on by hand -- beside a short label,
    under a long one -- (and, when asked, a fillable form field on it). Four lines or more may
    split between columns, at least two on each side (like a table's rows); fewer stay together."""
    size, colours = ctx.size, ctx.brand.colours
    pitch = size * ctx.lh
    room = size * 1.8            # a handwritten line's height (about 7.6 mm at 12 pt, college ruled)
    shaped = [ctx.shape(t, bold=True, file=ctx.handout.file) for t in block.fields]

    def label_ink(sp) -> tuple[float, float]:
        # the one-line label's ink, in em from where emit puts the line's start: a swash or tail
        # overhanging the advance (Nastaliq) counts, so the ruled line stays clear of it
        ln = sp.one_line()
        left, right = ink_span(sp, ln)
        if ctx.lang.rtl:        # emit right-aligns, shifting a line whose ink overhangs on the right
            # (by all of it: a label beside its ruled line leaves the column 8 ems and more)
            shift = rtl_overhang(sp, ln)
            return left - shift, right - shift
        return left, right

    def ink_top(sp) -> float:
        # how far the one-line label's ink reaches above its baseline, in em
        from .inspection import piece_box
        return max((b[3] for b in map(piece_box, sp.pieces(sp.one_line())) if b is not None), default=0.0)

    def beside(sp, width) -> bool:
        # beside when the line left after the label still holds a date or a phone number
        # written by hand (about 8 ems)
        left, right = label_ink(sp)
        return (right - left + 0.6 + WRITE_ROOM) * size <= width

    def row(sp, width) -> float:
        if beside(sp, width):
            # tall enough that the label's ink (drawn with its baseline pitch / 2 above the ruled
            # line, see draw) stays inside the row: Nastaliq's rising words would otherwise
            # cross the ruled line of the row above
            return max(max(room, pitch) + size * 0.3, pitch / 2 + (ink_top(sp) + 0.5) * size)
        return len(sp.lines(width / size)) * pitch + room

    def heights(width, off):
        return [row(sp, width) for sp in shaped[off:]]

    def draw(pages, fr, off, n, top):
        page = pages[fr.page]
        rtl = ctx.lang.rtl
        y = top
        for k in range(off, off + n):
            sp, t = shaped[k], block.fields[k]
            node = Node("item", si, bi, k)
            h = row(sp, fr.width)
            line_y = y - h + size * 0.45
            if beside(sp, fr.width):
                lines = sp.lines(10 ** 6)
                left, right = label_ink(sp)
                emit(ctx, page, sp, lines, fr.x, fr.width, line_y + size * 0.3 + pitch, size, pitch,
                     colours["text"], "P", node)
                if rtl:     # the line starts (ln.width) em left of the column's right edge
                    x0, x1 = fr.x, fr.x + fr.width - (lines[0].width - left + 0.6) * size
                else:
                    x0, x1 = fr.x + (right + 0.6) * size, fr.x + fr.width
            else:
                emit(ctx, page, sp, break_lines(ctx, sp, fr.width, size, t.key), fr.x, fr.width, y, size,
                     pitch, colours["text"], "P", node)
                x0, x1 = fr.x, fr.x + fr.width
            page.items.append(Rule(x0, line_y, x1, line_y, colours["text"], 0.6))
            if block.form:
                page.fields.append(FormField(f"{section}.{bi}.{k}", t.plain, x0, line_y + 0.5, x1 - x0,
                                             room - size * 0.4, ctx.lang.code, node))
            y -= h
        return off + n

    return FlowBlock(section, heights, draw, space, keep_together=len(shaped) < 4)


WRITE_ROOM = 8.0    # ems of line a handwritten date or phone number needs beside its label


def _figure_block(ctx: Ctx, section: str, fig: Figure, space: float) -> FlowBlock:
    """A figure that flows with the text (beyond the layout's diagram slots): column wide, at
    most about 70% of a page tall, never split from its caption."""
    spec = ctx.spec
    max_h = (spec.page_size[1] - spec.margins["top"] - spec.margins["bottom"]) * spec.measures["figure_max"]
    heights = whole(lambda w: draw_figure(ctx, None, fig, 0, w, 0, max_h))

    def draw(pages, fr, off, n, top):
        height = heights(fr.width, 0)[0]
        draw_figure(ctx, pages[fr.page], fig, fr.x, fr.x + fr.width, top - height, height)
        return 0

    return FlowBlock(section, heights, draw, space, keep_together=True, floats=True)


def note_block(ctx: Ctx) -> FlowBlock | None:
    """A partner clinic's own short text (its aftercare instructions or hours) in a ruled box at
    the end of the content. Every clinic's leaflet keeps the same room for it (the layout's
    ``brand_lines: {note: N}`` lines, or the longest note any clinic has in this language), so all
    clinics lay out alike; None when no clinic has a note in this language and the layout keeps
    none."""
    code = ctx.lang.code
    if (ctx.spec.brand_lines or {}).get("note") is None and not any(
            b.note(code) for b in (ctx.brand, *ctx.peers)):
        return None
    size = ctx.size

    def draw(pages, fr, off, n, top):
        draw_note(ctx, pages[fr.page], fr.x, fr.width, top)
        return 0

    return FlowBlock("clinic-note", whole(lambda w: note_height(ctx, w)), draw, size * ctx.spec.spacing["section"],
                     keep_together=True)


def note_height(ctx: Ctx, width: float) -> float:
    """The room kept for a clinic's note in a column ``width`` wide (a clear error when this
    clinic's note needs more than the layout keeps)."""
    size, code = ctx.size, ctx.lang.code
    pad = size * ctx.spec.measures["callout_pad"]

    def lines_of(brand) -> int:
        t = brand.note(code)
        return len(ctx.ts.shape(t).lines((width - 2 * pad) / size)) if t else 0

    n = room(ctx, "note", lines_of, "note", width, pad)
    return n * size * ctx.lh + 2 * pad if n else 0.0


@slot
def draw_note(ctx: Ctx, page: Page, x: float, width: float, top: float) -> float:
    """The clinic's note in its room; the room stays blank for a clinic without one. Returns the
    room's height."""
    h = note_height(ctx, width)
    text = ctx.brand.note(ctx.lang.code)
    if not text:
        return h
    size, colours = ctx.size, ctx.brand.colours
    pad = size * ctx.spec.measures["callout_pad"]
    sp = ctx.ts.shape(text)
    page.items.append(Box(x, top - h, width, h, stroke=colours["primary"], stroke_width=0.8))
    emit(ctx, page, sp, break_lines(ctx, sp, width - 2 * pad, size, "note"), x + pad,
         width - 2 * pad, top - pad, size, size * ctx.lh, colours["text"], "P", Node("contact"))
    return h


def contact_block(ctx: Ctx) -> FlowBlock:
    """The contact block and credits as the last thing in a flowing leaflet."""
    probe_top = 10000.0

    def draw(pages, fr, off, n, top):
        draw_contact(ctx, pages[fr.page], fr.x, fr.x + fr.width, top)
        return 0

    return FlowBlock("contact", whole(lambda w: probe_top - draw_contact(ctx, Page(0, 0), 0, w, probe_top)),
                     draw, ctx.size * 1.5, keep_together=True)
