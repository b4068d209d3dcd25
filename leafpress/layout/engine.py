"""Layout: content model + layout definition + brand -> pages of positioned items.

Input: a Handout (one language), its Language, a LayoutSpec, a Brand, a Typesetter and the
diagrams. Output: :class:`LaidOut` (pages of display items with semantic roles, outline), or a
LeafletError when the content cannot fit.

Fitting: the body size goes from the layout's maximum down to its minimum in steps; the first
size at which everything fits in ``max_pages`` wins. Texts are shaped once (Typesetter cache);
each pass only re-breaks lines. Breaks: a heading never ends a column, a step or bullet never
splits, a paragraph leaves at least two lines on each side of a column break, the diagram
keeps its caption.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..brand import Brand
from ..content.model import Bullets, Callout, Figure, Handout, Paragraph, Span, Status, Steps, Text
from ..diagram import Diagram
from ..errors import LeafletError
from ..languages import Language
from ..text.paragraph import ShapedParagraph
from ..text.setter import Typesetter
from .items import Box, LaidOut, Link, OutlineEntry, Page, Picture, QrCode, Rule, TextLine
from .spec import LayoutSpec



class DoesNotFit(LeafletError):
    """Content too long for a fixed layout, even at its minimum type size."""


class Overflow(Exception):
    def __init__(self, section: str, missing: float):
        self.section, self.missing = section, missing


@dataclass
class Frame:
    page: int
    x: float
    top: float
    width: float
    height: float


@dataclass
class FlowBlock:
    """Lines that go into columns. ``draw(page, x, top, width)`` places them."""
    section: str
    heights: list                 # per line (or one entry for unsplittable blocks)
    draw: object                  # callable(pages, frame, first, last, top)
    space_before: float = 0.0
    keep_together: bool = True
    keep_with_next: bool = False
    floats: bool = False          # a figure may wait for the next column, text moving up past it


@dataclass
class Ctx:
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

    def pitch(self, size: float, factor: float) -> float:
        """Line pitch for text set tighter than the body (titles, notices, labels, footers): never
        below the language's ``min_line_height`` (scripts whose marks reach far above and below
        the line, such as Nastaliq and Myanmar)."""
        return size * max(factor, self.lang.min_line_height)

    def sz(self, key: str) -> float:
        v = self.size * self.spec.scale[key]
        return max(v, self.spec.minimum.get(key, 0))


def lay_out(handout: Handout, lang: Language, spec: LayoutSpec, brand: Brand, ts: Typesetter,
            diagrams: dict, notice_also: str | None = None) -> LaidOut:
    """``notice_also``: the draft notice in the source language, printed after the translation's
    own (a draft leaflet says it in both)."""
    sizes = spec.body_sizes()          # largest first
    line_height = max(spec.line_height, lang.line_height)

    def attempt(size: float):
        try:
            return _attempt(Ctx(handout, lang, spec, brand, ts, diagrams, size, line_height,
                                notice_also=notice_also))
        except Overflow as exc:
            return exc

    # Binary search for the largest size that fits: the largest and the smallest first, since
    # most documents fit at the largest and a document that fails must fail at the smallest.
    best = attempt(sizes[0])
    if not isinstance(best, Overflow):
        return best
    last = attempt(sizes[-1]) if len(sizes) > 1 else best
    if not isinstance(last, Overflow):
        fail, ok, best = 0, len(sizes) - 1, last
        while ok - fail > 1:
            mid = (ok + fail) // 2
            got = attempt(sizes[mid])
            if isinstance(got, Overflow):
                fail = mid
            else:
                ok, best = mid, got
        return best
    raise DoesNotFit(
        f"content does not fit {spec.max_pages} page(s) of layout {spec.name!r} in {lang.name} "
        f"({lang.code}), even at the minimum body size {spec.body_min:g} pt: the overflow begins in "
        f"section {last.section!r}, about {last.missing:.0f} pt ({last.missing / 72:.1f} in) too long",
        file=handout.file, key=f"sections ({last.section})",
        hint="Shorten that section or later ones, or use a layout that allows more pages")


# ---------------------------------------------------------------------------------------------
def _attempt(ctx: Ctx) -> LaidOut:
    spec, h = ctx.spec, ctx.handout
    W, H = spec.page_size
    pages: list[Page] = []
    outline: list[OutlineEntry] = []
    figures = [b for s in h.sections for b in s.blocks if isinstance(b, Figure)]
    slotted = spec.has_slot("diagram")
    blocks = _flow_blocks(ctx, outline, flow_figures=not slotted)
    state = {"bi": 0, "line": 0, "fig": 0 if slotted else len(figures)}
    footer_h = 0.0 if spec.footer is None else max(spec.footer["height"], _footer(ctx, None, 98, 99))
    if spec.max_pages is None:
        blocks.append(_contact_block(ctx))      # a flowing leaflet ends with how to reach us

    def fill_panel(page_index: int, k: int) -> None:
        panels = spec.page_panels(page_index)
        n = len(panels)
        pos = n - 1 - k if ctx.lang.rtl else k      # right-to-left readers start at the right
        left, right = spec.panel_bounds(page_index, pos, n)
        top = H - spec.margins["top"]
        fh = footer_h if page_index == 0 or spec.max_pages is not None else footer_short
        bottom = spec.margins["bottom"] + (fh + ctx.size * 0.6 if fh else 0)
        _panel(ctx, pages, page_index, panels[k], left, right, top, bottom, blocks, figures, state)

    footer_short = 0.0 if spec.footer is None else _footer(ctx, None, 98, 99, short=True)
    if spec.max_pages is not None:
        # A fixed sheet: every page exists from the start; panels are filled in reading order
        # (a brochure's flap, then the inside, then the back), which need not be page order.
        pages.extend(Page(W, H) for _ in range(spec.max_pages))
        for page_index, k in spec.flow_order():
            fill_panel(page_index, k)
        if state["bi"] < len(blocks) or state["fig"] < len(figures):
            raise _overflow(blocks, state, figures)
    else:
        page_index = 0
        while state["bi"] < len(blocks) or state["fig"] < len(figures):
            if page_index >= 60:
                raise _overflow(blocks, state, figures)
            pages.append(Page(W, H))
            for k in range(len(spec.page_panels(page_index))):
                fill_panel(page_index, k)
            page_index += 1
    for page in pages:
        n = len(spec.page_panels(pages.index(page)))
        if spec.fold_marks and n > 1:
            for i in range(1, n):
                x = W * i / n
                page.items.append(Rule(x, H, x, H - 14, "#999999", 0.5))
                page.items.append(Rule(x, 0, x, 14, "#999999", 0.5))
    if spec.footer is not None:
        for i, page in enumerate(pages):
            _footer(ctx, page, i, len(pages), short=spec.max_pages is None and i > 0)
    return LaidOut(pages, outline, ctx.size, ctx.warnings, ctx.alts, ctx.lang.code)


def _overflow(blocks, state, figures) -> Overflow:
    remaining = blocks[state["bi"]:]
    if remaining:
        missing = sum(sum(b.heights) + b.space_before for b in remaining) - sum(remaining[0].heights[:state["line"]])
        return Overflow(remaining[0].section, missing)
    return Overflow(figures[state["fig"]].caption.key.split(".")[0] if state["fig"] < len(figures) else "?", 0)


def _panel(ctx: Ctx, pages, page_index: int, regions, left: float, right: float, top: float,
           bottom: float, blocks, figures, state) -> None:
    """Fill one panel: fixed regions from the top, then from the bottom; body takes the rest."""
    page = pages[page_index]
    y = top
    body = None
    below = []
    for reg in regions:
        if reg.slot == "body":
            body = reg
        elif body is not None:
            below.append(reg)
        elif reg.slot == "header":
            y = _header(ctx, page, left, right)
        elif reg.slot == "cover":
            y = _cover(ctx, page, left, right, y, bottom)
        elif reg.slot == "summary":
            y = _summary(ctx, page, left, right, y)
        elif reg.slot == "contact":
            y = _contact(ctx, page, left, right, y)
        elif reg.slot == "diagram" and state["fig"] < len(figures):
            used = _figure(ctx, page, figures[state["fig"]], left, right, y - (reg.height or 220), reg.height or 220)
            state["fig"] += 1
            y -= used + ctx.size * 1.6
    y_bottom = bottom
    for reg in reversed(below):
        if reg.slot == "diagram" and state["fig"] < len(figures):
            used = _figure(ctx, page, figures[state["fig"]], left, right, y_bottom,
                           reg.height or (y - y_bottom) / 2)
            state["fig"] += 1
            y_bottom += used + ctx.size * 1.6
        elif reg.slot == "contact":
            y_bottom = _contact(ctx, page, left, right, None, y_bottom)
    if body is not None and state["bi"] < len(blocks):
        cols = body.columns
        gap = ctx.spec.spacing["column_gap"]
        cw = (right - left - gap * (cols - 1)) / cols
        frames = [Frame(page_index, left + c * (cw + gap), y, cw, y - y_bottom) for c in range(cols)]
        if ctx.lang.rtl:
            frames.reverse()
        partial = y < top or y_bottom > bottom
        for fr in frames:
            if state["bi"] >= len(blocks):
                break
            # A flowing leaflet whose first page is mostly header and summary (tall scripts, large
            # print): what does not fit under them, a heading with its first lines included,
            # starts the next page. Only a block taller than a whole page is an overflow.
            state["bi"], state["line"] = _fill(ctx, pages, fr, blocks, state["bi"], state["line"],
                                               may_skip=partial and ctx.spec.max_pages is None)


def _fill(ctx: Ctx, pages, fr: Frame, blocks, bi: int, line_i: int, may_skip: bool = False):
    """Place blocks into one column frame. Returns where to continue. ``may_skip``: the frame is
    what is left of a page and the next one is whole, so even its first block waits for the next
    page rather than leave a heading alone at the foot of this one."""
    y = fr.top
    first_in_frame = True
    while bi < len(blocks):
        b = blocks[bi]
        space = 0.0 if first_in_frame else b.space_before
        avail = y - space - (fr.top - fr.height)
        rest = b.heights[line_i:]
        need = sum(rest)
        if b.keep_with_next and bi + 1 < len(blocks):
            if need + _kept_with(blocks[bi + 1]) > avail and (not first_in_frame or may_skip):
                return bi, line_i
        if need <= avail + 0.01:
            b.draw(pages, fr, line_i, len(b.heights), y - space)
            y -= space + need
            bi, line_i = bi + 1, 0
            first_in_frame = False
            continue
        if b.floats and not first_in_frame and bi + 1 < len(blocks) and not blocks[bi + 1].floats \
                and not blocks[bi + 1].keep_with_next:
            # A figure that does not fit here waits for the next column; the text after it
            # moves up to fill this one (its place in the reading order is kept by the tags).
            blocks[bi], blocks[bi + 1] = blocks[bi + 1], blocks[bi]
            continue
        if b.keep_together or len(rest) < 4:
            if first_in_frame and not may_skip:     # taller than a whole column: it cannot fit
                raise Overflow(b.section, need - avail)
            return bi, line_i
        # Split a paragraph: at least two lines here and two in the next column.
        n, acc = 0, 0.0
        while n < len(rest) and acc + rest[n] <= avail + 0.01:
            acc += rest[n]
            n += 1
        n = min(n, len(rest) - 2)
        if n < 2:
            if first_in_frame and not may_skip:
                raise Overflow(b.section, need - avail)
            return bi, line_i
        b.draw(pages, fr, line_i, line_i + n, y - space)
        return bi, line_i + n
    return bi, line_i


# -- text helpers -----------------------------------------------------------------------------
def _lines(ctx: Ctx, sp: ShapedParagraph, width: float, size: float, where: str):
    lines = sp.lines(width / size)
    for ln in lines:
        if ln.forced:
            ctx.warnings.append(f"{where}: a word is wider than its column and was cut")
    return lines


def _emit(ctx: Ctx, page: Page, sp: ShapedParagraph, lines, x: float, width: float, top: float,
          size: float, pitch: float, colour: str, role: str, node: str, align: str | None = None):
    """Draw lines from ``top`` downwards; align follows the text direction unless given."""
    align = align or ("right" if ctx.lang.rtl else "left")
    y = top
    has_links = any(st.href for st in sp.styles)
    for ln in lines:
        w = ln.width * size
        if align == "right":
            lx = x + width - w
        elif align == "center":
            lx = x + (width - w) / 2
        else:
            lx = x
        baseline = y - (pitch - size) / 2 - size * 0.8
        page.items.append(TextLine(lx, baseline, size, colour, sp, ln, w, role, node, ctx.lang.code))
        if has_links:
            px = lx
            for p in sp.pieces(ln):
                if p.style.href:
                    page.links.append(Link(px, baseline - size * 0.25, p.width * size, size * 1.1, p.style.href))
                px += p.width * size
        y -= pitch
    return y


# -- page furniture ---------------------------------------------------------------------------
def _header(ctx: Ctx, page: Page, left: float, right: float) -> float:
    """A full-width colour band with the logo, the title (H1) and the subtitle."""
    spec, brand, ts = ctx.spec, ctx.brand, ctx.ts
    W, H = page.width, page.height
    pad = spec.header["padding"]
    logo = spec.header["logo"]
    ssize = ctx.sz("subtitle")
    text_w = right - left - logo - pad * 0.6
    title = ts.shape(ctx.handout.title, bold=True, file=ctx.handout.file)
    tsize = _fit_words(title, text_w, ctx.sz("title"), ctx.size)
    tl = _lines(ctx, title, text_w, tsize, "title")
    sub = ctx.handout.subtitle
    sl = _lines(ctx, ts.shape(sub, file=ctx.handout.file), text_w, ssize, "subtitle") if sub else []
    need = len(tl) * ctx.pitch(tsize, 1.15) + len(sl) * ctx.pitch(ssize, 1.35) + pad * 1.1
    band = max(spec.header["height"], need)
    page.items.append(Box(0, H - band, W, band, fill=brand.colours["primary"]))
    rtl = ctx.lang.rtl
    lx = right - logo if rtl else left
    if brand.logo is not None:
        page.items.append(Picture(_logo(brand), lx, H - band / 2 - logo / 2, logo, logo, role="Artifact"))
    tx = left if rtl else left + logo + pad * 0.6
    content_h = len(tl) * ctx.pitch(tsize, 1.15) + len(sl) * ctx.pitch(ssize, 1.35)
    y = H - band / 2 + content_h / 2
    y = _emit(ctx, page, title, tl, tx, text_w, y, tsize, ctx.pitch(tsize, 1.15), brand.colours["on_primary"], "H1", "title")
    if sl:
        _emit(ctx, page, ts.shape(sub), sl, tx, text_w, y, ssize, ctx.pitch(ssize, 1.35),
              brand.colours["on_primary"], "P", "subtitle")
    return H - band - ctx.size * 0.9


_LOGOS: dict = {}


_QR: dict = {}


def _qr(url: str) -> "QrCode":
    """The QR code for ``url`` (error correction M), drawn by the renderer as vector squares."""
    code = _QR.get(url)
    if code is None:
        from reportlab.graphics.barcode import qrencoder
        qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        qr.addData(url)
        qr.make()
        code = _QR[url] = QrCode(tuple(tuple(bool(m) for m in row) for row in qr.modules))
    return code


def _place_qr(ctx: Ctx, page: Page, x: float, y: float, size: float) -> None:
    url = ctx.brand.online(ctx.handout.id, ctx.lang.code)
    if url:
        page.items.append(Picture(_qr(url), x, y, size, size, role="Artifact", node="qr"))
        page.links.append(Link(x, y, size, size, url))


def _fit_words(sp: ShapedParagraph, width: float, size: float, floor: float) -> float:
    """A display size no larger than ``size`` at which the longest word fits ``width``."""
    widest = sp.min_width()
    if widest * size <= width or widest == 0:
        return size
    return max(floor, width / widest * 0.98)


def _logo(brand: Brand):
    if brand.logo.suffix.lower() != ".svg":
        return brand.logo
    key = str(brand.logo)
    if key not in _LOGOS:
        from ..diagram import check_svg
        from svglib.svglib import svg2rlg
        from pathlib import Path as _P
        check_svg(brand.logo, str(_P(brand.file).parent / brand.logo.name))
        _LOGOS[key] = svg2rlg(key)
    return _LOGOS[key]


def _cover(ctx: Ctx, page: Page, left: float, right: float, top: float, bottom: float) -> float:
    """A brochure cover panel: a colour field with the logo, organisation, title, subtitle and
    the main message."""
    spec, brand, ts, h = ctx.spec, ctx.brand, ctx.ts, ctx.handout
    width = right - left
    pad = spec.header["padding"]
    logo = spec.header["logo"] * 1.6
    ssize = ctx.sz("subtitle")
    title = ts.shape(h.title, bold=True, file=h.file)
    tsize = _fit_words(title, width - pad, ctx.sz("title"), ctx.size)
    tl = _lines(ctx, title, width - pad, tsize, "title")
    sub = ts.shape(h.subtitle, file=h.file) if h.subtitle else None
    sl = _lines(ctx, sub, width - pad, ssize, "subtitle") if sub else []
    org = ts.shape(brand.name, bold=True)
    osize = max(ctx.size * 0.9, spec.minimum["footer"])
    ol = _lines(ctx, org, width - pad, osize, "brand")
    band_h = pad + logo + osize * 0.8 + len(ol) * ctx.pitch(osize, 1.3) + pad * 0.6 + len(tl) * ctx.pitch(tsize, 1.15) + \
        len(sl) * ctx.pitch(ssize, 1.35) + pad
    x0 = left - spec.margins["outside"] * 0.5
    page.items.append(Box(x0, top - band_h, width + spec.margins["outside"], band_h,
                          fill=brand.colours["primary"], radius=6))
    y = top - pad
    if brand.logo is not None:
        page.items.append(Picture(_logo(brand), left + (width - logo) / 2, y - logo, logo, logo, role="Artifact"))
    y -= logo + osize * 0.8
    on = brand.colours["on_primary"]
    y = _emit(ctx, page, org, ol, left, width, y, osize, ctx.pitch(osize, 1.3), on, "P", "brandname", "center")
    y -= pad * 0.6
    y = _emit(ctx, page, title, tl, left, width, y, tsize, ctx.pitch(tsize, 1.15), on, "H1", "title", "center")
    if sl:
        _emit(ctx, page, sub, sl, left, width, y, ssize, ctx.pitch(ssize, 1.35), on, "P", "subtitle", "center")
    return _summary(ctx, page, left, right, top - band_h - ctx.size)


def _website(brand: Brand) -> Span:
    """The website as a live link, shown without its scheme."""
    return Span(brand.website.removeprefix("https://"), href=brand.website)


def _credit(ctx: Ctx) -> tuple:
    """The content's source credit, then the brand's credit and licence."""
    b = ctx.brand
    return tuple(ctx.handout.source_credit.spans) + (Span(". " + b.credit + " " + b.licence),)


def _facts(ctx: Ctx, page: int | None = None, pages: int | None = None) -> str:
    """Version and review date (and page x of y), in the leaflet's language."""
    lang, h = ctx.lang, ctx.handout
    bits = [lang.string("version", version=h.version),
            lang.string("last_reviewed", date=h.last_reviewed.isoformat())]
    if page is not None:
        bits.append(lang.string("page", page=page, pages=pages))
    return " · ".join(bits)


