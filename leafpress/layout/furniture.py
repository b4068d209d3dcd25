"""Page furniture: the header band, the brochure cover, the summary box, the contact block and
the page footer (with the QR code and the logo).

Input: a :class:`Ctx` and a box on a page. Output: items on the page, and the edge where the
furniture ends (so the body knows where it may start), or with ``page=None`` only the height.
"""
from __future__ import annotations

from pathlib import Path

from .. import formatting
from ..brand import Brand
from ..errors import LeafletError
from ..lru import Lru, owned_by
from ..content.model import Span, Status
from .items import Box, Link, Node, Page, Picture, Qr, Raster, Rule, Svg
from ..text.bidi import isolate
from .setting import Ctx, break_lines, emit, fit_words, ink_gaps
from .stamp import slot


@slot
def draw_header(ctx: Ctx, page: Page, left: float, right: float) -> float:
    """A full-width colour band with the logo, the title (H1) and the subtitle."""
    spec, brand, ts = ctx.spec, ctx.brand, ctx.ts
    W, H = page.width, page.height
    pad = spec.header["padding"]
    logo = spec.header["logo"]
    ssize = ctx.sz("subtitle")
    text_w = right - left - logo - pad * 0.6
    title = ts.shape(ctx.handout.title, bold=True, file=ctx.handout.file)
    tsize = fit_words(title, text_w, ctx.sz("title"), ctx.size)
    tl = break_lines(ctx, title, text_w, tsize, "title", balance=True)
    sub = ctx.handout.subtitle
    sl = break_lines(ctx, ts.shape(sub, file=ctx.handout.file, hyphenate=False), text_w, ssize, "subtitle",
                     balance=True) if sub else []
    need = len(tl) * ctx.pitch(tsize, spec.measures["title_pitch"]) + len(sl) * ctx.pitch(ssize, spec.measures["subtitle_pitch"]) + pad * 1.1
    content_h = len(tl) * ctx.pitch(tsize, spec.measures["title_pitch"]) + len(sl) * ctx.pitch(ssize, spec.measures["subtitle_pitch"])
    # The clinic's name and phone beside the title, where the title leaves room for them.
    block = _partner_block(ctx, text_w, tl, tsize, ctx.pitch(tsize, spec.measures["title_pitch"]), sl, ssize,
                           ctx.pitch(ssize, spec.measures["subtitle_pitch"]))
    # centred in the band, and no nearer the paper's edge than the printable margin
    top_gap = spec.printable + above_line(ctx, tsize, ctx.pitch(1.0, spec.measures["title_pitch"]))
    band = max(spec.header["height"], need, content_h + top_gap + pad * 0.55)
    page.items.append(Box(0, H - band, W, band, fill=brand.colours["primary"], part="band"))
    rtl = ctx.lang.rtl
    lx = right - logo if rtl else left
    if brand.logo is not None:
        page.items.append(Picture(logo_source(brand), lx, H - band / 2 - logo / 2, logo, logo, role="Artifact"))
    tx = left if rtl else left + logo + pad * 0.6
    y = H - max(band / 2 - content_h / 2, top_gap)
    if block:
        block[1](page, left if rtl else right - block[0], y)
    y = emit(ctx, page, title, tl, tx, text_w, y, tsize, ctx.pitch(tsize, spec.measures["title_pitch"]), brand.colours["on_primary"], "H1", Node("title"))
    if sl:
        emit(ctx, page, ts.shape(sub, hyphenate=False), sl, tx, text_w, y, ssize, ctx.pitch(ssize, spec.measures["subtitle_pitch"]),
             brand.colours["on_primary"], "P", Node("subtitle"))
    return H - band - ctx.size * 0.9


