"""The print-shop copy of a leaflet: bleed, crop marks and fold marks outside the trim.

Input: a :class:`LaidOut` that has passed the page inspector (the office-printer leaflet) and
its :class:`LayoutSpec`. Output: the same pages for a print shop, which prints on a larger sheet
and cuts it down to the page: the backgrounds the layout lets bleed (``print.bleeds``) that
touch the trim edge run ``print.bleed`` (3 mm) past it; crop marks at the corners and, on a
folded sheet, fold marks at the folds sit outside the trim, beyond the bleed (the office copy's
fold marks inside the page go); :class:`PrintBoxes` tells the writer the bleed and the sheet.
Nothing else moves, so the text is where it is in the office copy and the inspector's verdict
stands (it is run again on the result by the tests).
"""
from __future__ import annotations

import dataclasses

from .items import Box, LaidOut, Page, PrintBoxes, Rule
from .spec import LayoutSpec

MARK_COLOUR = "#000000"     # printed on every plate: a mark the cutter can see
MARK_WIDTH = 0.25
MARKS = frozenset({"crop", "fold"})


def for_print_shop(laid: LaidOut, spec: LayoutSpec) -> LaidOut:
    """A copy of ``laid`` with bleed, marks and page boxes (``laid`` is not changed)."""
    bleed, mark = spec.bleed, spec.measures["crop_mark"]
    offset = max(bleed, 1.0)        # marks start where the bleed ends: they never touch the art
    pages = []
    for pi, page in enumerate(laid.pages):
        W, H = page.width, page.height
        items = [_bled(item, W, H, bleed) if isinstance(item, Box) and item.part in spec.bleeds else item
                 for item in page.items if not (isinstance(item, Rule) and item.part == "fold")]
        for x, y, dx, dy in ((0, 0, -1, -1), (W, 0, 1, -1), (0, H, -1, 1), (W, H, 1, 1)):
            items.append(_mark(x + dx * offset, y, x + dx * (offset + mark), y, "crop"))
            items.append(_mark(x, y + dy * offset, x, y + dy * (offset + mark), "crop"))
        # The folds where the office copy marks them (mirrored for a right-to-left brochure).
        for x in sorted({i.x1 for i in page.items if isinstance(i, Rule) and i.part == "fold"}):
            items.append(_mark(x, H + offset, x, H + offset + mark, "fold"))
            items.append(_mark(x, -offset, x, -offset - mark, "fold"))
        pages.append(Page(W, H, items, list(page.links), list(page.fields)))
    return dataclasses.replace(laid, pages=pages, print_boxes=PrintBoxes(bleed, offset + mark + 2.0))


def _bled(box: Box, W: float, H: float, bleed: float) -> Box:
    """A background grown past each trim edge it touches."""
    x0, y0, x1, y1 = box.x, box.y, box.x + box.w, box.y + box.h
    x0 = x0 - bleed if x0 <= 0.01 else x0
    y0 = y0 - bleed if y0 <= 0.01 else y0
    x1 = x1 + bleed if x1 >= W - 0.01 else x1
    y1 = y1 + bleed if y1 >= H - 0.01 else y1
    return dataclasses.replace(box, x=x0, y=y0, w=x1 - x0, h=y1 - y0)


def _mark(x1: float, y1: float, x2: float, y2: float, part: str) -> Rule:
    return Rule(x1, y1, x2, y2, MARK_COLOUR, MARK_WIDTH, part=part)