def _contact(ctx: Ctx, page: Page, left: float, right: float, top: float | None,
             bottom: float = 0.0) -> float:
    """The back panel: how to reach the clinic or organisation, credits, version and review date.
    Placed from ``top`` down, or (top=None) upwards from ``bottom``; returns the free edge."""
    spec, ts, brand, lang = ctx.spec, ctx.ts, ctx.brand, ctx.lang
    width = right - left
    size = max(ctx.size * 0.95, spec.minimum["footer"])
    small = max(size * 0.85, spec.minimum["footer"])
    hs = ctx.sz("heading")
    # (shaped text, size, line pitch, colour, role, node)
    rows = [(ts.shape(lang.strings["contact"], bold=True), hs, ctx.pitch(hs, 1.3), brand.colours["primary"], "H2", "contact")]
    lines_of = [(brand.organisation, True)] + [(b, False) for b in (brand.phone, brand.address) if b]
    for text, bold in lines_of:
        rows.append((ts.shape(text, bold=bold), size, ctx.pitch(size, 1.4), brand.colours["text"], "P", "contact"))
    if brand.website:
        rows.append((ts.shape((_website(brand),)), size, ctx.pitch(size, 1.4), brand.colours["primary"], "Link", "contact"))
    rows.append((ts.shape(_credit(ctx)), small, ctx.pitch(small, 1.35), brand.colours["muted"], "Note", "credit"))
    rows.append((ts.shape(_facts(ctx)), small, ctx.pitch(small, 1.35), brand.colours["muted"], "Note", "facts"))
    laid = [(sp, _lines(ctx, sp, width, sz, "contact"), sz, p, col, role, node)
            for sp, sz, p, col, role, node in rows]
    gaps = {1: size * 0.5, len(rows) - 2: size * 1.2}
    total = sum(len(ls) * p for _, ls, _, p, _, _, _ in laid) + sum(gaps.values())
    qr = min(width * 0.3, 54.0) if brand.online_url else 0.0
    total += qr + size * 0.8 if qr else 0
    y = top if top is not None else bottom + total
    for i, (sp, ls, sz, p, col, role, node) in enumerate(laid):
        y -= gaps.get(i, 0)
        y = _emit(ctx, page, sp, ls, left, width, y, sz, p, col, role, node)
    if qr:
        y -= size * 0.8 + qr
        _place_qr(ctx, page, right - qr if lang.rtl else left, y, qr)
    return y - size if top is not None else bottom + total + size