def _partner_block(ctx: Ctx, text_w: float, tl: list, tsize: float, tpitch: float, sl: list,
                   ssize: float, spitch: float):
    """The clinic's name and phone on the header band of layouts with ``partner_block`` (the
    2-page sheets): white on the band, bold, the phone the larger, beside the title at the end
    of the reading direction -- where the title and subtitle lines beside it leave the room the
    widest of the project's clinics needs (so every clinic's leaflet lays out the same, and a
    clinic can be stamped in), and without making the band taller. Otherwise None (the strip at
    the top of the next page carries them, see :func:`draw_running_head`). Returns (width,
    draw(page, x, top))."""
    spec, ts = ctx.spec, ctx.ts
    if spec.partner_block is None:
        return None
    size = spec.measures["contact_min"]
    big = size * 1.2

    def widest(b: Brand) -> float:
        return max([_natural(ts.shape(b.organisation, bold=True), size)] +
                   ([_natural(ts.shape(b.phone, bold=True), big)] if b.phone else []))
    width = max(widest(ctx.brand), most(ctx, "partner block", widest, size, big, default=0.0, sized=False)) + 1.0
    height = size * 1.2 + big * 1.2         # a phone line kept for every clinic
    beside = text_w - width - spec.header["padding"] * 0.6
    y = 0.0
    for lines, sz, pitch in ((tl, tsize, tpitch), (sl, ssize, spitch)):
        for ln in lines:
            if y < height - 2.0 and ln.width * sz > beside:     # a line the block would touch
                return None
            y += pitch
    if width > spec.partner_block["width"]:
        return None
    brand = ctx.brand
    align = "left" if ctx.lang.rtl else "right"
    rows = [(ts.shape(brand.organisation, bold=True), size)]
    if brand.phone:
        rows.append((ts.shape(brand.phone, bold=True), big))

    def draw(page: Page, x: float, top: float) -> None:
        for sp, sz in rows:
            top = emit(ctx, page, sp, sp.lines(width / sz), x, width, top, sz, sz * 1.2,
                       brand.colours["on_primary"], "Artifact", Node("contact"), align)   # read in the footer
    return width, draw


def _natural(sp, size: float) -> float:
    """The width of a text set on one line, in points."""
    return sp.natural_width() * size


@slot
def draw_cover(ctx: Ctx, page: Page, left: float, right: float, top: float, bottom: float,
               fill: bool = False) -> float:
    """A brochure cover panel: a colour field with the logo, organisation, title, subtitle and
    the main message. ``fill``: the cover is the whole panel, so the colour field grows down to
    leave just the main message below it, its contents centred in it."""
    spec, brand, ts, h = ctx.spec, ctx.brand, ctx.ts, ctx.handout
    width = right - left
    pad = spec.header["padding"]
    logo = spec.header["logo"] * spec.measures["cover_logo"]
    ssize = ctx.sz("subtitle")
    title = ts.shape(h.title, bold=True, file=h.file)
    tsize = fit_words(title, width - pad, ctx.sz("title"), ctx.size)
    tl = break_lines(ctx, title, width - pad, tsize, "title", balance=True)
    sub = ts.shape(h.subtitle, file=h.file, hyphenate=False) if h.subtitle else None
    sl = break_lines(ctx, sub, width - pad, ssize, "subtitle", balance=True) if sub else []
    org = ts.shape(brand.name, bold=True)
    osize = max(ctx.size * 0.9, spec.minimum["footer"])
    ol = break_lines(ctx, org, width - pad, osize, "brand")
    name_lines = room(ctx, "name", lambda b: len(ts.shape(b.name, bold=True).lines((width - pad) / osize)),
                      "name on the cover", width - pad, osize, sized=False)
    band_h = pad + logo + osize * 0.8 + name_lines * ctx.pitch(osize, 1.3) + pad * 0.6 + len(tl) * ctx.pitch(tsize, spec.measures["title_pitch"]) + \
        len(sl) * ctx.pitch(ssize, spec.measures["subtitle_pitch"]) + pad
    # Half the panel's padding wider than the text, and never into the unprintable edge.
    W = spec.page_size[0]
    x0 = max(left - spec.margins["outside"] * 0.5, spec.printable)
    x1 = min(right + spec.margins["outside"] * 0.5, W - spec.printable)
    offset = 0.0
    if fill:
        summary_h = 10000.0 - draw_summary(ctx, Page(0, 0), left, right, 10000.0)
        grown = top - bottom - summary_h - ctx.size - 1.0
        if grown > band_h:
            offset, band_h = (grown - band_h) / 2, grown
    page.items.append(Box(x0, top - band_h, x1 - x0, band_h,
                          fill=brand.colours["primary"], radius=6, part="cover"))
    y = top - pad - offset
    if brand.logo is not None:
        page.items.append(Picture(logo_source(brand), left + (width - logo) / 2, y - logo, logo, logo, role="Artifact"))
    y -= logo + osize * 0.8
    on = brand.colours["on_primary"]
    y = emit(ctx, page, org, ol, left, width, y, osize, ctx.pitch(osize, 1.3), on, "P", Node("brandname"), "center")
    if name_lines > len(ol):
        y -= (name_lines - len(ol)) * ctx.pitch(osize, 1.3)
    y -= pad * 0.6
    y = emit(ctx, page, title, tl, left, width, y, tsize, ctx.pitch(tsize, spec.measures["title_pitch"]), on, "H1", Node("title"), "center")
    if sl:
        emit(ctx, page, sub, sl, left, width, y, ssize, ctx.pitch(ssize, spec.measures["subtitle_pitch"]), on, "P", Node("subtitle"), "center")
    return draw_summary(ctx, page, left, right, top - band_h - ctx.size)


