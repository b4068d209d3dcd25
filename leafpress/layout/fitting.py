"""Fitting: a handout onto the pages of a layout, at the largest body size that fits.

Input: a Handout (one language), its Language, a LayoutSpec, a Brand, a Typesetter and the
diagrams. Output: :class:`LaidOut` (pages of positioned items, outline) that has passed the
conservation check, or a :class:`DoesNotFit` (a LeafletError) naming the section.

Fixed layouts (``max_pages``) try body sizes from the largest down (binary search); flowing
layouts add pages (at most ``MAX_FLOW_PAGES``). Each panel is filled region by region: fixed
regions from the top (header, cover, summary, contact, diagram), then from the bottom, and the
body region takes the rest, split into columns. Texts are shaped once (Typesetter cache); each
attempt only re-breaks lines.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..brand import Brand
from ..content.model import Figure, Handout
from ..errors import LeafletError
from ..languages import Language
from ..text.setter import Typesetter
from . import conserve, inspection
from .blocks import contact_block, flow_blocks, note_block
from .figures import draw_figure
from .flow import Cursor, Frame, Overflow, fill
from .furniture import above_line, draw_contact, draw_cover, draw_footer, draw_header, draw_running_head, draw_summary
from .items import LaidOut, OutlineEntry, Page, Rule
from .setting import Ctx, peers_in
from .spec import LayoutSpec


# Text readers (poppler's and xpdf's pdftotext, and what is built on them) take lines whose
# baselines are 1.5 times the drawn type size or more apart as separate blocks; lines laid out at
# exactly 1.5 fall on either side by rounding, and where the two columns then start level the
# reader finds a grid of one-line blocks, takes it for a table and reads both columns row by row.
# So the leading stays just under 1.5 times the size the text is drawn at (a language asking for
# 1.5 gets 1.49, 0.7 % less, not visible; a script drawn larger to match Latin, match_latin_size,
# has room to match).
READER_MAX_LEADING = 1.49


def leading(spec: LayoutSpec, lang: Language, drawn: float = 1.0) -> float:
    """Body line spacing as a multiple of the type size: the layout's or the language's,
    whichever is larger, below the readers' block threshold for text drawn ``drawn`` times the
    type size (the typesetter's ``reading_size``: its ``size_factor``, and Nastaliq's taller
    reading; see READER_MAX_LEADING)."""
    return min(max(spec.line_height, lang.line_height), READER_MAX_LEADING * drawn)


class DoesNotFit(LeafletError):
    """Content too long for a fixed layout, even at its minimum type size."""


def lay_out(handout: Handout, lang: Language, spec: LayoutSpec, brand: Brand, ts: Typesetter,
            diagrams: dict, notice_also: str | None = None, peers: tuple = ()) -> LaidOut:
    """``notice_also``: the draft notice in the source language, printed after the translation's
    own (a draft leaflet says it in both). ``peers``: the project's brands (the room for
    clinic details a layout does not fix in ``brand_lines`` fits them all, so every clinic's
    leaflet lays out the same). The result has passed the conservation check."""
    brand = brand.for_language(lang.code, lang.rtl)     # its lines in this language, isolated runs
    peers = peers_in(peers, lang.code, lang.rtl)
    ctxs: list[Ctx] = []
    try:
        laid = _fit(handout, lang, spec, brand, ts, diagrams, notice_also, peers, ctxs)
    finally:
        for ctx in ctxs:        # what the attempts shared goes with the fitting (a stamped
            ctx.shaped = None   # clinic's slot, drawn again with its Ctx, asks the typesetter)
    conserve.check(laid, [conserve.Source(handout, lang, brand)])
    return laid


def _fit(handout: Handout, lang: Language, spec: LayoutSpec, brand: Brand, ts: Typesetter,
         diagrams: dict, notice_also: str | None, peers: tuple, ctxs: list) -> LaidOut:
    """The largest body size at which everything fits. ``ctxs`` gets each attempt's Ctx."""
    sizes = spec.body_sizes()          # largest first
    search = _Search(handout, lang, spec, brand, ts, diagrams, notice_also, peers, ctxs)
    attempt = search.attempt

    # Short lists are kept in one column where that fits at some size, split where it cannot.
    # Binary search for the largest size that fits: the largest and the smallest first, since
    # most documents fit at the largest and a document that fails must fail at the smallest.
    best = attempt(sizes[0])
    if not isinstance(best, Overflow):
        return best                 # lists kept, at the largest size: nothing to search
    if spec.max_pages is not None and isinstance(attempt(sizes[-1]), Overflow):
        search.keep_lists = False
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
    assert isinstance(last, Overflow)
    if last.region == "inspect":
        raise inspection.bad_page(search.rejected[-1], spec, lang, handout.file, spec.body_min)
    raise does_not_fit(last, spec, lang, handout.file, spec.body_min)