def _summary(ctx: Ctx, page: Page, left: float, right: float, top: float) -> float:
    ts, h, brand = ctx.ts, ctx.handout, ctx.brand
    y = top
    if h.translation.status is not Status.REVIEWED and h.translation.status is not Status.SOURCE:
        fs = max(ctx.spec.minimum["footer"] + 1, ctx.size * 0.8)
        note = ctx.lang.strings["draft_notice"]
        if ctx.notice_also and ctx.notice_also != note:
            note += " · " + ctx.notice_also
        sp = ts.shape(note, bold=True)
        lines = _lines(ctx, sp, right - left, fs, "draft notice")
        y = _emit(ctx, page, sp, lines, left, right - left, y, fs, ctx.pitch(fs, 1.3), brand.colours["notice"], "P", "draft")
        y -= ctx.size * 0.4
    size = ctx.sz("summary")
    pad = ctx.size * 0.8
    bar = 4.0
    sp = ts.shape(h.summary, file=h.file)
    inner = right - left - 2 * pad - bar
    lines = _lines(ctx, sp, inner, size, "summary")
    pitch = size * ctx.lh
    box_h = len(lines) * pitch + 2 * pad * 0.8
    page.items.append(Box(left, y - box_h, right - left, box_h, fill=brand.colours["accent"]))
    bx = right - bar if ctx.lang.rtl else left
    page.items.append(Box(bx, y - box_h, bar, box_h, fill=brand.colours["primary"]))
    tx = left + pad if ctx.lang.rtl else left + bar + pad
    _emit(ctx, page, sp, lines, tx, inner, y - pad * 0.8, size, pitch, brand.colours["text"], "P", "summary")
    return y - box_h - ctx.size * 1.2