def draw_summary(ctx: Ctx, page: Page, left: float, right: float, top: float) -> float:
    ts, h, brand = ctx.ts, ctx.handout, ctx.brand
    y = top
    if h.translation.status is not Status.REVIEWED and h.translation.status is not Status.SOURCE:
        fs = max(ctx.spec.minimum["footer"] + 1, ctx.size * 0.8)
        note = ctx.lang.strings["draft_notice"]
        if ctx.notice_also and ctx.notice_also != note:
            note += ctx.lang.mark("separator") + isolate(ctx.notice_also, ctx.lang.rtl)
        sp = ts.shape(note, bold=True)
        lines = break_lines(ctx, sp, right - left, fs, "draft notice")
        y = emit(ctx, page, sp, lines, left, right - left, y, fs, ctx.pitch(fs, 1.3), brand.colours["notice"], "P", Node("draft"))
        y -= ctx.size * 0.4
    size = ctx.sz("summary")
    pad = ctx.size * ctx.spec.measures["summary_pad"]
    bar = ctx.spec.measures["bar"]
    sp = ts.shape(h.summary, file=h.file)
    inner = right - left - 2 * pad - bar
    lines = break_lines(ctx, sp, inner, size, "summary")
    pitch = size * ctx.lh
    gaps = ink_gaps(ctx, sp, lines, inner, size, pitch)
    box_h = len(lines) * pitch + sum(gaps) + 2 * pad * 0.8
    page.items.append(Box(left, y - box_h, right - left, box_h, fill=brand.colours["accent"]))
    bx = right - bar if ctx.lang.rtl else left
    page.items.append(Box(bx, y - box_h, bar, box_h, fill=brand.colours["primary"]))
    tx = left + pad if ctx.lang.rtl else left + bar + pad
    emit(ctx, page, sp, lines, tx, inner, y - pad * 0.8, size, pitch, brand.colours["text"], "P", Node("summary"),
         gaps=gaps)
    return y - box_h - ctx.size * 1.2