class _Search:
    """One document's attempts at fitting (:func:`_fit`): what they share, and each plain try
    made once. An object, not two closures calling each other: those held each other, a
    reference cycle that kept every attempt's pages alive until the garbage collector ran
    (gcpolicy.settle: a batch's worker makes no collection after a document)."""

    def __init__(self, handout: Handout, lang: Language, spec: LayoutSpec, brand: Brand, ts: Typesetter,
                 diagrams: dict, notice_also: str | None, peers: tuple, ctxs: list):
        self.handout, self.lang, self.spec, self.brand, self.ts = handout, lang, spec, brand, ts
        self.diagrams, self.notice_also, self.peers, self.ctxs = diagrams, notice_also, peers, ctxs
        self.line_height = leading(spec, lang, ts.reading_size)
        self.shaped: dict = {}      # the texts the attempts set, shaped once (Ctx.shape)
        self.rejected: list = []    # the inspector's errors at the sizes that fitted but looked wrong
        self.footers: dict = {}     # the footer's heights (the same at every body size, see _footer_height)
        self.tried: dict = {}       # (size, keep_lists) -> what a plain attempt gave: the same try is not made twice
        self.keep_lists = True

    def attempt(self, size: float, squeeze: float = 0.0, pages: int = 0,
                report: dict | None = None) -> LaidOut | Overflow:
        plain = report is None and not squeeze and not pages
        key = (size, self.keep_lists)
        if plain and key in self.tried:
            return self.tried[key]
        got = self._tried(size, squeeze, pages, report)
        if plain:
            self.tried[key] = got
        return got

    def _tried(self, size: float, squeeze: float, pages: int, report: dict | None) -> LaidOut | Overflow:
        first = report is None
        report = {} if first else report
        ctx = Ctx(self.handout, self.lang, self.spec, self.brand, self.ts, self.diagrams, size, self.line_height,
                  notice_also=self.notice_also, keep_lists=self.keep_lists, peers=self.peers, shaped=self.shaped)
        self.ctxs.append(ctx)
        got = _attempt(ctx, squeeze, pages, report, self.footers)
        if isinstance(got, LaidOut):
            bad = inspection.errors(got, self.spec)
            if bad:         # a page the inspector fails counts as not fitting at this size
                self.rejected.append(bad)
                return Overflow(bad[0].node or "page", 0.0, region="inspect")
            if first and self.spec.max_pages is None and self.spec.last_page_min and "fill" in report:
                return _balanced(self.attempt, size, got, self.spec, report)
        return got


def _balanced(attempt, size: float, got: LaidOut, spec: LayoutSpec, report: dict) -> LaidOut:
    """A flowing leaflet whose last page would hold only a few lines (its text under
    ``spec.last_page_min`` of the page's body height) is set again with the body of the earlier
    pages ending a little higher, so their page breaks come earlier and the last page fills: the
    least such shortening that keeps the page count and passes the inspector, and never more than
    the same share of a page (the earlier pages stay fuller than the last one must be)."""
    n, least = len(got.pages), spec.last_page_min
    if n < 2 or report["fill"] >= least:
        return got
    need = (least - report["fill"]) * report["height"]
    for k in (1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0):
        squeeze = need * k / (n - 1)
        if squeeze > least * report["height"]:
            break
        again: dict = {}
        laid = attempt(size, squeeze, n - 1, again)
        if isinstance(laid, LaidOut) and len(laid.pages) == n and again["fill"] >= least:
            return laid
    return got