def _footer(ctx: Ctx, page: Page | None, index: int, count: int, short: bool = False,
            others: tuple = ()) -> float:
    """Contact (with the website as a live link), credits, version, review date, page x of y.
    Returns the footer's height; draws only when ``page`` is given."""
    spec, ts, brand, lang = ctx.spec, ctx.ts, ctx.brand, ctx.lang
    W = spec.page_size[0]
    size = max(spec.footer_size, spec.minimum["footer"])
    pitch = max(c.pitch(size, 1.3) for c in (ctx, *others))
    left, right = spec.margins["outside"], W - spec.margins["outside"]
    qr = 0.0 if short or not brand.online_url else max(spec.footer["height"] - size * 0.6, 40.0)
    width = right - left - (qr + size if qr else 0)
    text_x = left + (qr + size if qr and lang.rtl else 0)
    contact = [Span(lang.strings["contact"] + ": ", bold=True), Span(brand.organisation)]
    for bit in (brand.phone, brand.address):
        if bit:
            contact.append(Span(" · " + bit))
    if brand.website:
        contact += [Span(" · "), _website(brand)]
    rows = [(ctx, ts.shape(tuple(contact)), "contact", "Note"), (ctx, ts.shape(_credit(ctx)), "credit", "Note")]
    for o in others:    # a dual-language sheet credits the source in both languages
        rows.append((o, o.ts.shape(o.handout.source_credit, file=o.handout.file), f"credit-{o.lang.code}", "Note"))
    rows.append((ctx, ts.shape(_facts(ctx, index + 1, count)), "pagefacts", "Artifact"))
    if short:       # later pages of a flowing leaflet: the contact block ends the content instead
        rows = rows[-1:]
    broken = [(c, sp, _lines(c, sp, width, size, "footer"), node, role) for c, sp, node, role in rows]
    height = max(sum(len(lines) for _, _, lines, _, _ in broken) * pitch, qr) + size * 0.8
    if page is None:
        return height
    top = spec.margins["bottom"] + max(height, spec.footer["height"])
    page.items.append(Rule(left, top, right, top, brand.colours["muted"], 0.5))
    y = top - size * 0.5
    for c, sp, lines, node, role in broken:
        y = _emit(c, page, sp, lines, text_x, width, y, size, pitch, brand.colours["muted"], role, node)
    if qr:
        _place_qr(ctx, page, left if lang.rtl else right - qr, top - size * 0.4 - qr, qr)
    return height