@slot
def draw_contact(ctx: Ctx, page: Page, left: float, right: float, top: float | None,
             bottom: float = 0.0) -> float:
    """The back panel: how to reach the clinic or organisation, credits, version and review date.
    Placed from ``top`` down, or (top=None) upwards from ``bottom``; returns the free edge."""
    spec, ts, brand, lang = ctx.spec, ctx.ts, ctx.brand, ctx.lang
    width = right - left
    size = max(ctx.size * 0.95, spec.minimum["footer"])
    small = max(size * 0.85, spec.minimum["footer"])
    hs = ctx.sz("heading")
    # (shaped text, size, line pitch, colour, role, node)
    rows = [(ts.shape(lang.strings["contact"], bold=True), hs, ctx.pitch(hs, 1.3), brand.colours["primary"], "H2", Node("contact"))]
    for sp, link in zip(_contact_rows(ctx, brand), (False, *(False for b in (brand.phone, brand.address) if b), True)):
        rows.append((sp, size, ctx.pitch(size, 1.4), brand.colours["primary" if link else "text"], "Link" if link else "P",
                     Node("contact")))
    n_clinic_rows = len(rows)
    if ctx.handout.contact:     # this handout's own line: the same for every clinic, not in their room
        rows.append((ts.shape(ctx.handout.contact, bold=True, file=ctx.handout.file), size, ctx.pitch(size, 1.4),
                     brand.colours["text"], "P", Node("contact")))
    rows.append((ts.shape(_credit(ctx)), small, ctx.pitch(small, 1.35), brand.colours["muted"], "Note", Node("credit")))
    rows.append((ts.shape(_facts(ctx)), small, ctx.pitch(small, 1.35), brand.colours["muted"], "Note", Node("facts")))
    laid = [(sp, break_lines(ctx, sp, width, sz, "contact", balance=role == "H2"), sz, p, col, role, node)
            for sp, sz, p, col, role, node in rows]
    # Lines spaced by their ink where the language needs it (Nastaliq), as in the body.
    ink = [ink_gaps(ctx, sp, ls, width, sz, p) for sp, ls, sz, p, *_ in laid]
    gaps = {1: size * 0.5, len(rows) - 2: size * 1.2}
    total = sum(len(ls) * p for _, ls, _, p, _, _, _ in laid) + sum(gaps.values()) + sum(map(sum, ink))
    # Room kept for any clinic: the rows that differ by clinic count as the layout says.
    n_contact = sum(len(row[1]) for row in laid[1:n_clinic_rows])
    n_credit = len(laid[-2][1])
    extra = (room(ctx, "contact", lambda b: sum(len(sp.lines(width / size)) for sp in _contact_rows(ctx, b)),
                  "contact details", width, size, sized=False) - n_contact) * ctx.pitch(size, 1.4) + \
        (room(ctx, "credit", lambda b: len(ts.shape(_credit(ctx, b)).lines(width / small)), "credit", width, small,
              sized=False)
         - n_credit) * ctx.pitch(small, 1.35)
    if extra:
        total += extra
    qr = min(width * 0.5, spec.measures["contact_qr"]) if _any_qr(ctx) else 0.0
    total += qr + size * 0.8 if qr else 0
    y = top if top is not None else bottom + total
    for i, (sp, ls, sz, p, col, role, node) in enumerate(laid):
        y -= gaps.get(i, 0)
        y = emit(ctx, page, sp, ls, left, width, y, sz, p, col, role, node, gaps=ink[i])
    if qr:
        y -= extra + size * 0.8 + qr
        place_qr(ctx, page, right - qr if lang.rtl else left, y, qr)
        caption = qr_caption(ctx)
        if caption is not None and brand.online(ctx.handout.id, lang.code):
            cw = width - qr - size * 0.6        # beside the code, from its top
            cx = left if lang.rtl else left + qr + size * 0.6
            cl = break_lines(ctx, caption, cw, small, "QR caption")
            emit(ctx, page, caption, cl, cx, cw, y + qr, small, ctx.pitch(small, 1.3), brand.colours["text"],
                 "Note", Node("qr"), gaps=ink_gaps(ctx, caption, cl, cw, small, ctx.pitch(small, 1.3)))
    return y - size if top is not None else bottom + total + size


