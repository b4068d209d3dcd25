"""The bilingual family: two languages side by side, section by section.

Input: [(handout, language, typesetter), ...] in column order, a LayoutSpec, a Brand, the
diagrams. Output: a :class:`LaidOut` with a part per language that has passed the conservation
check, or a DoesNotFit when a block is taller than a whole column.
"""
from __future__ import annotations

from ..brand import Brand
from ..content.model import Figure
from . import conserve, inspection
from .blocks import flow_blocks, note_block
from .fitting import does_not_fit, leading
from .flow import Cursor, Frame, fill, opening_fits
from .furniture import above_line, draw_footer, draw_running_head, draw_summary, logo_source
from .items import Box, LaidOut, Node, OutlineEntry, Page, Picture
from .setting import Ctx, break_lines, emit, fit_words, peers_in
from .spec import LayoutSpec
from .stamp import slot


def lay_out_bilingual(sides: list, spec: LayoutSpec, brand: Brand, diagrams: dict,
                      banner: str | None = None, peers: tuple = ()) -> LaidOut:
    """Two languages side by side, section by section: each section starts level in both
    columns, each column in its own direction and fonts. ``sides`` is [(handout, language,
    typesetter), ...] in column order (left first). Flows onto as many pages as needed."""
    W, H = spec.page_size
    size = spec.body_max
    ctxs = [Ctx(h, lang, spec, brand.for_language(lang.code, lang.rtl), ts, diagrams, size,
                leading(spec, lang, ts.reading_size),
                peers=peers_in(peers, lang.code, lang.rtl))
            for h, lang, ts in sides]
    first = ctxs[0]
    for ctx in ctxs[1:]:        # a draft column says so in its language and in the first column's
        ctx.notice_also = first.lang.strings["draft_notice"]
        ctx.seq = first.seq
    outline: list[OutlineEntry] = []
    per_side = []
    for i, ctx in enumerate(ctxs):
        every = {id(b) for sec in ctx.handout.sections for b in sec.blocks if isinstance(b, Figure)}
        blocks = flow_blocks(ctx, outline if i == 0 else [], flowing=every)
        note = note_block(ctx)          # a partner clinic's text, in each column's language
        if note is not None:
            blocks.append(note)
        rows: dict = {}
        for b in blocks:
            rows.setdefault(b.section, []).append(b)
        per_side.append(rows)
    sections = [s.id for s in first.handout.sections] + ["clinic-note"]
    footer_h = max(spec.footer["height"], draw_footer(first, None, 98, 99, others=tuple(ctxs[1:]))) \
        if spec.footer else 0.0
    pages: list[Page] = []
    left0, right0 = spec.panel_bounds(0, 0, 1)
    gap = spec.column_gap(size)
    cw = (right0 - left0 - gap) / 2
    top = H - spec.margins["top"]
    if spec.running_head is not None:   # pages after the first: each column's title above it
        top = min([top] + [draw_running_head(c, Page(0, 0), left0, left0 + cw) - above_line(c, size, c.lh) - size * 0.3
                           for c in ctxs])
    bottom = spec.margins["bottom"] + footer_h + size * 0.6

    def page(i: int) -> Page:
        while len(pages) <= i:
            pages.append(Page(W, H))
        return pages[i]

    # First page: the band with both titles, then both summaries side by side.
    p0 = page(0)
    band = _bilingual_header(ctxs, p0, left0, right0, cw, gap)
    if banner:      # e.g. a reviewer's proof: what is being reviewed and its status
        sp = first.ts.shape(banner, bold=True)
        lines = break_lines(first, sp, right0 - left0, size, "banner")
        band = emit(first, p0, sp, lines, left0, right0 - left0, band, size, first.pitch(size, 1.4), brand.colours["notice"], "P", Node("banner"))
        band -= size * 0.6
    y_rows = []
    for k, ctx in enumerate(ctxs):
        x = left0 + k * (cw + gap)
        y_rows.append(draw_summary(ctx, p0, x, x + cw, band))
    cur_page, cur_y = 0, min(y_rows)
    for sec in sections:
        if cur_y < top and not all(opening_fits(per_side[k].get(sec, []), cw, cur_y - bottom)
                                   for k in range(len(ctxs))):
            cur_page, cur_y = cur_page + 1, top     # both columns start the section level, below
        ends = []
        for k, ctx in enumerate(ctxs):
            blocks = per_side[k].get(sec, [])
            x = left0 + k * (cw + gap)
            pi, y = cur_page, cur_y
            cur = Cursor()
            while cur.block < len(blocks):
                page(pi)
                got = fill(pages, Frame(pi, x, y, cw, y - bottom, whole=y >= top), blocks, cur)
                if got.stuck is not None and y >= top:      # taller than a whole column
                    raise does_not_fit(got.stuck, spec, ctx.lang, ctx.handout.file, size)
                cur = got.cursor
                if cur.block < len(blocks):
                    pi, y = pi + 1, top
                else:
                    y = got.y
            ends.append((pi, y))
        cur_page = max(e[0] for e in ends)
        cur_y = min(e[1] for e in ends if e[0] == cur_page)
        if cur_y - bottom < size * 3:
            cur_page, cur_y = cur_page + 1, top
        else:
            cur_y -= size * spec.spacing["section"]
    if spec.footer is not None:
        for i, pg in enumerate(pages):
            draw_footer(first, pg, i, len(pages), others=tuple(ctxs[1:]))
    if spec.running_head is not None:
        for pg in pages[1:]:
            for k, ctx in enumerate(ctxs):
                draw_running_head(ctx, pg, left0 + k * (cw + gap), left0 + k * (cw + gap) + cw)
    alts = {k: v for c in ctxs for k, v in c.alts.items()}
    laid = LaidOut(pages, outline, size, [w for c in ctxs for w in c.warnings], alts, first.lang.code,
                   tuple(c.lang.code for c in ctxs), lead_ins=frozenset(n for c in ctxs for n in c.lead_ins))
    conserve.check(laid, [conserve.Source(c.handout, c.lang, c.brand, furniture=c is first) for c in ctxs])
    bad = inspection.errors(laid, spec)
    if bad:         # one size only: a page the inspector fails fails the sheet
        raise inspection.bad_page(bad, spec, ctxs[-1].lang, ctxs[-1].handout.file, size)
    return laid