# -- flow content -----------------------------------------------------------------------------
def _flow_blocks(ctx: Ctx, outline: list, flow_figures: bool) -> list[FlowBlock]:
    h, ts, brand = ctx.handout, ctx.ts, ctx.brand
    size, lh = ctx.size, ctx.lh
    pitch = size * lh
    colours = brand.colours
    out: list[FlowBlock] = []
    for si, sec in enumerate(h.sections):
        hs = ctx.sz("heading")
        hsp = ts.shape(sec.heading, bold=True, file=h.file)
        hpitch = ctx.pitch(hs, max(1.25, ctx.lh - 0.15))
        node = f"sec{si}"

        def draw_heading(pages, fr, a, b, top, hsp=hsp, hs=hs, hpitch=hpitch, node=node, title=sec.heading.plain):
            lines = hsp.lines(fr.width / hs)
            _emit(ctx, pages[fr.page], hsp, lines, fr.x, fr.width, top, hs, hpitch, colours["primary"], "H2", node)
            outline.append(OutlineEntry(title, fr.page, top))

        n_head = len(hsp.lines(_col_width(ctx) / hs))
        out.append(FlowBlock(sec.id, [n_head * hpitch + size * 0.25], draw_heading,
                             space_before=size * ctx.spec.spacing["section"], keep_with_next=True))
        for bi, block in enumerate(sec.blocks):
            sb = size * ctx.spec.spacing["paragraph"]
            bnode = f"{node}b{bi}"
            if isinstance(block, Paragraph):
                sp = ts.shape(block.text, file=h.file)
                n = len(sp.lines(_col_width(ctx) / size))

                def draw_par(pages, fr, a, b, top, sp=sp, bnode=bnode, key=block.text.key):
                    lines = _lines(ctx, sp, fr.width, size, key)[a:b]
                    _emit(ctx, pages[fr.page], sp, lines, fr.x, fr.width, top, size, pitch,
                          colours["text"], "P", bnode)

                out.append(FlowBlock(sec.id, [pitch] * n, draw_par, sb, keep_together=False))
            elif isinstance(block, (Bullets, Steps)):
                for ii, item in enumerate(block.items):
                    out.append(_list_item(ctx, sec.id, item, ii, isinstance(block, Steps),
                                          f"{bnode}i{ii}", sb if ii == 0 else size * 0.3))
            elif isinstance(block, Callout):
                out.append(_callout(ctx, sec.id, block.text, bnode, sb))
            elif isinstance(block, Figure) and flow_figures:
                out.append(_figure_block(ctx, sec.id, block, sb))
    return out


def _col_width(ctx: Ctx) -> float:
    """Estimates of line counts use the layout's narrowest body column (they only decide where
    blocks go; lines are broken again at the width they are drawn in)."""
    return ctx.spec.body_column_width


def _contact_block(ctx: Ctx) -> FlowBlock:
    """The contact block and credits as the last thing in a flowing leaflet."""
    probe_top = 10000.0
    height = probe_top - _contact(ctx, Page(0, 0), 0, _col_width(ctx), probe_top)

    def draw(pages, fr, a, b, top):
        _contact(ctx, pages[fr.page], fr.x, fr.x + fr.width, top)

    return FlowBlock("contact", [height], draw, ctx.size * 1.5, keep_together=True)