@slot
def draw_footer(ctx: Ctx, page: Page | None, index: int, count: int, short: bool = False,
            others: tuple = ()) -> float:
    """Contact (with the website as a live link), credits, version, review date, page x of y,
    the QR code; ``short``: version, review date and page x of y only.
    Returns the footer's height; draws only when ``page`` is given."""
    spec, ts, brand, lang = ctx.spec, ctx.ts, ctx.brand, ctx.lang
    W = spec.page_size[0]
    size = max(spec.footer_size, spec.minimum["footer"])
    pf = max(c.pitch(1.0, 1.3) for c in (ctx, *others))     # line pitch (x size)
    left, right = spec.margins["outside"], W - spec.margins["outside"]
    qr = 0.0 if short or not _any_qr(ctx) else max(spec.footer["height"] - size * 0.6, spec.measures["footer_qr"])
    width = right - left - (qr + size if qr else 0)
    text_x = left + (qr + size if qr and lang.rtl else 0)
    whole = tuple(b for b in (brand.organisation, brand.address) if b)    # each on one line
    rows = [(ctx, ts.shape(_contact_line(ctx, brand), whole=whole), Node("contact"), "Note"),
            (ctx, ts.shape(_credit(ctx)), Node("credit"), "Note")]
    caption = qr_caption(ctx) if qr else None
    if caption is not None:         # what the QR code beside it opens
        rows.insert(1, (ctx, caption, Node("qr"), "Note"))
    if ctx.handout.contact:     # this handout's own line (the same for every clinic: not in their room)
        rows.insert(1, (ctx, ts.shape(ctx.handout.contact, bold=True, file=ctx.handout.file), Node("contact"), "Note"))
    for o in others:    # a dual-language sheet credits the source (and gives its own contact line) in both
        rows.append((o, o.ts.shape(o.handout.source_credit, file=o.handout.file), Node("credit", lang=o.lang.code), "Note"))
        if o.handout.contact:
            rows.append((o, o.ts.shape(o.handout.contact, bold=True, file=o.handout.file),
                         Node("contact", lang=o.lang.code), "Note"))
    rows.append((ctx, ts.shape(_facts(ctx, index + 1, count)), Node("pagefacts"), "Artifact"))
    if short:       # the other pages: the contact is once per leaflet, in full
        rows = rows[-1:]
    # How to reach the clinic is set large enough to use (contact_min), the rest at footer size.
    csize = max(size, spec.measures["contact_min"])
    sizes = [csize if node.kind == "contact" else size for _, _, node, _ in rows]
    broken = [(c, sp, break_lines(c, sp, width, sz, "footer"), node, role, sz)
              for (c, sp, node, role), sz in zip(rows, sizes)]
    height = sum(len(lines) * sz * pf for *_, lines, _, _, sz in broken)
    # The first line's tallest glyphs (Nastaliq's) stay below the rule above the footer.
    drop = max(size * 0.5, above_line(broken[0][0], broken[0][5], pf))
    height += drop - size * 0.5
    if not short:       # the contact and credit lines differ by clinic: the layout keeps their room
        n_brand = len(broken[0][2]) + len(broken[1 + (caption is not None) + bool(ctx.handout.contact)][2])

        def brand_lines(b: Brand) -> int:
            keep = tuple(x for x in (b.organisation, b.address) if x)
            return len(ts.shape(_contact_line(ctx, b), whole=keep).lines(width / csize)) + \
                len(ts.shape(_credit(ctx, b)).lines(width / size))
        height += (room(ctx, "footer", brand_lines, "contact and credit lines in the footer", width, csize, size,
                        sized=False) - n_brand) * csize * pf
    height = max(height, qr) + size * 0.8
    if page is None:
        return height
    top = spec.margins["bottom"] + (height if short else max(height, spec.footer["height"]))
    page.items.append(Rule(left, top, right, top, brand.colours["muted"], 0.5))
    y = top - drop
    qr_ctx = others[-1] if others else ctx  # a dual-language sheet's code opens the patient's language
    for c, sp, lines, node, role, sz in broken:
        colour = brand.colours["text" if node.kind == "contact" else "muted"]
        if node.kind == "qr" and not brand.online(qr_ctx.handout.id, qr_ctx.lang.code):
            y -= len(lines) * sz * pf      # no code for this clinic: its room is kept
            continue
        y = emit(c, page, sp, lines, text_x, width, y, sz, sz * pf, colour, role, node)
    if qr:
        place_qr(qr_ctx, page, left if lang.rtl else right - qr, top - size * 0.4 - qr, qr)
    return height