def does_not_fit(over: Overflow, spec: LayoutSpec, lang: Language, file: str, size: float) -> DoesNotFit:
    """The one-line message for content that does not fit."""
    where = f"layout {spec.name!r} in {lang.name} ({lang.code})"
    much = f"about {over.missing:.0f} pt ({over.missing / 72:.1f} in)"
    if over.region:
        return DoesNotFit(
            f"the {over.region} region(s) do not fit their panel of {where} at body size {size:g} pt: about "
            f"{over.missing:.0f} pt ({over.missing / 72:.1f} in) too tall",
            file=file, key="summary" if "summary" in over.region or "cover" in over.region else None,
            hint="Shorten the title, subtitle and summary, or use a layout with larger panels")
    if over.column:
        return DoesNotFit(
            f"a block in section {over.section!r} is taller than a whole column of {where} at body "
            f"size {size:g} pt, by {much}", file=file, key=f"sections ({over.section})",
            hint="Split it into shorter paragraphs or list items, or use a layout with taller columns")
    pages = f"{spec.max_pages} page(s)" if spec.max_pages is not None else f"{MAX_FLOW_PAGES} pages"
    return DoesNotFit(
        f"content does not fit {pages} of {where}, even at the minimum body size {size:g} pt: "
        f"the overflow begins in section {over.section!r}, {much} too long",
        file=file, key=f"sections ({over.section})",
        hint="Shorten that section or later ones, or use a layout that allows more pages")


MAX_FLOW_PAGES = 60     # a flowing leaflet longer than this is a mistake, not a leaflet


