"""Layout definitions as data.

Input: ``layouts/<name>.yaml``. Output: a frozen :class:`LayoutSpec` (page size, margins, type
scale and fitting range, spacing, header/footer, and per page a stack of regions naming slots).
A new layout needs no code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..content.loader import Reader, _display
from ..content.yamlsafe import load_yaml

PAGE_SIZES = {"letter": (612.0, 792.0), "a4": (595.28, 841.89), "legal": (612.0, 1008.0)}
SLOTS = ("header", "cover", "summary", "body", "diagram", "contact")
SCALE_KEYS = ("title", "subtitle", "summary", "heading", "caption", "label")
MIN_KEYS = ("caption", "label", "footer")
# Room a layout keeps for the details that differ by clinic, in lines, so that every clinic's
# leaflet lays out the same (body size, page count): the footer's contact and credit lines, the
# contact block's name/phone/address/website lines and its credit lines, the cover's name.
BRAND_LINES = ("footer", "contact", "credit", "name", "note", "partner")   # note: a partner clinic's own
# text block; partner: the clinic's name in the header's partner block
# The layout's measures beyond type sizes, with their defaults; a layout may set any of them in
# `measures:`. "× body": a multiple of the fitted body size; "pt": points.
MEASURES = {
    "bar": 4.0,              # pt: the coloured bar of the summary box and of call-outs
    "summary_pad": 0.8,      # × body: padding inside the summary box
    "callout_pad": 0.75,     # × body: padding inside a call-out
    "bullet_indent": 1.3,    # × body: text indent of a bulleted item
    "step_indent": 2.0,      # × body: text indent of a numbered step
    "item_gap": 0.3,         # × body: space between list items
    "figure_gap": 1.6,       # × body: space between a slotted diagram and the body
    "figure_max": 0.7,       # share of the text height a flowing figure may take
    "title_pitch": 1.15,     # × title size: line pitch of titles
    "subtitle_pitch": 1.35,  # × subtitle size: line pitch of subtitles
    "cover_logo": 1.6,       # × header logo: the logo on a brochure cover
    "contact_qr": 60.0,      # pt: the QR code in a contact block (20 mm is 56.7 pt: a phone
                             # camera at arm's length reads nothing smaller)
    "footer_qr": 58.0,       # pt: the smallest QR code in a page footer
    "contact_min": 11.0,     # pt: the least size of phone numbers, web and e-mail addresses
    "fold_mark": 14.0,       # pt: length of the fold marks at the top and bottom edges
    "crop_mark": 14.17,      # pt: length of a print-shop copy's crop and fold marks (5 mm), drawn
                             # outside the trim from the bleed's edge
    "min_column_gap": 1.3,   # × body: the least gap between columns, whatever spacing.column_gap
                             # says (narrower, readers and text extraction run columns together)
}


@dataclass(frozen=True)
class Region:
    """A band of a page, top to bottom: what fills it (its slot), in how many columns, how high at most."""
    slot: str
    columns: int = 1
    height: float | None = None


@dataclass(frozen=True)
class LayoutSpec:
    """A layout definition (layouts/<name>.yaml): page size, margins, panels, type scale, fit rules."""
    name: str
    description: str
    file: str
    page_size: tuple[float, float]
    margins: dict            # top, bottom, inside, outside
    max_pages: int | None
    body_min: float
    body_max: float
    body_step: float
    line_height: float
    scale: dict
    minimum: dict
    footer_size: float
    spacing: dict
    header: dict
    footer: dict | None          # None: no page footer (a contact slot carries the facts)
    pages: tuple                 # per page, panels left to right; per panel, regions top down
    fold_marks: bool = False
    min_text: float = 0.0        # nothing anywhere smaller than this (large print: 16)
    bilingual: str | None = None # the language every sheet pairs with, e.g. "en"
    flow: tuple = ()             # (page, panel) reading order for a fixed sheet; default page order
    brand_lines: dict | None = None  # room kept for any clinic's details, in lines (see BRAND_LINES)
    measures: dict = field(default_factory=lambda: dict(MEASURES))   # see MEASURES
    hyphenate: bool = False      # break words at hyphenation points (narrow panels may opt in)
    printable: float = 18.0      # pt from the trim edge where office printers start to print
    bleeds: frozenset = frozenset({"band"})  # backgrounds (band, cover) that may run off the edge
    bleed: float = 3 * 72 / 25.4  # pt: how far those run past the trim in a print-shop copy (3 mm)
    partner_block: dict | None = None  # {width: pt}: the clinic's name and phone in the header band
    running_head: dict | None = None  # {size: pt}: the title at the top of every page after the first
    last_page_min: float = 0.0   # flowing layouts: the least share of the last page's body height
                                 # its text may take (less: page breaks move earlier to fill it)
    panel_widths: tuple = ()     # per page, per panel (left to right): its width in pt, or None
                                 # (an equal share of the rest); a trifold's inside flap is narrower

    def page_panels(self, index: int) -> tuple:
        """Panels of page ``index`` (the last page's pattern repeats when content flows)."""
        return self.pages[min(index, len(self.pages) - 1)]

    def flow_order(self) -> list[tuple[int, int]]:
        """(page, panel) pairs in the order content flows through a fixed sheet."""
        every = [(p, k) for p in range(self.max_pages or len(self.pages))
                 for k in range(len(self.page_panels(p)))]
        return list(self.flow) + [pk for pk in every if pk not in self.flow]

    def panel_bounds(self, page_index: int, pos: int, n: int, rtl: bool = False) -> tuple[float, float]:
        """Left and right edges of the text in panel ``pos`` (from the left) of ``n`` on a page."""
        W = self.page_size[0]
        inside, outside = self.margins["inside"], self.margins["outside"]
        if n == 1:
            left = inside if page_index % 2 == 0 else outside   # recto: binding on the left
            return left, W - (outside if page_index % 2 == 0 else inside)
        folds = self.folds(page_index, rtl)
        x0, x1 = ([0.0] + folds + [W])[pos:pos + 2]            # panels meet at the folds
        pad = max(inside, outside)                              # the same padding in every panel
        return x0 + pad, x1 - pad

    def folds(self, page_index: int, rtl: bool = False) -> list[float]:
        """Where a folded page folds, left to right: panel widths from the layout (mirrored for a
        right-to-left brochure, which opens the other way), the rest shared equally."""
        W = self.page_size[0]
        n = len(self.page_panels(page_index))
        given = list(self.panel_widths[min(page_index, len(self.panel_widths) - 1)]) if self.panel_widths else [None] * n
        free = W - sum(w for w in given if w is not None)
        share = free / max(1, sum(1 for w in given if w is None))
        widths = [share if w is None else w for w in given]
        if rtl:
            widths.reverse()
        out, x = [], 0.0
        for w in widths[:-1]:
            x += w
            out.append(x)
        return out

    @cached_property
    def body_column_width(self) -> float:
        """The narrowest body column anywhere in the layout."""
        widths = []
        for pi, panels in enumerate(self.pages):
            for pos, regions in enumerate(panels):
                left, right = self.panel_bounds(pi, pos, len(panels))
                widths += [(right - left - self.column_gap(self.body_max) * (r.columns - 1)) / r.columns
                           for r in regions if r.slot == "body"]
        return min(widths) if widths else self.page_size[0] / 2

    def column_gap(self, size: float) -> float:
        """The gap between body columns at body size ``size``."""
        return max(self.spacing["column_gap"], size * self.measures["min_column_gap"])

    def has_slot(self, slot: str) -> bool:
        return any(r.slot == slot for panels in self.pages for regions in panels for r in regions)

    def body_sizes(self) -> list[float]:
        sizes, s = [], self.body_max
        while s >= self.body_min - 1e-9:
            sizes.append(round(s, 3))
            s -= self.body_step
        return sizes


def load_layout(path: Path, root: Path) -> LayoutSpec:
    display = _display(path, root)
    doc = load_yaml(path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("name", "description", "page", "margins", "max_pages", "type",
                                   "spacing", "header", "footer", "pages"),
                   ("fold_marks", "bilingual", "flow", "brand_lines", "measures", "print", "hyphenate",
                    "last_page_min", "running_head", "partner_block"))
    name = r.ident(top["name"], ("name",))
    if name != path.stem:
        raise doc.error(("name",), f"says {name!r} but the file is named {path.name!r}",
                        hint="Make them the same")

    def number(value, p, lo=0.0, hi=2000.0) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise doc.error(p, f"expected a number from {lo:g} to {hi:g}, found {value!r}")
        return float(value)

    def whole(value, p, lo, hi) -> int:
        v = number(value, p, lo, hi)
        if not v.is_integer():
            raise doc.error(p, f"expected a whole number from {lo:g} to {hi:g}, found {value!r}")
        return int(v)

    page = r.mapping(top["page"], ("page",), ("size",), ("orientation",))
    size = page["size"]
    if isinstance(size, str):
        if size.lower() not in PAGE_SIZES:
            raise doc.error(("page", "size"), f"unknown page size {size!r}",
                            hint="Use one of " + ", ".join(PAGE_SIZES) + " or [width, height] in points")
        w, h = PAGE_SIZES[size.lower()]
    else:
        dims = r.seq(size, ("page", "size"), 2)
        w, h = (number(v, ("page", "size", i), 72, 5000) for i, v in enumerate(dims[:2]))
    orientation = page.get("orientation", "portrait")
    if orientation not in ("portrait", "landscape"):
        raise doc.error(("page", "orientation"), f"{orientation!r} is not an orientation",
                        hint="Use portrait or landscape")
    if (orientation == "landscape") != (w > h):
        w, h = h, w
    margins = r.mapping(top["margins"], ("margins",), ("top", "bottom", "inside", "outside"))
    margins = {k: number(v, ("margins", k), 0, 300) for k, v in margins.items()}
    max_pages = top["max_pages"]
    if max_pages is not None:
        max_pages = whole(max_pages, ("max_pages",), 1, 100)
    ty = r.mapping(top["type"], ("type",), ("body", "line_height", "scale", "minimum", "footer"), ("min_text",))
    body = r.mapping(ty["body"], ("type", "body"), ("min", "max", "step"))
    bmin = number(body["min"], ("type", "body", "min"), 6, 72)
    bmax = number(body["max"], ("type", "body", "max"), bmin, 72)
    step = number(body["step"], ("type", "body", "step"), 0.1, 10)
    scale = r.mapping(ty["scale"], ("type", "scale"), SCALE_KEYS)
    minimum = r.mapping(ty["minimum"], ("type", "minimum"), MIN_KEYS)
    spacing = r.mapping(top["spacing"], ("spacing",), ("paragraph", "section", "column_gap"))
    header = r.mapping(top["header"], ("header",), ("height", "logo", "padding"))
    footer = None if top["footer"] is None else r.mapping(top["footer"], ("footer",), ("height",))

    def read_regions(value, p) -> tuple:
        regions = []
        for j, reg in enumerate(r.seq(value, p)):
            q = p + (j,)
            reg = r.mapping(reg, q, ("slot",), ("columns", "height"))
            slot = r.string(reg["slot"], q + ("slot",))
            if slot not in SLOTS:
                raise doc.error(q + ("slot",), f"unknown slot {slot!r}", hint="Use one of: " + ", ".join(SLOTS))
            regions.append(Region(slot, whole(reg.get("columns", 1), q + ("columns",), 1, 4),
                                  number(reg["height"], q + ("height",), 10, 2000) if "height" in reg else None))
        if sum(1 for rg in regions if rg.slot == "body") > 1:
            raise doc.error(p, "a panel may have one body region")
        return tuple(regions)

    pages, panel_widths = [], []
    for i, pg in enumerate(r.seq(top["pages"], ("pages",))):
        pg = r.mapping(pg, ("pages", i), (), ("regions", "panels"))
        if ("regions" in pg) == ("panels" in pg):
            raise doc.error(("pages", i), "give a page either 'regions' or 'panels'",
                            hint="panels: [{regions: [...]}, ...] for a folded sheet")
        if "regions" in pg:
            pages.append((read_regions(pg["regions"], ("pages", i, "regions")),))
            panel_widths.append((None,))
        else:
            panels, widths = [], []
            for k, panel in enumerate(r.seq(pg["panels"], ("pages", i, "panels"))):
                panel = r.mapping(panel, ("pages", i, "panels", k), ("regions",), ("width",))
                panels.append(read_regions(panel["regions"], ("pages", i, "panels", k, "regions")))
                widths.append(number(panel["width"], ("pages", i, "panels", k, "width"), 72, w)
                              if panel.get("width") is not None else None)
            if sum(x for x in widths if x is not None) > w - 72 * widths.count(None):
                raise doc.error(("pages", i, "panels"), "the panel widths add up to more than the page",
                                hint="Give the widths in points, less than the page's width in all")
            pages.append(tuple(panels))
            panel_widths.append(tuple(widths))
    def some(*slots: str) -> bool:
        return any(r.slot in slots for panels in pages for regions in panels for r in regions)
    for need, slots, what in (("the title", ("header", "cover"), "a header or cover"),
                              ("the summary", ("summary", "cover"), "a summary or cover"),
                              ("the content", ("body",), "a body")):
        if not some(*slots):
            raise doc.error(("pages",), f"no page has {what} region, so {need} would not be printed",
                            hint=f"Add {{slot: {slots[0]}}} to a page")
    if max_pages is None and not any(r.slot == "body" for regions in pages[-1] for r in regions):
        raise doc.error(("pages", len(pages) - 1), "the last page repeats while content flows, but it has no body region",
                        hint="Add {slot: body} to the last page")
    if top.get("bilingual") is not None and top.get("last_page_min") is not None:
        raise doc.error(("last_page_min",), "is not applied to dual-language sheets yet",
                        hint="Remove it; it is for single-language flowing layouts such as large print")
    if max_pages is not None and top.get("last_page_min") is not None:
        raise doc.error(("last_page_min",), "is for flowing layouts (max_pages: null)",
                        hint="A fixed sheet has no last page to fill; remove it")
    if max_pages is not None and top["footer"] is None and not some("contact"):
        raise doc.error(("footer",), "a fixed layout without a footer needs a contact region",
                        hint="Add {slot: contact} to a panel, or give the layout a footer")
    flow = []
    if top.get("flow") is not None:
        if max_pages is None:
            raise doc.error(("flow",), "a flow order needs max_pages", hint="Fixed sheets only")
        for i, pair in enumerate(r.seq(top["flow"], ("flow",))):
            pair = r.seq(pair, ("flow", i), 2)
            if len(pair) != 2:
                raise doc.error(("flow", i), "a flow entry is [page, panel]")
            pg, pn = (whole(v, ("flow", i, j), 1, 100) - 1 for j, v in enumerate(pair))
            if pg >= max_pages or pn >= len(pages[min(pg, len(pages) - 1)]):
                raise doc.error(("flow", i), f"there is no page {pg + 1} panel {pn + 1}")
            if (pg, pn) in flow:
                raise doc.error(("flow", i), f"page {pg + 1} panel {pn + 1} is already in the flow",
                                hint="Name each panel once")
            flow.append((pg, pn))
    brand_lines = None
    if top.get("brand_lines") is not None:
        bl = r.mapping(top["brand_lines"], ("brand_lines",), (), BRAND_LINES)
        brand_lines = {k: int(number(v, ("brand_lines", k), 1, 40)) for k, v in bl.items()}
    printable, bleeds, bleed = 18.0, frozenset({"band"}), 3 * 72 / 25.4   # a header band runs off the edge by default
    if top.get("print") is not None:
        pr = r.mapping(top["print"], ("print",), (), ("margin", "bleeds", "bleed"))
        if pr.get("bleed") is not None:
            bleed = number(pr["bleed"], ("print", "bleed"), 0, 36)
        if pr.get("margin") is not None:
            printable = number(pr["margin"], ("print", "margin"), 0, 144)
        if pr.get("bleeds") is not None:
            got = pr["bleeds"]
            if not isinstance(got, list) or any(k not in ("band", "cover") for k in got):
                raise doc.error(("print", "bleeds"), "must be a list of band, cover",
                                hint="Say which backgrounds run off the edge, e.g. [band]")
            bleeds = frozenset(got)
    measures = dict(MEASURES)
    if top.get("measures") is not None:
        ms = r.mapping(top["measures"], ("measures",), (), tuple(MEASURES))
        measures.update({k: number(v, ("measures", k), 0, 1000) for k, v in ms.items()})
    bilingual = top.get("bilingual")
    if bilingual is not None:
        bilingual = r.string(r.mapping(bilingual, ("bilingual",), ("with",))["with"], ("bilingual", "with"))
    spec = LayoutSpec(
        name=name, description=r.string(top["description"], ("description",)), file=display,
        page_size=(w, h), margins=margins, max_pages=max_pages,
        body_min=bmin, body_max=bmax, body_step=step,
        line_height=number(ty["line_height"], ("type", "line_height"), 1, 3),
        scale={k: number(v, ("type", "scale", k), 0.3, 5) for k, v in scale.items()},
        minimum={k: number(v, ("type", "minimum", k), 4, 72) for k, v in minimum.items()},
        footer_size=number(ty["footer"], ("type", "footer"), 4, 72),
        min_text=number(ty["min_text"], ("type", "min_text"), 4, 72) if ty.get("min_text") is not None else 0.0,
        spacing={k: number(v, ("spacing", k), 0, 100) for k, v in spacing.items()},
        header={k: number(v, ("header", k), 0, 1000) for k, v in header.items()},
        footer=None if footer is None else {k: number(v, ("footer", k), 0, 1000) for k, v in footer.items()},
        pages=tuple(pages),
        fold_marks=bool(top.get("fold_marks", False)),
        flow=tuple(flow),
        bilingual=bilingual,
        brand_lines=brand_lines,
        measures=measures,
        printable=printable,
        hyphenate=bool(top.get("hyphenate", False)),
        bleeds=bleeds,
        bleed=bleed,
        partner_block=None if top.get("partner_block") is None else {
            "width": number(r.mapping(top["partner_block"], ("partner_block",), ("width",))["width"],
                            ("partner_block", "width"), 72, 400)},
        running_head=None if top.get("running_head") is None else {
            "size": number(r.mapping(top["running_head"], ("running_head",), ("size",))["size"],
                           ("running_head", "size"), 6, 36)},
        last_page_min=number(top["last_page_min"], ("last_page_min",), 0, 0.9) if top.get("last_page_min") is not None else 0.0,
        panel_widths=tuple(panel_widths),
    )
    # A geometry no content can fit is the layout's error, not the content's.
    text_h = h - margins["top"] - margins["bottom"]
    if text_h < 3 * bmax * spec.line_height:
        raise doc.error(("margins",), f"the margins leave {max(text_h, 0):.0f} pt of the page's height for text",
                        hint="Make the margins smaller or the page larger")
    if spec.body_column_width < 4 * bmax:
        raise doc.error(("margins",), f"the margins, panels and columns leave a body column of "
                        f"{max(spec.body_column_width, 0):.0f} pt, too narrow for {bmax:g} pt text",
                        hint="Make the margins or the column gap smaller, or use fewer columns")
    return spec