@slot
def draw_running_head(ctx: Ctx, page: Page, left: float, right: float) -> float:
    """The running head of a continuation page: the handout's short title (its title) in the
    page's top margin, from the printable area's edge down, on the reading side; an artifact
    (page furniture, not read again). In layouts with a partner block, the clinic's name and
    phone follow it on its line (or the next), bold: one line of furniture at the top, which
    readers that rebuild columns from positions read first (the room: the widest of the
    project's clinics). Returns where it ends (the body may not start above it); with a
    scratch page, only measures. Size: the layout's ``running_head.size``."""
    spec, ts, brand, rtl = ctx.spec, ctx.ts, ctx.brand, ctx.lang.rtl
    size = max(spec.running_head["size"], spec.min_text)
    pitch = size * 1.3
    top = spec.page_size[1] - spec.printable - above_line(ctx, size, 1.3) - 1.0
    width = right - left
    sp = ts.shape(ctx.handout.title, file=ctx.handout.file, hyphenate=False)
    lines = break_lines(ctx, sp, width, size, "running head")
    end = emit(ctx, page, sp, lines, left, width, top, size, pitch, brand.colours["muted"], "Artifact",
               Node("runninghead"))
    if spec.partner_block is None:
        return end
    sep = ctx.lang.mark("separator")

    def strip(b: Brand) -> tuple:
        return (Span(sep), Span(b.organisation, bold=True)) + ((Span(sep), Span(b.phone, bold=True)) if b.phone else ())
    psize = max(size, spec.measures["contact_min"])
    # The room: the widest clinic's line, up to 60 % of the page; a longer name wraps, and the
    # lines kept are the most any clinic needs (or the layout's brand_lines.partner), so every
    # clinic's page 2 lays out the same.

    shaped: dict = {}       # this call's clinics' lines, shaped once for both measures below

    def shape(b: Brand):
        sp = shaped.get(id(b))     # (every brand here lives as long as this call)
        if sp is None:
            sp = ts.shape(strip(b), whole=(b.organisation,))
            if len(shaped) < KEPT:
                shaped[id(b)] = sp
        return sp

    def natural(b: Brand) -> float:
        return _natural(shape(b), psize)
    room_w = min(max(natural(brand), most(ctx, "partner strip", natural, psize, sep, default=0.0, sized=False)) + 1.0,
                 width * 0.6)
    n = room(ctx, "partner", lambda b: len(shape(b).lines(room_w / psize)),
             "name and phone at the top of page 2", room_w, psize, sep, sized=False)
    last = lines[-1].width * size if lines else 0.0
    if last + room_w <= width:      # on the title's last line, its baseline
        line_top = top - (len(lines) - 1) * pitch
        stop, offset = line_top - (pitch - size) / 2 - size * 0.8 + psize * 0.95, last
    else:                           # on a line of its own below it
        stop, offset = end, 0.0
    sx = right - offset - room_w if rtl else left + offset
    sp = shape(brand)
    emit(ctx, page, sp, break_lines(ctx, sp, room_w, psize, "partner strip"), sx, room_w, stop, psize,
         psize * 1.3, brand.colours["primary"], "Artifact", Node("contact"))
    return min(end, stop - n * psize * 1.3)


def above_line(ctx: Ctx, size: float, pitch: float) -> float:
    """How far the language's tallest glyphs (stacked marks in Thai, Vietnamese) reach above the
    top of a line set at ``size`` with line pitch ``pitch`` (x size), in points."""
    return max(0.0, (ctx.ts.ascent - 0.8) * size - (pitch - 1) * size / 2)


def _contact_line(ctx: Ctx, brand: Brand) -> tuple:
    """The footer's contact line: "Contact: organisation · phone · address · website"."""
    lang = ctx.lang
    spans = [Span(lang.strings["contact"] + ": ", bold=True), Span(brand.organisation)]
    for bit in (brand.phone, brand.address):
        if bit:
            spans.append(Span(lang.mark("separator") + bit))
    if brand.website:
        spans += [Span(lang.mark("separator")), _website(brand)]
    return tuple(spans)


def _contact_rows(ctx: Ctx, brand: Brand) -> list:
    """The contact block's rows for a clinic, shaped: organisation, phone, address, website."""
    ts = ctx.ts
    rows = [ts.shape(brand.organisation, bold=True)]
    rows += [ts.shape(b) for b in (brand.phone, brand.address) if b]
    if brand.website:
        rows.append(ts.shape((_website(brand),)))
    return rows


def _any_qr(ctx: Ctx) -> bool:
    """The QR code's place is kept when any clinic of the project has one (same geometry)."""
    return bool(ctx.brand.online_url) or most(ctx, "qr", lambda b: bool(b.online_url), default=False, sized=False)


def room(ctx: Ctx, what: str, count, where: str, *params, sized: bool = True) -> int:
    """Lines kept for details that differ by clinic, the same for every clinic: the layout's
    ``brand_lines`` (a clear error when this clinic's details need more), or, when the layout
    gives none, the most any clinic of the project needs. ``count(brand)``: the lines a clinic's
    details take here; ``params``: what ``count`` depends on besides the brand and ``ctx``'s
    handout, language, layout, typesetter and body size (see :func:`most`; ``sized`` False where
    ``count`` reads no body size but through ``params``: every size fitting tries shares the
    answer)."""
    lines = count(ctx.brand)
    budget = (ctx.spec.brand_lines or {}).get(what)
    if budget is None:
        return max(lines, most(ctx, what, count, *params, default=lines, sized=sized))
    if lines > budget:
        spec, lang = ctx.spec, ctx.lang
        raise LeafletError(
            f"the clinic's {where} take {lines} lines in layout {spec.name!r} in {lang.name} ({lang.code}) "
            f"at body size {ctx.size:g} pt; the layout keeps room for {budget}", file=ctx.brand.file,
            hint=f"Shorten the clinic's details, or raise brand_lines.{what} in {spec.file}")
    return budget