def _figure_block(ctx: Ctx, section: str, fig: Figure, space: float) -> FlowBlock:
    """A figure that flows with the text (layouts without a diagram slot): column wide, at most
    about half a page tall, never split from its caption."""
    width = _col_width(ctx)
    spec = ctx.spec
    max_h = (spec.page_size[1] - spec.margins["top"] - spec.margins["bottom"]) * 0.7
    probe = Page(0, 0)
    height = _figure(ctx, probe, fig, 0, width, 0, max_h)

    def draw(pages, fr, a, b, top):
        _figure(ctx, pages[fr.page], fig, fr.x, fr.x + fr.width, top - height, height)

    return FlowBlock(section, [height], draw, space, keep_together=True, floats=True)


def _list_item(ctx: Ctx, section: str, item: Text, index: int, numbered: bool, node: str, space: float):
    ts, size, colours = ctx.ts, ctx.size, ctx.brand.colours
    pitch = size * ctx.lh
    indent = size * (2.0 if numbered else 1.3)
    sp = ts.shape(item, file=ctx.handout.file)
    marker = ts.shape(f"{index + 1}." if numbered else "•", bold=numbered)
    n = len(sp.lines((_col_width(ctx) - indent) / size))

    def draw(pages, fr, a, b, top):
        page = pages[fr.page]
        lines = _lines(ctx, sp, fr.width - indent, size, item.key)
        rtl = ctx.lang.rtl
        tx = fr.x if rtl else fr.x + indent
        mw = indent - size * 0.45
        mx = fr.x + fr.width - mw if rtl else fr.x
        _emit(ctx, page, marker, marker.lines(100), mx, mw, top, size, pitch, colours["primary"],
              "Lbl", node, "left" if rtl else "right")
        _emit(ctx, page, sp, lines, tx, fr.width - indent, top, size, pitch, colours["text"], "LBody", node)

    return FlowBlock(section, [n * pitch], draw, space, keep_together=True)


def _callout(ctx: Ctx, section: str, text: Text, node: str, space: float):
    ts, size, colours = ctx.ts, ctx.size, ctx.brand.colours
    pitch = size * ctx.lh
    pad = size * 0.75
    bar = 4.0
    sp = ts.shape(text, file=ctx.handout.file)
    n = len(sp.lines((_col_width(ctx) - 2 * pad - bar) / size))
    height = n * pitch + 2 * pad

    def draw(pages, fr, a, b, top):
        page = pages[fr.page]
        page.items.append(Box(fr.x, top - height, fr.width, height, fill=colours["accent"]))
        bx = fr.x + fr.width - bar if ctx.lang.rtl else fr.x
        page.items.append(Box(bx, top - height, bar, height, fill=colours["primary"]))
        tx = fr.x + pad if ctx.lang.rtl else fr.x + bar + pad
        lines = _lines(ctx, sp, fr.width - 2 * pad - bar, size, text.key)
        _emit(ctx, page, sp, lines, tx, fr.width - 2 * pad - bar, top - pad, size, pitch,
              colours["text"], "P", node)

    return FlowBlock(section, [height], draw, space, keep_together=True)


