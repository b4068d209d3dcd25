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
from ..content.model import Span, Status
from .items import Box, Link, Node, Page, Picture, Qr, Raster, Rule, Svg
from ..text.bidi import isolate
from .setting import Ctx, break_lines, emit, fit_words, ink_gaps


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
    tl = break_lines(ctx, title, text_w, tsize, "title")
    sub = ctx.handout.subtitle
    sl = break_lines(ctx, ts.shape(sub, file=ctx.handout.file), text_w, ssize, "subtitle") if sub else []
    need = len(tl) * ctx.pitch(tsize, spec.measures["title_pitch"]) + len(sl) * ctx.pitch(ssize, spec.measures["subtitle_pitch"]) + pad * 1.1
    band = max(spec.header["height"], need)
    page.items.append(Box(0, H - band, W, band, fill=brand.colours["primary"]))
    rtl = ctx.lang.rtl
    lx = right - logo if rtl else left
    if brand.logo is not None:
        page.items.append(Picture(logo_source(brand), lx, H - band / 2 - logo / 2, logo, logo, role="Artifact"))
    tx = left if rtl else left + logo + pad * 0.6
    content_h = len(tl) * ctx.pitch(tsize, spec.measures["title_pitch"]) + len(sl) * ctx.pitch(ssize, spec.measures["subtitle_pitch"])
    y = H - band / 2 + content_h / 2
    y = emit(ctx, page, title, tl, tx, text_w, y, tsize, ctx.pitch(tsize, spec.measures["title_pitch"]), brand.colours["on_primary"], "H1", Node("title"))
    if sl:
        emit(ctx, page, ts.shape(sub), sl, tx, text_w, y, ssize, ctx.pitch(ssize, spec.measures["subtitle_pitch"]),
              brand.colours["on_primary"], "P", Node("subtitle"))
    return H - band - ctx.size * 0.9


def draw_cover(ctx: Ctx, page: Page, left: float, right: float, top: float, bottom: float) -> float:
    """A brochure cover panel: a colour field with the logo, organisation, title, subtitle and
    the main message."""
    spec, brand, ts, h = ctx.spec, ctx.brand, ctx.ts, ctx.handout
    width = right - left
    pad = spec.header["padding"]
    logo = spec.header["logo"] * spec.measures["cover_logo"]
    ssize = ctx.sz("subtitle")
    title = ts.shape(h.title, bold=True, file=h.file)
    tsize = fit_words(title, width - pad, ctx.sz("title"), ctx.size)
    tl = break_lines(ctx, title, width - pad, tsize, "title")
    sub = ts.shape(h.subtitle, file=h.file) if h.subtitle else None
    sl = break_lines(ctx, sub, width - pad, ssize, "subtitle") if sub else []
    org = ts.shape(brand.name, bold=True)
    osize = max(ctx.size * 0.9, spec.minimum["footer"])
    ol = break_lines(ctx, org, width - pad, osize, "brand")
    name_lines = room(ctx, "name", len(ol), "name on the cover")
    band_h = pad + logo + osize * 0.8 + name_lines * ctx.pitch(osize, 1.3) + pad * 0.6 + len(tl) * ctx.pitch(tsize, spec.measures["title_pitch"]) + \
        len(sl) * ctx.pitch(ssize, spec.measures["subtitle_pitch"]) + pad
    x0 = left - spec.margins["outside"] * 0.5
    page.items.append(Box(x0, top - band_h, width + spec.margins["outside"], band_h,
                          fill=brand.colours["primary"], radius=6))
    y = top - pad
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
    lines_of = [(brand.organisation, True)] + [(b, False) for b in (brand.phone, brand.address) if b]
    for text, bold in lines_of:
        rows.append((ts.shape(text, bold=bold), size, ctx.pitch(size, 1.4), brand.colours["text"], "P", Node("contact")))
    if brand.website:
        rows.append((ts.shape((_website(brand),)), size, ctx.pitch(size, 1.4), brand.colours["primary"], "Link", Node("contact")))
    rows.append((ts.shape(_credit(ctx)), small, ctx.pitch(small, 1.35), brand.colours["muted"], "Note", Node("credit")))
    rows.append((ts.shape(_facts(ctx)), small, ctx.pitch(small, 1.35), brand.colours["muted"], "Note", Node("facts")))
    laid = [(sp, break_lines(ctx, sp, width, sz, "contact"), sz, p, col, role, node)
            for sp, sz, p, col, role, node in rows]
    gaps = {1: size * 0.5, len(rows) - 2: size * 1.2}
    total = sum(len(ls) * p for _, ls, _, p, _, _, _ in laid) + sum(gaps.values())
    # Room kept for any clinic: the rows that differ by clinic count as the layout says.
    n_contact = sum(len(row[1]) for row in laid[1:-2])
    n_credit = len(laid[-2][1])
    extra = (room(ctx, "contact", n_contact, "contact details") - n_contact) * ctx.pitch(size, 1.4) + \
        (room(ctx, "credit", n_credit, "credit") - n_credit) * ctx.pitch(small, 1.35)
    if extra:
        total += extra
    qr = min(width * 0.3, spec.measures["contact_qr"]) if brand.online_url or ctx.spec.brand_lines else 0.0
    total += qr + size * 0.8 if qr else 0
    y = top if top is not None else bottom + total
    for i, (sp, ls, sz, p, col, role, node) in enumerate(laid):
        y -= gaps.get(i, 0)
        y = emit(ctx, page, sp, ls, left, width, y, sz, p, col, role, node)
    if qr:
        y -= extra + size * 0.8 + qr
        place_qr(ctx, page, right - qr if lang.rtl else left, y, qr)
    return y - size if top is not None else bottom + total + size