def _attempt(ctx: Ctx, squeeze: float, squeezed: int, report: dict,
             footers: dict) -> LaidOut | Overflow:
    """One try at ``ctx.size``. ``squeeze``: points by which the body ends higher on the first
    ``squeezed`` pages (a flowing leaflet's page breaks moved earlier); ``report`` gets the share
    of the last page's body height the text takes (``fill``) and that height; ``footers``: the
    footer's heights the fitting's attempts share (see :func:`_footer_height`)."""
    spec, h = ctx.spec, ctx.handout
    W, H = spec.page_size
    pages: list[Page] = []
    outline: list[OutlineEntry] = []
    # A figure that is all of its section stays with its heading (it flows); the first others
    # take the layout's diagram slots, the rest flow with the text.
    figures = [b for s in h.sections for b in s.blocks if isinstance(b, Figure) and len(s.blocks) > 1]
    slotted = figures[:_diagram_slots(spec)]
    slotted_ids = set(map(id, slotted))
    blocks = flow_blocks(ctx, outline, flowing={id(b) for s in h.sections for b in s.blocks
                                                if isinstance(b, Figure) and id(b) not in slotted_ids})
    state = _State(Cursor(), 0)
    footer_h = 0.0 if spec.footer is None else max(spec.footer["height"], _footer_height(ctx, footers, False))
    note = note_block(ctx)                     # a partner clinic's own text, after the content
    if note is not None:
        blocks.append(note)
    if spec.max_pages is None:
        blocks.append(contact_block(ctx))      # a flowing leaflet ends with how to reach us

    def full_footer(page_index: int) -> bool:
        """Contact, credits and QR code once: on the back (last page) of a fixed sheet; a
        flowing leaflet ends with a contact block instead."""
        if spec.max_pages is None:
            return False        # the contact block that ends the text carries them
        return page_index == spec.max_pages - 1

    def fill_panel(page_index: int, k: int) -> Overflow | None:
        panels = spec.page_panels(page_index)
        n = len(panels)
        pos = n - 1 - k if ctx.lang.rtl else k      # right-to-left readers start at the right
        left, right = spec.panel_bounds(page_index, pos, n, ctx.lang.rtl)
        top = H - spec.margins["top"] if page_index == 0 else continued_top
        fh = footer_h if full_footer(page_index) else footer_short
        bottom = spec.margins["bottom"] + (fh + ctx.size * 0.6 if fh else 0)
        if page_index < squeezed:
            bottom += squeeze
        return _panel(ctx, pages, page_index, panels[k], left, right, top, bottom, blocks, slotted, state)

    def done() -> bool:
        return state.cursor.block >= len(blocks) and state.fig >= len(slotted)

    footer_short = 0.0 if spec.footer is None else _footer_height(ctx, footers, True)    # one line
    # Pages after the first carry a running head (if the layout has one) in their top margin:
    # their body starts below it, and below the top margin.
    continued_top = H - spec.margins["top"]
    if spec.running_head is not None:
        left, right = spec.panel_bounds(1, 0, 1)
        end = draw_running_head(ctx, Page(0, 0), left, right)
        continued_top = min(continued_top, end - above_line(ctx, ctx.size, ctx.lh) - ctx.size * 0.1)
    if spec.max_pages is not None:
        # A fixed sheet: every page exists from the start; panels are filled in reading order
        # (a brochure's flap, then the inside, then the back), which need not be page order.
        pages.extend(Page(W, H) for _ in range(spec.max_pages))
        for page_index, k in spec.flow_order():
            stuck = fill_panel(page_index, k)
            if stuck is not None:
                return stuck
        if not done():
            return _overflow(ctx, blocks, state)
    else:
        page_index = 0
        while not done():
            if page_index >= MAX_FLOW_PAGES:
                return _overflow(ctx, blocks, state)
            pages.append(Page(W, H))
            for k in range(len(spec.page_panels(page_index))):
                stuck = fill_panel(page_index, k)
                if stuck is not None:
                    return stuck
            page_index += 1
    for page in pages:
        n = len(spec.page_panels(pages.index(page)))
        if spec.fold_marks and n > 1:
            for x in spec.folds(pages.index(page), ctx.lang.rtl):
                mark, m = spec.measures["fold_mark"], spec.printable + 0.5  # only where printers print
                page.items.append(Rule(x, H - m, x, H - m - mark, "#999999", 0.5, part="fold"))
                page.items.append(Rule(x, m, x, m + mark, "#999999", 0.5, part="fold"))
    if spec.footer is not None:
        for i, page in enumerate(pages):
            draw_footer(ctx, page, i, len(pages), short=not full_footer(i))
    if spec.running_head is not None:
        for i, page in enumerate(pages[1:], 1):
            draw_running_head(ctx, page, *spec.panel_bounds(i, 0, 1))
    if state.ended is not None:
        top, height, end = state.ended
        report.update(fill=(top - end) / height if height > 0 else 1.0, height=height)
    return LaidOut(pages, outline, ctx.size, ctx.warnings, ctx.alts, ctx.lang.code,
                   lead_ins=frozenset(ctx.lead_ins))


def _footer_height(ctx: Ctx, footers: dict, short: bool) -> float:
    """The height of the footer (``short``: of the one-line footer of the other pages) as
    ``draw_footer`` measures it: once per fitting (``footers``), its warnings given again to each
    attempt that asks. The footer is set at the layout's footer size, not the body size, and
    its room for clinic details is the project's: the same at every size the fitting tries
    (tests/test_layouts.py measures it at each)."""
    got = footers.get(short)
    if got is None:
        w0 = len(ctx.warnings)
        got = footers[short] = (draw_footer(ctx, None, 98, 99, short=short), tuple(ctx.warnings[w0:]))
    else:
        ctx.warnings.extend(got[1])
    return got[0]


@dataclass
class _State:
    """How far a fixed or flowing sheet has got: the flow cursor and the next slotted figure."""
    cursor: Cursor
    fig: int
    stuck_height: float = 0.0   # the tallest empty column a block has not fitted in so far
    ended: tuple | None = None  # the last column filled: its top, its height, where the text ended


def _diagram_slots(spec: LayoutSpec) -> int:
    """How many figures the layout's diagram slots take (the others flow with the text)."""
    count = spec.max_pages if spec.max_pages is not None else len(spec.pages)
    return sum(1 for p in range(count) for regions in spec.page_panels(p)
               for r in regions if r.slot == "diagram")