# -- the figure -------------------------------------------------------------------------------
def _figure(ctx: Ctx, page: Page, fig: Figure, left: float, right: float, bottom: float,
            max_h: float) -> float:
    """Diagram with call-out labels in the side gutters, or numbered markers and a key.
    Drawn upwards from ``bottom``; returns the height used (at most ``max_h``)."""
    diagram: Diagram = ctx.diagrams[fig.diagram]
    ts, colours = ctx.ts, ctx.brand.colours
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
    cap = ts.shape(fig.caption, file=ctx.handout.file)
    clines = _lines(ctx, cap, width, csize, fig.caption.key)
    cap_h = len(clines) * cpitch
    node = _figure_node(ctx, fig)
    ctx.alts[(ctx.lang.code, node)] = fig.alt.plain
    art_bottom = bottom + cap_h + csize * 0.5
    ls = ctx.sz("label")
    lpitch = ls * ctx.lh
    max_gutter = width * 0.22
    shaped = {aid: ts.shape(fig.label(aid), file=ctx.handout.file) for aid in diagram.anchors}
    gutters, fits = {}, True
    for side in ("left", "right"):
        ids = [a.id for a in diagram.anchors.values() if a.side == side]
        if ids:
            natural = max(shaped[i].lines(10 ** 6)[0].width for i in ids) * ls + ls * 1.2
            gutters[side] = min(natural, max_gutter)
    labels = {}
    for aid, anchor in diagram.anchors.items():
        lines = shaped[aid].lines((gutters[anchor.side] - ls * 1.2) / ls)
        if len(lines) > 3 or any(ln.forced for ln in lines):
            fits = False
        labels[aid] = lines
    aw = width - sum(gutters.values())
    scale = min(aw / diagram.width, (max_h - (art_bottom - bottom)) / diagram.height)
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
        _emit(ctx, page, cap, clines, left, width, bottom + cap_h, csize, cpitch, colours["muted"], "Caption", node + "c")
        page.items.append(Picture(diagram.drawing, dx, dy, dw, dh, role="Figure", node=node))
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
                _emit(ctx, page, shaped[a.id], labels[a.id], tx, tw, ytop, ls, lpitch, colours["text"],
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
    number = {aid: i + 1 for i, aid in enumerate(ids)}
    npitch = ctx.pitch(ls, 1.5)
    ng = ls * 2.2
    cols = max(1, min(3, int(width // (ls * 10))))
    kw = width / cols
    per_col = -(-len(ids) // cols)
    key_rows = [shaped[aid].lines((kw - ls * 2) / ls) for aid in ids]
    key_h = max(sum(len(r) for r in key_rows[c * per_col:(c + 1) * per_col]) for c in range(cols)) * lpitch + ls * 0.5
    aw = width - ng * len(sides)
    scale = min(aw / diagram.width, (max_h - (art_bottom - bottom) - key_h) / diagram.height)
    dw, dh = diagram.width * scale, diagram.height * scale
    dx = left + (ng if "left" in sides else 0) + (aw - dw) / 2
    dy = art_bottom + key_h
    _emit(ctx, page, cap, clines, left, width, bottom + cap_h, csize, cpitch, colours["muted"], "Caption", node + "c")
    page.items.append(Picture(diagram.drawing, dx, dy, dw, dh, role="Figure", node=node))
    # The numbers may stand taller than a small drawing: their column then rises above it.
    col_h = max(sum(1 for a in diagram.anchors.values() if a.side == side) * (npitch + ls * 0.15)
                for side in sides)
    numbers_top = dy + max(dh, col_h)
    for side in sides:
        group = [diagram.anchors[aid] for aid in ids if diagram.anchors[aid].side == side]
        boxes = [[dy + a.y * scale + npitch / 2, npitch, a] for a in group]
        _spread(boxes, numbers_top, dy, ls * 0.15)
        gx = dx - ng if side == "left" else dx + dw
        for ytop, hgt, a in boxes:
            num = ts.shape(str(number[a.id]), bold=True)
            _emit(ctx, page, num, num.lines(10), gx, ng - ls * 0.8, ytop, ls, npitch, colours["primary"],
                  "Label", node, "right" if side == "left" else "left")
            mid = ytop - npitch / 2
            ex = gx + ng - ls * 0.6 if side == "left" else gx + ls * 0.6
            page.items.append(Rule(ex, mid, dx + a.x * scale, dy + a.y * scale, colours["text"], 0.6,
                                   role="Label", node=node, dot=1.4))
    for c in range(cols):
        y = art_bottom + key_h - ls * 0.25
        cx = left + c * kw if not ctx.lang.rtl else right - (c + 1) * kw
        for i in range(c * per_col, min(len(ids), (c + 1) * per_col)):
            num = ts.shape(f"{i + 1}", bold=True)
            nx = cx if not ctx.lang.rtl else cx + kw - ls * 1.5
            _emit(ctx, page, num, num.lines(10), nx, ls * 1.5, y, ls, lpitch, colours["primary"], "Label", node)
            y = _emit(ctx, page, shaped[ids[i]], key_rows[i], cx + (0 if ctx.lang.rtl else ls * 2), kw - ls * 2, y,
                      ls, lpitch, colours["text"], "Label", node)
    return numbers_top - bottom


def _figure_node(ctx: Ctx, fig: Figure) -> str:
    """The figure's node id follows its place in the content: sec<i>b<j>."""
    for si, sec in enumerate(ctx.handout.sections):
        for bi, block in enumerate(sec.blocks):
            if block is fig:
                return f"sec{si}b{bi}"
    return "figure"


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


# -- inspection -------------------------------------------------------------------------------
def _piece_ink(piece) -> list:
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
        boxes += [(x + a * s, x + b * s, y + lo * s, y + hi * s) for a, b, lo, hi in _piece_ink(piece)]
        x += piece.width * s
    return boxes


def line_collisions(laid: LaidOut) -> list[str]:
    """Places where the ink of one line touches the ink of the line below it (stacked marks in
    Thai, Khmer, Vietnamese, Devanagari...). The answer should always be empty."""
    found = []
    for pi, page in enumerate(laid.pages):
        lines = sorted((i for i in page.items if isinstance(i, TextLine)), key=lambda t: -t.y)
        inks = [_ink(ln) for ln in lines]
        tops = [max((b[3] for b in ink), default=ln.y) for ln, ink in zip(lines, inks)]
        bottoms = [min((b[2] for b in ink), default=ln.y) for ln, ink in zip(lines, inks)]
        for i, a in enumerate(lines):
            for j in range(i + 1, len(lines)):
                c = lines[j]
                if a.y - c.y >= a.size * 2:
                    break               # sorted from the top: nothing further down can touch
                if not 0 < a.y - c.y or abs(a.size - c.size) > 0.01 or tops[j] <= bottoms[i] \
                        or c.x > a.x + a.width or a.x > c.x + c.width:
                    continue
                worst = max((ct - ab for ax0, ax1, ab, at in inks[i] for cx0, cx1, cb, ct in inks[j]
                             if ax0 < cx1 and cx0 < ax1 and ct > ab), default=0.0)
                if worst > 0:
                    text = "".join(t for p in a.pieces for _, _, t, _ in p.clusters)[:30]
                    found.append(f"page {pi + 1}: the line below {text!r} touches it ({worst:.1f} pt)")
    return found


# -- dual-language sheets -----------------------------------------------------------------------
def lay_out_bilingual(sides: list, spec: LayoutSpec, brand: Brand, diagrams: dict,
                      banner: str | None = None) -> LaidOut:
    """Two languages side by side, section by section: each section starts level in both
    columns, each column in its own direction and fonts. ``sides`` is [(handout, language,
    typesetter), ...] in column order (left first). Flows onto as many pages as needed."""
    W, H = spec.page_size
    size = spec.body_max
    ctxs = [Ctx(h, lang, spec, brand, ts, diagrams, size, max(spec.line_height, lang.line_height))
            for h, lang, ts in sides]
    first = ctxs[0]
    for ctx in ctxs[1:]:        # a draft column says so in its language and in the first column's
        ctx.notice_also = first.lang.strings["draft_notice"]
    outline: list[OutlineEntry] = []
    per_side = []
    for i, ctx in enumerate(ctxs):
        blocks = _flow_blocks(ctx, outline if i == 0 else [], flow_figures=True)
        rows: dict = {}
        for b in blocks:
            rows.setdefault(b.section, []).append(b)
        per_side.append(rows)
    sections = [s.id for s in first.handout.sections]
    footer_h = max(spec.footer["height"], _footer(first, None, 98, 99, others=tuple(ctxs[1:]))) \
        if spec.footer else 0.0
    pages: list[Page] = []
    left0, right0 = spec.panel_bounds(0, 0, 1)
    gap = spec.spacing["column_gap"]
    cw = (right0 - left0 - gap) / 2
    top = H - spec.margins["top"]
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
        lines = _lines(first, sp, right0 - left0, size, "banner")
        band = _emit(first, p0, sp, lines, left0, right0 - left0, band, size, first.pitch(size, 1.4), brand.colours["notice"], "P", "banner")
        band -= size * 0.6
    y_rows = []
    for k, ctx in enumerate(ctxs):
        x = left0 + k * (cw + gap)
        y_rows.append(_summary(ctx, p0, x, x + cw, band))
    cur_page, cur_y = 0, min(y_rows)
    for sec in sections:
        if cur_y < top and not all(_opening_fits(per_side[k].get(sec, []), cur_y - bottom)
                                   for k in range(len(ctxs))):
            cur_page, cur_y = cur_page + 1, top     # both columns start the section level, below
        ends = []
        for k, ctx in enumerate(ctxs):
            blocks = per_side[k].get(sec, [])
            x = left0 + k * (cw + gap)
            pi, y = cur_page, cur_y
            bi, line_i = 0, 0
            while bi < len(blocks):
                page(pi)
                fr = Frame(pi, x, y, cw, y - bottom)
                before = (bi, line_i)
                try:
                    bi, line_i, y_end = _fill_to(ctx, pages, fr, blocks, bi, line_i)
                except Overflow:
                    # Nothing was placed: a block kept whole is taller than what is left of
                    # this page (tall scripts such as Nastaliq); it starts the next page.
                    if y == top:
                        raise _bilingual_overflow(ctx, spec, sec, blocks[bi]) from None
                    y_end = y
                if bi < len(blocks):
                    if (bi, line_i) == before and y == top:
                        raise _bilingual_overflow(ctx, spec, sec, blocks[bi])
                    pi, y = pi + 1, top
                else:
                    y = y_end
            ends.append((pi, y))
        cur_page = max(e[0] for e in ends)
        cur_y = min(e[1] for e in ends if e[0] == cur_page)
        if cur_y - bottom < size * 3:
            cur_page, cur_y = cur_page + 1, top
        else:
            cur_y -= size * spec.spacing["section"]
    if spec.footer is not None:
        for i, pg in enumerate(pages):
            _footer(first, pg, i, len(pages), others=tuple(ctxs[1:]))
    alts = {k: v for c in ctxs for k, v in c.alts.items()}
    return LaidOut(pages, outline, size, [w for c in ctxs for w in c.warnings], alts, first.lang.code,
                   tuple(c.lang.code for c in ctxs))


def _bilingual_overflow(ctx: Ctx, spec: LayoutSpec, sec: str, block) -> DoesNotFit:
    """A block taller than a whole page column: no number of pages holds it."""
    return DoesNotFit(
        f"a block of section {sec!r} is taller than a whole column of layout {spec.name!r} in "
        f"{ctx.lang.name} ({ctx.lang.code}) ({sum(block.heights):.0f} pt)",
        file=ctx.handout.file, key=f"sections ({sec})",
        hint="Shorten that block, or use a layout with wider columns")


def _opening_fits(blocks, avail: float) -> bool:
    """Whether a section's heading and what must come with it fit in ``avail`` points."""
    if not blocks:
        return True
    need = sum(blocks[0].heights)
    if blocks[0].keep_with_next and len(blocks) > 1:
        need += _kept_with(blocks[1])
    return need <= avail + 0.01


def _kept_with(nxt) -> float:
    """What of the block after a heading must share its column: all of it if it cannot be split
    (kept together, or under four lines: two must stay on each side of a break), else two lines."""
    whole = nxt.keep_together or len(nxt.heights) < 4
    return nxt.space_before + (sum(nxt.heights) if whole else sum(nxt.heights[:2]))


def _fill_to(ctx: Ctx, pages, fr: Frame, blocks, bi: int, line_i: int):
    """_fill, also telling where the last placed block ended."""
    nbi, nline = _fill(ctx, pages, fr, blocks, bi, line_i)
    used = 0.0
    for j in range(bi, nbi):
        b = blocks[j]
        used += (b.space_before if j > bi or used else 0) + sum(b.heights[line_i if j == bi else 0:])
    if nbi < len(blocks) and nline:
        used += sum(blocks[nbi].heights[(line_i if nbi == bi else 0):nline])
    return nbi, nline, fr.top - used


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
        tsize = _fit_words(title, w, ctx.sz("title") * 0.85, ctx.size)
        sub = ctx.handout.subtitle
        ssp = ctx.ts.shape(sub, file=ctx.handout.file) if sub else None
        ssize = ctx.sz("subtitle") * 0.9
        sl = _lines(ctx, ssp, w, ssize, "subtitle") if ssp else []
        laid.append((ctx, title, _lines(ctx, title, w, tsize, "title"), tsize, w, ssp, sl, ssize))
    heights = [len(ls) * ctx.pitch(ts_, 1.15) + len(sl) * ss * ctx.lh for ctx, _, ls, ts_, _, _, sl, ss in laid]
    band = max(spec.header["height"], max(heights) + pad * 1.1)
    page.items.append(Box(0, H - band, W, band, fill=brand.colours["primary"]))
    if brand.logo is not None:
        page.items.append(Picture(_logo(brand), left, H - band / 2 - logo / 2, logo, logo, role="Artifact"))
    on = brand.colours["on_primary"]
    for k, (ctx, title, lines, tsize, w, ssp, sl, ssize) in enumerate(laid):
        x = left + k * (cw + gap) + (logo + pad * 0.5 if k == 0 else 0)
        y = H - band / 2 + heights[k] / 2
        y = _emit(ctx, page, title, lines, x, w, y, tsize, ctx.pitch(tsize, 1.15), on, "H1", f"title{k}")
        if sl:
            _emit(ctx, page, ssp, sl, x, w, y, ssize, ssize * ctx.lh, on, "P", f"subtitle{k}")
    return H - band - first.size * 0.9