@slot
def _bilingual_header(ctxs: list, page: Page, left: float, right: float, cw: float, gap: float) -> float:
    """The colour band with the logo and both titles, each in its own column and direction."""
    first = ctxs[0]
    spec, brand = first.spec, first.brand
    W, H = page.width, page.height
    pad = spec.header["padding"]
    logo = spec.header["logo"]
    laid = []
    for k, ctx in enumerate(ctxs):
        w = cw - (logo + pad * 0.5 if k == 0 else 0)
        title = ctx.ts.shape(ctx.handout.title, bold=True, file=ctx.handout.file)
        tsize = fit_words(title, w, ctx.sz("title") * 0.85, ctx.size)
        sub = ctx.handout.subtitle
        ssp = ctx.ts.shape(sub, file=ctx.handout.file, hyphenate=False) if sub else None
        ssize = ctx.sz("subtitle") * 0.9
        sl = break_lines(ctx, ssp, w, ssize, "subtitle", balance=True) if ssp else []
        laid.append((ctx, title, break_lines(ctx, title, w, tsize, "title", balance=True), tsize, w, ssp, sl, ssize))
    heights = [len(ls) * ctx.pitch(ts_, spec.measures["title_pitch"]) + len(sl) * ss * ctx.lh for ctx, _, ls, ts_, _, _, sl, ss in laid]
    # centred, and no nearer the paper's edge than the printable margin
    top_gap = spec.printable + max(above_line(t[0], t[3], t[0].pitch(1.0, spec.measures["title_pitch"])) for t in laid)
    band = max(spec.header["height"], max(heights) + pad * 1.1, max(heights) + top_gap + pad * 0.55)
    page.items.append(Box(0, H - band, W, band, fill=brand.colours["primary"], part="band"))
    if brand.logo is not None:
        page.items.append(Picture(logo_source(brand), left, H - band / 2 - logo / 2, logo, logo, role="Artifact"))
    on = brand.colours["on_primary"]
    for k, (ctx, title, lines, tsize, w, ssp, sl, ssize) in enumerate(laid):
        x = left + k * (cw + gap) + (logo + pad * 0.5 if k == 0 else 0)
        y = H - max(band / 2 - heights[k] / 2, top_gap)
        y = emit(ctx, page, title, lines, x, w, y, tsize, ctx.pitch(tsize, spec.measures["title_pitch"]), on, "H1", Node("title", column=k))
        if sl:
            emit(ctx, page, ssp, sl, x, w, y, ssize, ssize * ctx.lh, on, "P", Node("subtitle", column=k))
    return H - band - first.size * 0.9