_MOST = Lru("furniture.most", 1024)
KEPT = 256      # clinics' shaped lines a measure keeps for the next one of the same call (bounded:
                # about 17 KB a strip in Arabic, 4 MB at most, released when the call ends; over
                # this many clinics, the rest are shaped again, as the shaping caches would)


def most(ctx: Ctx, what: str, measure, *params, default, sized: bool = True):
    """The largest ``measure(brand)`` over the project's brands (``ctx.peers``; ``default`` when
    there are none), worked out once per peers, handout, language, layout, typesetter, body size
    and ``params`` (every other value ``measure`` depends on, named by the caller; ``sized``
    False: ``measure`` does not depend on the body size, so the sizes fitting tries share one
    answer): a clinic's
    variant then measures only its own details, not every clinic's again (which made a batch of
    n clinics cost n² measurements; a clinic's lines measured here stay its own in the shaping
    caches, see lru.owned_by). Cached under the objects' identities, the objects kept
    with the value and compared on every use, so a new object never meets an old answer."""
    return _MOST.of((ctx.peers, ctx.handout, ctx.lang, ctx.spec, ctx.ts),
                    (what, *((ctx.size, ctx.lh) if sized else ()), *params),
                    lambda: max((_measured(measure, b) for b in ctx.peers), default=default))


def _measured(measure, brand: Brand):
    with owned_by(brand.id):        # its lines are that clinic's, not shared by the document
        return measure(brand)


def _website(brand: Brand) -> Span:
    """The website as a live link, shown without its scheme."""
    return Span(brand.website_label, href=brand.website)


def _credit(ctx: Ctx, brand: Brand | None = None) -> tuple:
    """The content's source credit, then the brand's credit and licence."""
    b = brand or ctx.brand      # in the leaflet's language: a partner's credit says who provides it
    return tuple(ctx.handout.source_credit.spans) + (Span(ctx.lang.mark("credit_join") + b.credit + " " + b.licence),)


_FACTS = Lru("furniture.facts", 256)


def _facts(ctx: Ctx, page: int | None = None, pages: int | None = None) -> str:
    """Version and review date (and page x of y), in the leaflet's language: worked out once per
    language, handout and page (every clinic's footer says the same), kept under the objects'
    identities with the objects (a new object never meets an old answer)."""
    lang, h = ctx.lang, ctx.handout
    return _FACTS.of((lang, h), (page, pages), lambda: _facts_text(lang, h, page, pages))


def _facts_text(lang, h, page: int | None, pages: int | None) -> str:
    f = formatting.for_language(lang)
    bits = [lang.string("version", version=f.version(h.version)),
            lang.string("last_reviewed", date=f.date(h.last_reviewed))]
    if page is not None:
        bits.append(lang.string("page", page=f.number(page), pages=f.number(pages)))
    return lang.mark("separator").join(bits)


def qr_caption(ctx: Ctx):
    """The line that says what the QR code opens, shaped; None (and a warning) when the
    language has no ``qr_caption``."""
    text = ctx.lang.strings.get("qr_caption")
    if text is None:
        ctx.warnings.append(f"{ctx.lang.file}: strings.qr_caption is missing: the QR code has no words "
                            "saying what it opens")
        return None
    return ctx.ts.shape(text)


def place_qr(ctx: Ctx, page: Page, x: float, y: float, size: float) -> None:
    url = ctx.brand.online(ctx.handout.id, ctx.lang.code)
    if url:
        page.items.append(Picture(Qr(url), x, y, size, size, role="Artifact", node=Node("qr")))
        page.links.append(Link(x, y, size, size, url))


_LOGOS: dict = {}


def logo_source(brand: Brand) -> Svg | Raster:
    """The brand's logo as an asset; an SVG is checked (once) before any writer sees it."""
    if brand.logo.suffix.lower() != ".svg":
        return Raster(brand.logo)
    key = str(brand.logo)
    if key not in _LOGOS:
        from ..diagram import check_svg
        check_svg(brand.logo, str(Path(brand.file).parent / brand.logo.name))
        _LOGOS[key] = Svg(brand.logo)
    return _LOGOS[key]