def _overflow(ctx: Ctx, blocks: list, state: _State) -> Overflow:
    """What is left over, measured at the layout's body column width."""
    bi, off = state.cursor.block, state.cursor.offset
    width = ctx.spec.body_column_width
    remaining = blocks[bi:]
    missing = sum(sum(b.heights(width, off if j == 0 else 0)) + (b.space_before if j else 0)
                  for j, b in enumerate(remaining))
    return Overflow(remaining[0].section if remaining else "?", missing)


def _panel(ctx: Ctx, pages, page_index: int, regions, left: float, right: float, top: float,
           bottom: float, blocks, figures, state: _State) -> Overflow | None:
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
            y = draw_header(ctx, page, left, right)
        elif reg.slot == "cover":
            y = draw_cover(ctx, page, left, right, y, bottom, fill=len(regions) == 1)
        elif reg.slot == "summary":
            y = draw_summary(ctx, page, left, right, y)
        elif reg.slot == "contact":
            y = draw_contact(ctx, page, left, right, y)
        elif reg.slot == "diagram" and state.fig < len(figures):
            # Measured first, then drawn from where it ends: it never reaches above the slot.
            max_h = reg.height or 220
            used = draw_figure(ctx, None, figures[state.fig], left, right, 0, max_h)
            draw_figure(ctx, page, figures[state.fig], left, right, y - used, max_h)
            state.fig += 1
            y -= used + ctx.size * ctx.spec.measures["figure_gap"]
    if y < bottom:
        return Overflow(regions[0].slot, bottom - y, region=" and ".join(r.slot for r in regions if r.slot != "body"))
    y_bottom = bottom
    for reg in reversed(below):
        if reg.slot == "diagram" and state.fig < len(figures):
            used = draw_figure(ctx, page, figures[state.fig], left, right, y_bottom,
                               reg.height or (y - y_bottom) / 2)
            state.fig += 1
            y_bottom += used + ctx.size * ctx.spec.measures["figure_gap"]
        elif reg.slot == "contact":
            y_bottom = draw_contact(ctx, page, left, right, None, y_bottom)
        elif reg.slot in ("summary", "cover"):
            # Below the body: measured on a scratch page, then drawn from where it must start.
            probe_top = 10000.0
            draw = draw_summary if reg.slot == "summary" else \
                (lambda c, pg, lf, rt, top: draw_cover(c, pg, lf, rt, top, 0.0))
            height = probe_top - draw(ctx, Page(0, 0), left, right, probe_top)
            draw(ctx, page, left, right, y_bottom + height)
            y_bottom += height
        elif reg.slot == "header":
            draw_header(ctx, page, left, right)     # a page-wide band at the top, wherever listed
    if y_bottom > y + 0.01:
        return Overflow(regions[-1].slot, y_bottom - y, region=" and ".join(r.slot for r in regions if r.slot != "body"))
    if body is not None and state.cursor.block < len(blocks):
        cols = body.columns
        gap = ctx.spec.column_gap(ctx.size)
        cw = (right - left - gap * (cols - 1)) / cols
        frames = [Frame(page_index, left + c * (cw + gap), y, cw, y - y_bottom) for c in range(cols)]
        if ctx.lang.rtl:
            frames.reverse()
        # A flowing leaflet whose first page is mostly header and summary (tall scripts, large
        # print): what does not fit under them, a heading with its first lines included, starts
        # the next page. Only a block taller than a whole page is an overflow.
        partial = ctx.spec.max_pages is None and (y < top or y_bottom > bottom)
        for fr in frames:
            if state.cursor.block >= len(blocks):
                break
            got = fill(pages, fr, blocks, state.cursor, may_skip=partial)
            if got.stuck is not None:
                # A short column (below a header and summary) may be too small for a block kept
                # whole: it starts the next one. Taller than a column as tall as one it already
                # failed in, it is taller than any column the layout has.
                if fr.height <= state.stuck_height + 0.01:
                    return got.stuck
                state.stuck_height = fr.height
                continue
            state.cursor = got.cursor
            state.ended = (fr.top, fr.height, got.y)
    return None