def draw_footer(ctx: Ctx, page: Page | None, index: int, count: int, short: bool = False,
            others: tuple = ()) -> float:
    """Contact (with the website as a live link), credits, version, review date, page x of y.
    Returns the footer's height; draws only when ``page`` is given."""
    spec, ts, brand, lang = ctx.spec, ctx.ts, ctx.brand, ctx.lang
    W = spec.page_size[0]
    size = max(spec.footer_size, spec.minimum["footer"])
    pitch = max(c.pitch(size, 1.3) for c in (ctx, *others))
    left, right = spec.margins["outside"], W - spec.margins["outside"]
    qr = 0.0 if short or not (brand.online_url or spec.brand_lines) else max(spec.footer["height"] - size * 0.6, spec.measures["footer_qr"])
    width = right - left - (qr + size if qr else 0)
    text_x = left + (qr + size if qr and lang.rtl else 0)
    contact = [Span(lang.strings["contact"] + ": ", bold=True), Span(brand.organisation)]
    for bit in (brand.phone, brand.address):
        if bit:
            contact.append(Span(lang.mark("separator") + bit))
    if brand.website:
        contact += [Span(lang.mark("separator")), _website(brand)]
    rows = [(ctx, ts.shape(tuple(contact)), Node("contact"), "Note"), (ctx, ts.shape(_credit(ctx)), Node("credit"), "Note")]
    for o in others:    # a dual-language sheet credits the source in both languages
        rows.append((o, o.ts.shape(o.handout.source_credit, file=o.handout.file), Node("credit", lang=o.lang.code), "Note"))
    rows.append((ctx, ts.shape(_facts(ctx, index + 1, count)), Node("pagefacts"), "Artifact"))
    if short:       # later pages of a flowing leaflet: the contact block ends the content instead
        rows = rows[-1:]
    broken = [(c, sp, break_lines(c, sp, width, size, "footer"), node, role) for c, sp, node, role in rows]
    n_lines = sum(len(lines) for _, _, lines, _, _ in broken)
    if not short:       # the contact and credit lines differ by clinic: the layout keeps their room
        n_brand = len(broken[0][2]) + len(broken[1][2])
        n_lines += room(ctx, "footer", n_brand, "contact and credit lines in the footer") - n_brand
    height = max(n_lines * pitch, qr) + size * 0.8
    if page is None:
        return height
    top = spec.margins["bottom"] + max(height, spec.footer["height"])
    page.items.append(Rule(left, top, right, top, brand.colours["muted"], 0.5))
    y = top - size * 0.5
    for c, sp, lines, node, role in broken:
        y = emit(c, page, sp, lines, text_x, width, y, size, pitch, brand.colours["muted"], role, node)
    if qr:      # a dual-language sheet's code opens the online copy in the patient's language
        place_qr(others[-1] if others else ctx, page, left if lang.rtl else right - qr, top - size * 0.4 - qr, qr)
    return height


def room(ctx: Ctx, what: str, lines: int, where: str) -> int:
    """Lines kept for details that differ by clinic: the layout's ``brand_lines`` (a clear error
    when this clinic's details need more), or the lines they take when the layout keeps none."""
    budget = (ctx.spec.brand_lines or {}).get(what)
    if budget is None:
        return lines
    if lines > budget:
        spec, lang = ctx.spec, ctx.lang
        raise LeafletError(
            f"the clinic's {where} take {lines} lines in layout {spec.name!r} in {lang.name} ({lang.code}) "
            f"at body size {ctx.size:g} pt; the layout keeps room for {budget}", file=ctx.brand.file,
            hint=f"Shorten the clinic's details, or raise brand_lines.{what} in {spec.file}")
    return budget


def _website(brand: Brand) -> Span:
    """The website as a live link, shown without its scheme."""
    return Span(brand.website_label, href=brand.website)


def _credit(ctx: Ctx) -> tuple:
    """The content's source credit, then the brand's credit and licence."""
    b = ctx.brand       # in the leaflet's language: a partner's credit says who provides it
    return tuple(ctx.handout.source_credit.spans) + (Span(ctx.lang.mark("credit_join") + b.credit + " " + b.licence),)


def _facts(ctx: Ctx, page: int | None = None, pages: int | None = None) -> str:
    """Version and review date (and page x of y), in the leaflet's language."""
    lang, h, f = ctx.lang, ctx.handout, formatting.for_language(ctx.lang)
    bits = [lang.string("version", version=f.version(h.version)),
            lang.string("last_reviewed", date=f.date(h.last_reviewed))]
    if page is not None:
        bits.append(lang.string("page", page=f.number(page), pages=f.number(pages)))
    return lang.mark("separator").join(bits)


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
